// Just enough IKEv2 (RFC 7296) and ESP (RFC 4303) to check recorded fixtures on their own: header
// and payload walk, SK/SKF decryption (RFC 7296 §3.14, RFC 5282, RFC 7383), SA proposals, the key
// derivations of §2.13-§2.18, PSK AUTH (§2.15). Test tooling, not skeyseed's implementation; it uses
// node:crypto, so it stays out of ts/.
import { createDecipheriv, createHmac } from "node:crypto";

export const EXCHANGE = { 34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL" };
export const PAYLOAD = {
  33: "SA", 34: "KE", 35: "IDi", 36: "IDr", 37: "CERT", 38: "CERTREQ", 39: "AUTH", 40: "Nonce", 41: "N",
  42: "D", 43: "V", 44: "TSi", 45: "TSr", 46: "SK", 47: "CP", 48: "EAP", 53: "SKF",
};
const T_ENCR = 1, T_PRF = 2, T_INTEG = 3, T_DH = 4, T_ESN = 5;
// IANA "IKEv2 Transform Attribute Types": Key Length.
const ATTR_KEY_LENGTH = 14;

export const ENCR = {
  12: { name: "ENCR_AES_CBC", ivLen: 16, block: 16, aead: false },
  18: { name: "ENCR_AES_GCM_8", ivLen: 8, block: 4, aead: true, icvLen: 8 },
  19: { name: "ENCR_AES_GCM_12", ivLen: 8, block: 4, aead: true, icvLen: 12 },
  20: { name: "ENCR_AES_GCM_16", ivLen: 8, block: 4, aead: true, icvLen: 16 },
};
export const PRF = {
  2: { name: "PRF_HMAC_SHA1", hash: "sha1", keyLen: 20 },
  5: { name: "PRF_HMAC_SHA2_256", hash: "sha256", keyLen: 32 },
  6: { name: "PRF_HMAC_SHA2_384", hash: "sha384", keyLen: 48 },
  7: { name: "PRF_HMAC_SHA2_512", hash: "sha512", keyLen: 64 },
};
export const INTEG = {
  2: { name: "AUTH_HMAC_SHA1_96", hash: "sha1", keyLen: 20, icvLen: 12 },
  12: { name: "AUTH_HMAC_SHA2_256_128", hash: "sha256", keyLen: 32, icvLen: 16 },
  13: { name: "AUTH_HMAC_SHA2_384_192", hash: "sha384", keyLen: 48, icvLen: 24 },
  14: { name: "AUTH_HMAC_SHA2_512_256", hash: "sha512", keyLen: 64, icvLen: 32 },
};
export const DH = { 14: "MODP_2048", 19: "ECP_256", 20: "ECP_384", 31: "CURVE_25519" };

export const hex = (b) => Buffer.from(b).toString("hex");
export const unhex = (s) => Buffer.from(s, "hex");

/** The fixed IKE header (§3.1). */
export function parseHeader(msg) {
  if (msg.length < 28) throw new Error(`IKE message of ${msg.length} bytes is shorter than its header`);
  const flags = msg[19];
  return {
    SPIi: hex(msg.subarray(0, 8)), SPIr: hex(msg.subarray(8, 16)), nextPayload: msg[16],
    version: msg[17], exchangeType: msg[18], exchange: EXCHANGE[msg[18]] ?? `EXCHANGE_${msg[18]}`,
    flags, initiator: !!(flags & 0x08), response: !!(flags & 0x20),
    messageId: msg.readUInt32BE(20), length: msg.readUInt32BE(24),
  };
}

/** Walks a payload chain; returns [{ type, name, start, body }] (start = offset of the generic header). */
export function walkPayloads(buf, first, base = 0) {
  const out = [];
  let next = first, off = base;
  while (next !== 0) {
    if (off + 4 > buf.length) throw new Error(`payload ${next} header beyond the message end`);
    const len = buf.readUInt16BE(off + 2);
    if (len < 4 || off + len > buf.length) throw new Error(`payload ${next} length ${len} out of bounds`);
    out.push({ type: next, name: PAYLOAD[next] ?? `P${next}`, start: off, body: buf.subarray(off + 4, off + len) });
    if (next === 46 || next === 53) break; // SK/SKF: the rest is inside
    next = buf[off];
    off += len;
  }
  return out;
}

/** SA payload body → proposals [{ num, protocol, spi, transforms: [{ type, id, keyLen }] }] (§3.3). */
export function parseSA(body) {
  const props = [];
  let off = 0;
  while (off < body.length) {
    const last = body[off], len = body.readUInt16BE(off + 2);
    const p = body.subarray(off, off + len);
    const spiSize = p[6], nTrans = p[7];
    const prop = { num: p[4], protocol: p[5], spi: hex(p.subarray(8, 8 + spiSize)), transforms: [] };
    let t = 8 + spiSize;
    for (let i = 0; i < nTrans; i++) {
      const tl = p.readUInt16BE(t + 2);
      const tr = { type: p[t + 4], id: p.readUInt16BE(t + 6) };
      for (let a = t + 8; a < t + tl;) {
        const at = p.readUInt16BE(a);
        if (at & 0x8000) { if ((at & 0x7fff) === ATTR_KEY_LENGTH) tr.keyLen = p.readUInt16BE(a + 2); a += 4; }
        else a += 4 + p.readUInt16BE(a + 2);
      }
      prop.transforms.push(tr);
      t += tl;
    }
    props.push(prop);
    off += len;
    if (last === 0) break;
  }
  return props;
}

/** The algorithms a single (chosen) proposal names. */
export function suiteOf(prop) {
  const get = (type) => prop.transforms.find((t) => t.type === type);
  const e = get(T_ENCR), p = get(T_PRF), i = get(T_INTEG), d = get(T_DH), n = get(T_ESN);
  const encr = ENCR[e.id];
  if (!encr) throw new Error(`unsupported encryption transform ${e.id}`);
  return {
    encrId: e.id, encr: encr.name, encrKeyBits: e.keyLen,
    integId: i && i.id !== 0 ? i.id : null, integ: i && i.id !== 0 ? INTEG[i.id].name : null,
    prfId: p?.id ?? null, prf: p ? PRF[p.id].name : null,
    dhId: d && d.id !== 0 ? d.id : null, dh: d && d.id !== 0 ? (DH[d.id] ?? `DH_${d.id}`) : null,
    esn: n ? n.id === 1 : null,
  };
}

export function prf(prfId, key, data) {
  return createHmac(PRF[prfId].hash, key).update(data).digest();
}

/** prf+ (§2.13). */
export function prfPlus(prfId, key, seed, length) {
  const out = [];
  let t = Buffer.alloc(0), total = 0;
  for (let n = 1; total < length; n++) {
    if (n > 255) throw new Error("prf+: more than 255 blocks");
    t = prf(prfId, key, Buffer.concat([t, seed, Buffer.from([n])]));
    out.push(t);
    total += t.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

function encrKeyLen(suite) {
  return suite.encrKeyBits / 8 + (ENCR[suite.encrId].aead ? 4 : 0); // RFC 5282 §7.1: 4 salt bytes
}

/**
 * SKEYSEED and SK_* (§2.14), or for an IKE SA rekey (§2.18, old = { prfId, SK_d }) the rekeyed form.
 * As strongSwan does, a rekey uses the old SA's PRF for both SKEYSEED and prf+.
 */
export function deriveIkeKeys(suite, { Ni, Nr, gir, SPIi, SPIr, old }) {
  const seed = Buffer.concat([Ni, Nr, SPIi, SPIr]);
  let SKEYSEED, prfId = suite.prfId;
  if (old) {
    SKEYSEED = prf(old.prfId, old.SK_d, Buffer.concat([gir, Ni, Nr]));
    prfId = old.prfId;
  } else {
    SKEYSEED = prf(suite.prfId, Buffer.concat([Ni, Nr]), gir);
  }
  const prfLen = PRF[suite.prfId].keyLen, eLen = encrKeyLen(suite), aLen = suite.integId ? INTEG[suite.integId].keyLen : 0;
  const km = prfPlus(prfId, SKEYSEED, seed, 3 * prfLen + 2 * eLen + 2 * aLen);
  let o = 0;
  const take = (n) => km.subarray(o, (o += n));
  return {
    SKEYSEED, SK_d: take(prfLen), SK_ai: take(aLen), SK_ar: take(aLen), SK_ei: take(eLen), SK_er: take(eLen),
    SK_pi: take(prfLen), SK_pr: take(prfLen),
  };
}

/** Child SA KEYMAT (§2.17): prf+(SK_d, [g^ir (new) |] Ni | Nr) = encr_i | integ_i | encr_r | integ_r. */
export function deriveChildKeys(suite, { prfId, SK_d, Ni, Nr, gir }) {
  const eLen = encrKeyLen(suite), aLen = suite.integId ? INTEG[suite.integId].keyLen : 0;
  const KEYMAT = prfPlus(prfId, SK_d, Buffer.concat([gir ?? Buffer.alloc(0), Ni, Nr]), 2 * eLen + 2 * aLen);
  let o = 0;
  const take = (n) => KEYMAT.subarray(o, (o += n));
  return { KEYMAT, encr_i: take(eLen), integ_i: take(aLen), encr_r: take(eLen), integ_r: take(aLen) };
}

function aesName(bits, mode) { return `aes-${bits}-${mode}`; }

/**
 * Decrypts and authenticates the SK or SKF payload of msg with the sender's keys { SK_e, SK_a }.
 * Returns { payloads, innerFirst, fragment?: { number, total }, plaintext }. Throws if the ICV fails.
 */
export function decryptSK(msg, suite, keys) {
  const hdr = parseHeader(msg);
  const chain = walkPayloads(msg, hdr.nextPayload, 28);
  const sk = chain.at(-1);
  if (!sk || (sk.type !== 46 && sk.type !== 53)) return null;
  const e = ENCR[suite.encrId];
  const fixed = sk.type === 53 ? 4 : 0; // SKF: Fragment Number, Total Fragments (RFC 7383 §2.5)
  const ivStart = sk.start + 4 + fixed;
  const end = sk.start + 4 + sk.body.length;
  const icvLen = e.aead ? e.icvLen : INTEG[suite.integId].icvLen;
  const iv = msg.subarray(ivStart, ivStart + e.ivLen);
  const ct = msg.subarray(ivStart + e.ivLen, end - icvLen);
  const icv = msg.subarray(end - icvLen, end);
  let pt;
  if (e.aead) {
    const key = keys.SK_e.subarray(0, keys.SK_e.length - 4), salt = keys.SK_e.subarray(-4);
    const d = createDecipheriv(aesName(key.length * 8, "gcm"), key, Buffer.concat([salt, iv]), { authTagLength: icvLen });
    d.setAAD(msg.subarray(0, ivStart));
    d.setAuthTag(icv);
    pt = Buffer.concat([d.update(ct), d.final()]);
  } else {
    const mac = createHmac(INTEG[suite.integId].hash, keys.SK_a).update(msg.subarray(0, end - icvLen)).digest().subarray(0, icvLen);
    if (!mac.equals(icv)) throw new Error("integrity check failed");
    const d = createDecipheriv(aesName(keys.SK_e.length * 8, "cbc"), keys.SK_e, iv);
    d.setAutoPadding(false);
    pt = Buffer.concat([d.update(ct), d.final()]);
  }
  const padLen = pt[pt.length - 1];
  const plaintext = pt.subarray(0, pt.length - 1 - padLen);
  const out = { innerFirst: msg[sk.start], plaintext };
  if (sk.type === 53) out.fragment = { number: msg.readUInt16BE(sk.start + 4), total: msg.readUInt16BE(sk.start + 6) };
  return out;
}

/** Decrypts and authenticates one ESP packet (RFC 4303; AES-GCM per RFC 4106) with one direction's keys. */
export function decryptEsp(pkt, suite, { encr, integ }) {
  const e = ENCR[suite.encrId];
  const icvLen = e.aead ? e.icvLen : INTEG[suite.integId].icvLen;
  const iv = pkt.subarray(8, 8 + e.ivLen), ct = pkt.subarray(8 + e.ivLen, pkt.length - icvLen), icv = pkt.subarray(pkt.length - icvLen);
  let pt;
  if (e.aead) {
    const key = encr.subarray(0, encr.length - 4), salt = encr.subarray(-4);
    const d = createDecipheriv(aesName(key.length * 8, "gcm"), key, Buffer.concat([salt, iv]), { authTagLength: icvLen });
    d.setAAD(pkt.subarray(0, 8)); // SPI | Sequence Number (no ESN)
    d.setAuthTag(icv);
    pt = Buffer.concat([d.update(ct), d.final()]);
  } else {
    const mac = createHmac(INTEG[suite.integId].hash, integ).update(pkt.subarray(0, pkt.length - icvLen)).digest().subarray(0, icvLen);
    if (!mac.equals(icv)) throw new Error("ESP integrity check failed");
    const d = createDecipheriv(aesName(encr.length * 8, "cbc"), encr, iv);
    d.setAutoPadding(false);
    pt = Buffer.concat([d.update(ct), d.final()]);
  }
  const nextHeader = pt[pt.length - 1], padLen = pt[pt.length - 2];
  return { nextHeader, inner: pt.subarray(0, pt.length - 2 - padLen) };
}

/**
 * PSK AUTH (§2.15): prf(prf(PSK, "Key Pad for IKEv2"), <signed octets>), where the signed octets
 * are the sender's IKE_SA_INIT message | the peer's nonce | prf(SK_p, ID payload body).
 */
export function pskAuth(prfId, psk, { initSaMessage, peerNonce, SK_p, idBody }) {
  const macedId = prf(prfId, SK_p, idBody);
  const octets = Buffer.concat([initSaMessage, peerNonce, macedId]);
  return prf(prfId, prf(prfId, Buffer.from(psk), Buffer.from("Key Pad for IKEv2")), octets);
}
