// Turns one lab recording (pcap + both charon logs) into fixture data: every IKE datagram, every ESP
// packet, and per IKE SA the keys strongSwan logged. Each key is checked three ways before it is
// written: recomputed from its inputs (RFC 7296 §2.14, §2.17, §2.18), equal in both daemons' logs,
// and used to decrypt and authenticate the messages it protects (PSK AUTH payloads included).
import { readPcap } from "./pcap.mjs";
import { parseCharonLog } from "./charon-log.mjs";
import {
  decryptEsp, decryptSK, deriveChildKeys, deriveIkeKeys, hex, parseHeader, parseSA, prf, pskAuth, suiteOf,
  unhex, walkPayloads,
} from "./ikev2-wire.mjs";

const NOTIFY = { 14: "NO_PROPOSAL_CHOSEN", 17: "INVALID_KE_PAYLOAD", 43: "TEMPORARY_FAILURE", 16390: "COOKIE", 16393: "REKEY_SA" };
const PROTO = { 1: "IKE", 2: "AH", 3: "ESP" };

/** Splits the datagrams of a capture into IKE messages and ESP packets (RFC 3948 §2.2 marker). */
export function classifyDatagrams(datagrams, initiatorAddr) {
  const ike = [], esp = [];
  let keepalives = 0;
  for (const d of datagrams) {
    const dir = d.srcAddr === initiatorAddr ? "i->r" : "r->i";
    const base = { frame: d.frame, time: d.time, dir, src: d.src, dst: d.dst };
    if (d.sport === 4500 || d.dport === 4500) {
      if (d.payload.length === 1 && d.payload[0] === 0xff) { keepalives++; continue; }
      if (d.payload.length >= 4 && d.payload.readUInt32BE(0) === 0) {
        ike.push({ ...base, nonEspMarker: true, payload: d.payload.subarray(4) });
      } else esp.push({ ...base, payload: d.payload });
    } else if (d.sport === 500 || d.dport === 500) {
      ike.push({ ...base, nonEspMarker: false, payload: d.payload });
    }
  }
  return { ike, esp, keepalives };
}

const saKey = (SPIi, SPIr) => `${SPIi}_${SPIr}`;
const bufEq = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

function checkEqual(what, computed, logged) {
  if (logged === undefined) return;
  if (hex(computed) !== logged) throw new Error(`${what}: recomputed ${hex(computed)} but strongSwan logged ${logged}`);
}

/**
 * Builds the fixture. Input: { scenario, pcap (Buffer), logs: { a, b } (charon log text),
 * addrA }. Output: { messages, esp, keys, exchanges, wireshark: { ikev2, esp }, stats }.
 */
export function buildFixture({ scenario, pcap, logs, addrA }) {
  const datagrams = readPcap(pcap);
  const { ike, esp, keepalives } = classifyDatagrams(datagrams, addrA);
  const logA = parseCharonLog(logs.a), logB = parseCharonLog(logs.b);

  // Both daemons derive every key: equal blocks in both logs, or the recording is suspect.
  const ikeBlocks = logA.ikeKeys, childBlocks = logA.childKeys;
  for (const blk of ikeBlocks) {
    if (!logB.ikeKeys.some((o) => o.SKEYSEED === blk.SKEYSEED && o.SK_d === blk.SK_d && o.SK_pr === blk.SK_pr)) {
      throw new Error(`IKE keys at moon's log line ${blk.line} not found in sun's log`);
    }
  }
  for (const blk of childBlocks) {
    if (!logB.childKeys.some((o) => o.seed === blk.seed && o.encr_i === blk.encr_i && o.encr_r === blk.encr_r)) {
      throw new Error(`Child SA keys at moon's log line ${blk.line} not found in sun's log`);
    }
  }
  if (logB.ikeKeys.length !== ikeBlocks.length || logB.childKeys.length !== childBlocks.length) {
    throw new Error(`logs disagree: moon derived ${ikeBlocks.length} IKE / ${childBlocks.length} Child key sets, sun ${logB.ikeKeys.length} / ${logB.childKeys.length}`);
  }

  const sas = new Map();       // saKey -> IKE SA record (with Buffers in .k)
  const pendingInit = new Map(); // SPIi -> IKE_SA_INIT request
  const requests = new Map();  // `${sa}:${msgId}` -> request message info
  const fragments = new Map(); // `${sa}:${msgId}:${resp}` -> [{ number, total, plaintext, innerFirst }]
  const messages = [], exchanges = [];
  const usedIke = new Set(), usedChild = new Set();

  const findChildBlock = (Ni, Nr) => {
    const tail = hex(Buffer.concat([Ni, Nr]));
    const idx = childBlocks.findIndex((b, j) => !usedChild.has(j) && b.seed?.endsWith(tail));
    if (idx < 0) throw new Error(`no Child SA key block in moon's log with nonces ${tail.slice(0, 16)}...`);
    usedChild.add(idx);
    return childBlocks[idx];
  };

  const makeChild = (sa, { suite, Ni, Nr, gir, SPIi, SPIr, createdBy, initiator, rekeyOf }) => {
    const blk = findChildBlock(Ni, Nr);
    const logGir = blk["g^ir"] ? unhex(blk["g^ir"]) : null;
    if (!!gir !== !!logGir) throw new Error(`Child SA ${SPIi}/${SPIr}: KE payloads and log disagree on PFS`);
    const k = deriveChildKeys(suite, { prfId: sa.suite.prfId, SK_d: sa.k.SK_d, Ni, Nr, gir: logGir });
    checkEqual("encr_i", k.encr_i, blk.encr_i); checkEqual("encr_r", k.encr_r, blk.encr_r);
    if (suite.integId) { checkEqual("integ_i", k.integ_i, blk.integ_i); checkEqual("integ_r", k.integ_r, blk.integ_r); }
    const child = {
      protocol: "ESP", SPIi, SPIr, createdBy, initiator, ...(rekeyOf ? { rekeyOf } : {}),
      algorithms: algorithmsOf(suite), Ni: hex(Ni), Nr: hex(Nr), "g^ir": logGir ? hex(logGir) : null,
      KEYMAT: hex(k.KEYMAT),
      // RFC 7296 §2.17: the initiator's keys protect initiator -> responder traffic, which carries
      // the SPI the responder chose (SPIr); and the other way round.
      initiatorToResponder: { SPI: SPIr, encrKey: hex(k.encr_i), integKey: suite.integId ? hex(k.integ_i) : null },
      responderToInitiator: { SPI: SPIi, encrKey: hex(k.encr_r), integKey: suite.integId ? hex(k.integ_r) : null },
      logLine: blk.line,
    };
    Object.defineProperty(child, "k", { value: { suite, ...k }, enumerable: false });
    sa.record.childSas.push(child);
    return child;
  };

  const makeIkeSa = ({ suite, SPIi, SPIr, Ni, Nr, old, createdBy, initSa }) => {
    let found = null;
    for (let j = 0; j < ikeBlocks.length && !found; j++) {
      if (usedIke.has(j)) continue;
      const b = ikeBlocks[j];
      const gir = unhex(b["g^ir"]);
      const seed = old ? prf(old.suite.prfId, old.k.SK_d, Buffer.concat([gir, Ni, Nr])) : prf(suite.prfId, Buffer.concat([Ni, Nr]), gir);
      if (hex(seed) === b.SKEYSEED) { found = b; usedIke.add(j); }
    }
    if (!found) throw new Error(`no IKE key block in moon's log yields SKEYSEED for IKE SA ${SPIi}/${SPIr}`);
    const gir = unhex(found["g^ir"]);
    const k = deriveIkeKeys(suite, { Ni, Nr, gir, SPIi: unhex(SPIi), SPIr: unhex(SPIr), old: old ? { prfId: old.suite.prfId, SK_d: old.k.SK_d } : null });
    for (const name of ["SKEYSEED", "SK_d", "SK_ei", "SK_er", "SK_pi", "SK_pr"]) checkEqual(name, k[name], found[name]);
    if (suite.integId) { checkEqual("SK_ai", k.SK_ai, found.SK_ai); checkEqual("SK_ar", k.SK_ar, found.SK_ar); }
    const record = {
      SPIi, SPIr, createdBy, ...(old ? { rekeyOf: { SPIi: old.record.SPIi, SPIr: old.record.SPIr } } : {}),
      algorithms: algorithmsOf(suite), Ni: hex(Ni), Nr: hex(Nr), "g^ir": hex(gir),
      ...(old ? { "SK_d(old)": hex(old.k.SK_d), "prf(old)": old.suite.prf } : {}),
      SKEYSEED: hex(k.SKEYSEED), SK_d: hex(k.SK_d),
      SK_ai: suite.integId ? hex(k.SK_ai) : null, SK_ar: suite.integId ? hex(k.SK_ar) : null,
      SK_ei: hex(k.SK_ei), SK_er: hex(k.SK_er), SK_pi: hex(k.SK_pi), SK_pr: hex(k.SK_pr),
      logLine: found.line, messages: [], childSas: [],
    };
    const sa = { record, suite, k, initSa };
    sas.set(saKey(SPIi, SPIr), sa);
    return sa;
  };

  ike.forEach((m, i) => {
    const h = parseHeader(m.payload);
    if (h.length !== m.payload.length) throw new Error(`message ${i}: header length ${h.length} but ${m.payload.length} bytes received`);
    const entry = {
      i, frame: m.frame, dir: m.dir, src: m.src, dst: m.dst, udpPayloadHex: hex(m.payload), nonEspMarker: m.nonEspMarker,
      exchange: h.exchange, response: h.response, messageId: h.messageId, SPIi: h.SPIi, SPIr: h.SPIr,
    };
    messages.push(entry);
    let payloads;

    if (h.exchange === "IKE_SA_INIT") {
      payloads = walkPayloads(m.payload, h.nextPayload, 28);
      entry.payloads = payloads.map(describe);
      const get = (name) => payloads.find((p) => p.name === name);
      if (!h.response) { pendingInit.set(h.SPIi, { i, msg: m.payload, Ni: get("Nonce").body }); return; }
      const req = pendingInit.get(h.SPIi);
      const sa = get("SA");
      exchanges.push({ exchange: "IKE_SA_INIT", request: req?.i ?? null, response: i, what: sa ? "IKE_SA_INIT" : "IKE_SA_INIT (rejected)" });
      if (!sa) return; // INVALID_KE_PAYLOAD or COOKIE: the initiator starts over
      const suite = suiteOf(parseSA(sa.body)[0]);
      const created = makeIkeSa({ suite, SPIi: h.SPIi, SPIr: h.SPIr, Ni: req.Ni, Nr: get("Nonce").body, createdBy: { exchange: "IKE_SA_INIT", request: req.i, response: i }, initSa: { request: req.msg, response: m.payload } });
      created.record.messages.push(req.i, i);
      return;
    }

    const sa = sas.get(saKey(h.SPIi, h.SPIr));
    if (!sa) throw new Error(`message ${i}: no keys for IKE SA ${h.SPIi}/${h.SPIr}`);
    sa.record.messages.push(i);
    const keys = h.initiator ? { SK_e: sa.k.SK_ei, SK_a: sa.k.SK_ai } : { SK_e: sa.k.SK_er, SK_a: sa.k.SK_ar };
    let dec;
    try { dec = decryptSK(m.payload, sa.suite, keys); } catch (e) { throw new Error(`message ${i} (${h.exchange}): ${e.message}`); }
    if (!dec) throw new Error(`message ${i}: no SK payload`);
    entry.decryptedHex = hex(dec.plaintext);
    if (dec.fragment) {
      entry.fragment = dec.fragment;
      const fk = `${saKey(h.SPIi, h.SPIr)}:${h.messageId}:${h.response}`;
      const list = fragments.get(fk) ?? [];
      list.push({ ...dec.fragment, plaintext: dec.plaintext, innerFirst: dec.innerFirst, i });
      fragments.set(fk, list);
      if (list.length < dec.fragment.total) return;
      list.sort((a, b) => a.number - b.number);
      dec = { plaintext: Buffer.concat(list.map((f) => f.plaintext)), innerFirst: list[0].innerFirst };
      entry.reassembledFrom = list.map((f) => f.i);
    }
    payloads = walkPayloads(dec.plaintext, dec.innerFirst, 0);
    entry.payloads = payloads.map(describe);
    const rk = `${saKey(h.SPIi, h.SPIr)}:${h.messageId}`;
    if (!h.response) { requests.set(rk, { i: entry.reassembledFrom?.[0] ?? i, payloads, h, msg: m.payload }); return; }
    const req = requests.get(rk);
    if (!req) throw new Error(`message ${i}: response without a recorded request`);
    const ex = { exchange: h.exchange, request: req.i, response: i, SPIi: h.SPIi, SPIr: h.SPIr };
    exchanges.push(ex);
    handleExchange(sa, req, { i, h, payloads }, ex);
  });

  function handleExchange(sa, req, res, ex) {
    const g = (list, name) => list.find((p) => p.name === name);
    const errors = res.payloads.filter((p) => p.name === "N" && p.body.readUInt16BE(2) < 16384);
    if (errors.length) { ex.what = `error ${errors.map((p) => NOTIFY[p.body.readUInt16BE(2)] ?? p.body.readUInt16BE(2)).join(",")}`; return; }
    const initiator = messages[req.i].dir === "i->r" ? "a" : "b";
    if (ex.exchange === "IKE_AUTH") {
      // PSK AUTH payloads (§2.15): check both with SK_pi / SK_pr.
      const psk = scenario.psk;
      const authI = g(req.payloads, "AUTH"), authR = g(res.payloads, "AUTH");
      const Ni = unhex(sa.record.Ni), Nr = unhex(sa.record.Nr);
      const wantI = pskAuth(sa.suite.prfId, psk, { initSaMessage: sa.initSa.request, peerNonce: Nr, SK_p: sa.k.SK_pi, idBody: g(req.payloads, "IDi").body });
      const wantR = pskAuth(sa.suite.prfId, psk, { initSaMessage: sa.initSa.response, peerNonce: Ni, SK_p: sa.k.SK_pr, idBody: g(res.payloads, "IDr").body });
      if (!authI || !bufEq(authI.body.subarray(4), wantI)) throw new Error(`IKE_AUTH request ${req.i}: AUTH does not verify with the PSK`);
      if (!authR || !bufEq(authR.body.subarray(4), wantR)) throw new Error(`IKE_AUTH response ${res.i}: AUTH does not verify with the PSK`);
      ex.what = "IKE_AUTH";
      const saReq = g(req.payloads, "SA"), saRes = g(res.payloads, "SA");
      if (saReq && saRes) {
        const chosen = parseSA(saRes.body)[0];
        ex.childSa = makeChild(sa, { suite: suiteOf(chosen), Ni, Nr, gir: null, SPIi: parseSA(saReq.body)[0].spi, SPIr: chosen.spi, createdBy: { exchange: "IKE_AUTH", request: req.i, response: res.i }, initiator }).SPIi;
      }
    } else if (ex.exchange === "CREATE_CHILD_SA") {
      const saReq = parseSA(g(req.payloads, "SA").body), chosen = parseSA(g(res.payloads, "SA").body)[0];
      const Ni = g(req.payloads, "Nonce").body, Nr = g(res.payloads, "Nonce").body;
      const suite = suiteOf(chosen);
      const createdBy = { exchange: "CREATE_CHILD_SA", request: req.i, response: res.i, inIkeSa: { SPIi: sa.record.SPIi, SPIr: sa.record.SPIr } };
      if (chosen.protocol === 1) {
        ex.what = "rekey IKE SA";
        const SPIi = saReq[0].spi, SPIr = chosen.spi;
        makeIkeSa({ suite, SPIi, SPIr, Ni, Nr, old: sa, createdBy });
        ex.newIkeSa = { SPIi, SPIr };
      } else {
        const rekey = req.payloads.find((p) => p.name === "N" && p.body.readUInt16BE(2) === 16393);
        const rekeyOf = rekey ? hex(rekey.body.subarray(4, 4 + rekey.body[1])) : null;
        ex.what = rekey ? "rekey Child SA" : "create Child SA";
        const child = makeChild(sa, { suite, Ni, Nr, gir: !!g(res.payloads, "KE"), SPIi: saReq[0].spi, SPIr: chosen.spi, createdBy, initiator, rekeyOf });
        ex.childSa = child.SPIi;
      }
    } else if (ex.exchange === "INFORMATIONAL") {
      const dels = req.payloads.filter((p) => p.name === "D");
      if (req.payloads.length === 0) ex.what = "liveness check";
      else if (dels.length) ex.what = dels.map((d) => `delete ${PROTO[d.body[0]] === "IKE" ? "IKE SA" : `${PROTO[d.body[0]]} Child SA`}`).join(", ");
      else ex.what = `INFORMATIONAL [${req.payloads.map((p) => p.name).join(" ")}]`;
    }
    ex.initiator = initiator;
  }

  // ESP: every packet must decrypt with the keys of the Child SA its SPI names.
  const children = [...sas.values()].flatMap((s) => s.record.childSas);
  const espOut = esp.map((p, j) => {
    const SPI = hex(p.payload.subarray(0, 4)), seq = p.payload.readUInt32BE(4);
    const child = children.find((c) => c.initiatorToResponder.SPI === SPI || c.responderToInitiator.SPI === SPI);
    if (!child) throw new Error(`ESP packet ${j} (frame ${p.frame}): SPI ${SPI} belongs to no recorded Child SA`);
    const fwd = child.initiatorToResponder.SPI === SPI;
    const { nextHeader, inner } = decryptEsp(p.payload, child.k.suite, fwd ? { encr: child.k.encr_i, integ: child.k.integ_i } : { encr: child.k.encr_r, integ: child.k.integ_r });
    return { i: j, frame: p.frame, dir: p.dir, src: p.src, dst: p.dst, SPI, seq, udpPayloadHex: hex(p.payload), nonEspMarker: false, nextHeader, innerPacketHex: hex(inner) };
  });

  // keys.json has one entry per IKE SA seen in messages.json, and every message was decrypted.
  const seen = new Set(messages.filter((m) => m.SPIr !== "0000000000000000").map((m) => saKey(m.SPIi, m.SPIr)));
  for (const s of seen) if (!sas.has(s)) throw new Error(`IKE SA ${s} appears in messages but has no keys`);
  for (const m of messages) if (m.exchange !== "IKE_SA_INIT" && m.decryptedHex === undefined) throw new Error(`message ${m.i} not decrypted`);
  if (usedIke.size !== ikeBlocks.length) throw new Error(`${ikeBlocks.length - usedIke.size} IKE key sets in the log match no recorded exchange`);
  if (usedChild.size !== childBlocks.length) throw new Error(`${childBlocks.length - usedChild.size} Child SA key sets in the log match no recorded exchange`);

  const ikeSas = [...sas.values()].map((s) => s.record);
  return {
    messages, esp: espOut, exchanges, ikeSas,
    wireshark: { ikev2: ikev2Table(ikeSas), esp: espTable(ikeSas, messages) },
    strongswanVersion: logA.version,
    stats: { datagrams: datagrams.length, ikeMessages: messages.length, espPackets: espOut.length, keepalives, ikeSas: ikeSas.length, childSas: children.length },
  };
}

function describe(p) {
  const d = { type: p.name };
  if (p.name === "N") d.notify = NOTIFY[p.body.readUInt16BE(2)] ?? p.body.readUInt16BE(2);
  if (p.name === "D") d.protocol = PROTO[p.body[0]];
  return d.type in { N: 1, D: 1 } ? d : p.name;
}

function algorithmsOf(s) {
  return { encr: s.encr, encrKeyBits: s.encrKeyBits, integ: s.integ, prf: s.prf, dh: s.dh, ...(s.esn !== null ? { esn: s.esn } : {}) };
}

// Wireshark's key tables (UAT files), in the format of strongSwan's save-keys plugin, which Debian's
// strongSwan 5.9.8 does not build.
const WS_IKE_ENCR = {
  ENCR_AES_CBC: (b) => `AES-CBC-${b} [RFC3602]`,
  ENCR_AES_GCM_16: (b) => `AES-GCM-${b} with 16 octet ICV [RFC5282]`,
  ENCR_AES_GCM_12: (b) => `AES-GCM-${b} with 12 octet ICV [RFC5282]`,
  ENCR_AES_GCM_8: (b) => `AES-GCM-${b} with 8 octet ICV [RFC5282]`,
};
const WS_IKE_INTEG = {
  AUTH_HMAC_SHA1_96: "HMAC_SHA1_96 [RFC2404]", AUTH_HMAC_SHA2_256_128: "HMAC_SHA2_256_128 [RFC4868]",
  AUTH_HMAC_SHA2_384_192: "HMAC_SHA2_384_192 [RFC4868]", AUTH_HMAC_SHA2_512_256: "HMAC_SHA2_512_256 [RFC4868]",
};
// For AES-GCM, save-keys writes "AES-GCM [RFC4106]" with "ANY n bit authentication", which
// Wireshark 4.0 refuses ("AES-GCM encryption can only be used with NULL authentication"); these work.
const WS_ESP_ENCR = {
  ENCR_AES_CBC: "AES-CBC [RFC3602]", ENCR_AES_GCM_16: "AES-GCM with 16 octet ICV [RFC4106]",
  ENCR_AES_GCM_12: "AES-GCM with 12 octet ICV [RFC4106]", ENCR_AES_GCM_8: "AES-GCM with 8 octet ICV [RFC4106]",
};
const WS_ESP_INTEG = {
  AUTH_HMAC_SHA1_96: "HMAC-SHA-1-96 [RFC2404]", AUTH_HMAC_SHA2_256_128: "HMAC-SHA-256-128 [RFC4868]",
  AUTH_HMAC_SHA2_384_192: "HMAC-SHA-384-192 [RFC4868]", AUTH_HMAC_SHA2_512_256: "HMAC-SHA-512-256 [RFC4868]",
};

export function ikev2Table(ikeSas) {
  return ikeSas.map((s) => {
    const a = s.algorithms;
    return `${s.SPIi},${s.SPIr},${s.SK_ei},${s.SK_er},"${WS_IKE_ENCR[a.encr](a.encrKeyBits)}",${s.SK_ai ?? ""},${s.SK_ar ?? ""},"${a.integ ? WS_IKE_INTEG[a.integ] : "NONE [RFC4306]"}"\n`;
  }).join("");
}

export function espTable(ikeSas, messages) {
  const lines = [];
  for (const s of ikeSas) {
    for (const c of s.childSas) {
      const req = messages[c.createdBy.request];
      const [init, resp] = [req.src, req.dst].map((a) => a.replace(/^\[?(.*?)\]?:\d+$/, "$1"));
      const fam = init.includes(":") ? "IPv6" : "IPv4";
      const a = c.algorithms;
      const integ = a.integ ? WS_ESP_INTEG[a.integ] : "NULL";
      for (const [src, dst, d] of [[init, resp, c.initiatorToResponder], [resp, init, c.responderToInitiator]]) {
        lines.push(`"${fam}","${src}","${dst}","0x${d.SPI}","${WS_ESP_ENCR[a.encr]}","0x${d.encrKey}","${integ}","0x${d.integKey ?? ""}"\n`);
      }
    }
  }
  return lines.join("");
}

