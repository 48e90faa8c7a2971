// Wireshark as an independent judge of what skeyseed puts on the wire: whole conversations built with our
// encoder (ts/wire), key derivation (ts/crypto/keymat.ts) and SK sealer (ts/crypto/sk.ts) for
// aes128gcm16-prfsha256 and aes256-sha256, written to a pcap (UDP 500, then 4500 with the non-ESP marker,
// RFC 3948), and dissected by tshark with our keys in its ikev2_decryption_table. tshark must find no
// malformed packet and no expert warning, decrypt every SK/SKF payload to our exact plaintext, and report
// every integrity checksum correct. Needs tshark: `bash scripts/install-interop-deps.sh` installs it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, toHex } from "../lib/harness.ts";
import { createNativeProvider } from "../../ts/crypto/native/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import type { CryptoProvider, KeyShare, RandomSource } from "../../ts/crypto/types.ts";
import {
  deriveIkeKeys, deriveRekeyedIkeKeys, pskAuth, resolveIkeSuite, signedOctets, type IkeKeys, type IkeSuite,
} from "../../ts/crypto/keymat.ts";
import { sealFragments, SkOpener, SkSealer, type SkDirectionKeys } from "../../ts/crypto/sk.ts";
import {
  auth, AuthMethod, decodeMessage, decodePayloadChain, deletePayload, encodeMessage, encodeMessageDetailed,
  encodePayloadBody, encodePayloadChain, ExchangeType, idi, IdType, idr, ke, nonce, notify, NotifyType, PayloadType,
  proposal, ProtocolId, sa, sk, skf, transform, TransformType, tsi, tsIpv4, tsr, type IkeHeaderFields, type Payload,
} from "../../ts/wire/index.ts";
import { writePcap, type Datagram } from "./pcap-write.ts";
// @ts-ignore: plain JS test tooling shared with the fixture recorder
import { run } from "../interop/lab.mjs";
// @ts-ignore: plain JS test tooling (the fixtures' pcap reader)
import { readPcap } from "../interop/pcap.mjs";

interface Suite {
  name: string;
  encr: number; bits: number; prf: number; integ?: number; ke: number;
  /** Wireshark's names (its IKEv2 decryption table UAT, as in the fixtures' wireshark/ikev2_decryption_table). */
  wsEncr: string; wsInteg: string;
  /** Send the IKE_AUTH request as SKF fragments of at most this many octets (RFC 7383). */
  fragmentAuthAt?: number;
}

const SUITES: Suite[] = [
  { name: "aes128gcm16-prfsha256-ecp256", encr: 20, bits: 128, prf: 5, ke: 19, wsEncr: "AES-GCM-128 with 16 octet ICV [RFC5282]", wsInteg: "NONE [RFC4306]", fragmentAuthAt: 200 },
  { name: "aes256-sha256-ecp256", encr: 12, bits: 256, prf: 5, integ: 12, ke: 19, wsEncr: "AES-CBC-256 [RFC3602]", wsInteg: "HMAC_SHA2_256_128 [RFC4868]" },
  { name: "aes256-sha256-ecp256 (fragmented)", encr: 12, bits: 256, prf: 5, integ: 12, ke: 19, wsEncr: "AES-CBC-256 [RFC3602]", wsInteg: "HMAC_SHA2_256_128 [RFC4868]", fragmentAuthAt: 160 },
];

const INITIATOR = { addr: "198.18.0.1", id: "moon.example", tunnel: [198, 19, 1, 1] };
const RESPONDER = { addr: "198.18.0.2", id: "sun.example", tunnel: [198, 19, 2, 1] };
const PSK = new TextEncoder().encode("skeyseed tshark test psk");

/** What we expect tshark to show for one frame. */
interface Expect {
  what: string; suite: string;
  /** The SK/SKF plaintext tshark must show (payloads, padding, Pad Length); absent for IKE_SA_INIT. */
  plaintext?: Uint8Array;
  /** On the last SKF fragment: the length of the whole payload chain tshark must reassemble (RFC 7383 §2.6). */
  reassembled?: number;
}

/** Collects the datagrams of every conversation and what tshark should see in each frame. */
class Capture {
  readonly datagrams: Datagram[] = [];
  readonly expect: Expect[] = [];
  readonly tableRows: string[] = [];

  add(suite: string, what: string, fromInitiator: boolean, natT: boolean, bytes: Uint8Array, plaintext?: Uint8Array, reassembled?: number): void {
    const [a, b] = fromInitiator ? [INITIATOR, RESPONDER] : [RESPONDER, INITIATOR];
    const port = natT ? 4500 : 500;
    // RFC 3948 §2.2: on port 4500 an IKE message follows four zero octets (the non-ESP marker).
    const payload = natT ? new Uint8Array([0, 0, 0, 0, ...bytes]) : bytes;
    this.datagrams.push({ src: a.addr, dst: b.addr, sport: port, dport: port, payload });
    this.expect.push({ what, suite, plaintext, reassembled });
  }
}

/** The SK plaintext as tshark's "Decrypted Data" shows it: payloads, our zero padding, Pad Length (§3.14). */
function paddedPlaintext(bytes: Uint8Array, skOffset: number, hdrLen: number, sealer: SkSealer, inner: Uint8Array): Uint8Array {
  const payloadLen = (bytes[skOffset + 2] << 8) | bytes[skOffset + 3];
  const plainLen = payloadLen - hdrLen - sealer.ivLen - sealer.icvLen;
  const out = new Uint8Array(plainLen);
  out.set(inner);
  out[plainLen - 1] = plainLen - inner.length - 1;
  return out;
}

/** One IKE SA's message protection in both directions, plus openers to check our own output first. */
class Protection {
  readonly sealI: SkSealer; readonly sealR: SkSealer; readonly openI: SkOpener; readonly openR: SkOpener;
  constructor(readonly suite: IkeSuite, readonly keys: IkeKeys, random: RandomSource) {
    const dir = (e: Uint8Array, a: Uint8Array): SkDirectionKeys =>
      suite.integ ? { encr: suite.encr, encrKey: e, integ: suite.integ, integKey: a } : { encr: suite.encr, encrKey: e };
    const fromI = dir(keys.sk_ei, keys.sk_ai), fromR = dir(keys.sk_er, keys.sk_ar);
    this.sealI = new SkSealer(fromI, random); this.sealR = new SkSealer(fromR, random);
    this.openI = new SkOpener(fromI); this.openR = new SkOpener(fromR);
  }
}

/**
 * Encodes `inner` into an SK payload with the wire encoder's layout, seals it, and checks the result
 * against our own decoder and opener before tshark sees it.
 */
function protect(prot: Protection, header: IkeHeaderFields, inner: Payload[]): { bytes: Uint8Array; plaintext: Uint8Array } {
  const sealer = header.initiator ? prot.sealI : prot.sealR;
  const chain = encodePayloadChain(inner);
  const layout = encodeMessageDetailed({ header, payloads: [sk(chain.firstType, new Uint8Array(chain.bytes.length + sealer.overhead(chain.bytes.length) - 4))] });
  const enc = layout.encrypted!;
  const bytes = sealer.seal(layout.bytes.subarray(0, enc.headerOffset), chain.firstType, chain.bytes);
  // The sealer writes the same header, SK header and lengths as the encoder would.
  assert.equal(bytes.length, layout.bytes.length);
  assert.equal(toHex(bytes.subarray(0, enc.bodyOffset)), toHex(layout.bytes.subarray(0, enc.bodyOffset)));
  const d = decodeMessage(bytes);
  const opened = (header.initiator ? prot.openI : prot.openR).open(bytes, d.encrypted!.headerOffset)!;
  assert.ok(opened, "our opener opens our sealer's message");
  assert.equal(toHex(encodePayloadChain(decodePayloadChain(opened.firstInner, opened.inner).payloads).bytes), toHex(chain.bytes));
  return { bytes, plaintext: paddedPlaintext(bytes, enc.headerOffset, 4, sealer, chain.bytes) };
}

/** The same, as SKF fragments of at most `max` octets (RFC 7383 §2.5). */
function protectFragments(prot: Protection, header: IkeHeaderFields, inner: Payload[], max: number): { bytes: Uint8Array; plaintext: Uint8Array }[] {
  const sealer = header.initiator ? prot.sealI : prot.sealR;
  const chain = encodePayloadChain(inner);
  const layout = encodeMessageDetailed({ header, payloads: [skf(1, 1, chain.firstType, new Uint8Array(0))] });
  const prefix = layout.bytes.subarray(0, layout.encrypted!.headerOffset);
  const frags = sealFragments(sealer, prefix, chain.firstType, chain.bytes, max);
  assert.ok(frags.length > 1, `the message is split (${chain.bytes.length} bytes at ${max})`);
  let offset = 0;
  return frags.map((bytes, i) => {
    assert.ok(bytes.length <= max);
    const d = decodeMessage(bytes);
    assert.equal(d.payloads[0].type, PayloadType.SKF);
    const opened = (header.initiator ? prot.openI : prot.openR).open(bytes, d.encrypted!.headerOffset, PayloadType.SKF)!;
    assert.deepEqual(opened.fragment, { number: i + 1, total: frags.length });
    const chunk = chain.bytes.subarray(offset, offset + opened.inner.length);
    assert.equal(toHex(opened.inner), toHex(chunk));
    offset += chunk.length;
    return { bytes, plaintext: paddedPlaintext(bytes, d.encrypted!.headerOffset, 8, sealer, chunk) };
  });
}

/** RFC 7296 §2.23: SHA-1(SPIi | SPIr | IP | Port). */
function natHash(p: CryptoProvider, spiI: Uint8Array, spiR: Uint8Array, ip: string, port: number): Uint8Array {
  return p.hash("sha1", new Uint8Array([...spiI, ...spiR, ...ip.split(".").map(Number), port >> 8, port & 0xff]));
}

/** One whole conversation for `s`: setup, Child SA rekey with PFS, Delete, Notify, IKE SA rekey, Deletes. */
function converse(cap: Capture, s: Suite, seed: number): void {
  const random = seededRandom(seed);
  const p = createNativeProvider({ random });
  const bytes = (n: number) => { const b = new Uint8Array(n); random(b); return b; };
  const suite = resolveIkeSuite(p, { encr: s.encr, encrKeyBits: s.bits, prf: s.prf, integ: s.integ });
  const ikeTransforms = [
    transform(TransformType.ENCR, s.encr, s.bits), transform(TransformType.PRF, s.prf),
    ...(s.integ ? [transform(TransformType.INTEG, s.integ)] : []), transform(TransformType.KE, s.ke),
  ];
  const espTransforms = (pfs: boolean) => [
    transform(TransformType.ENCR, s.encr, s.bits), ...(s.integ ? [transform(TransformType.INTEG, s.integ)] : []),
    ...(pfs ? [transform(TransformType.KE, s.ke)] : []), transform(TransformType.ESN, 0),
  ];
  const selectors = () => [tsi(tsIpv4(new Uint8Array(INITIATOR.tunnel), new Uint8Array(INITIATOR.tunnel))),
    tsr(tsIpv4(new Uint8Array(RESPONDER.tunnel), new Uint8Array(RESPONDER.tunnel)))];
  const share = (): KeyShare => p.ke(s.ke).generate();
  const shared = (a: KeyShare, b: KeyShare) => {
    const g = a.computeShared(b.publicValue);
    assert.equal(toHex(b.computeShared(a.publicValue)), toHex(g), "both sides compute the same g^ir");
    return g;
  };
  const hdr = (spiI: Uint8Array, spiR: Uint8Array, exchangeType: number, messageId: number, initiator: boolean, response: boolean): IkeHeaderFields =>
    ({ spiI, spiR, exchangeType, messageId, initiator, response });

  // IKE_SA_INIT (§1.2), on port 500.
  const spiI = bytes(8), spiR = bytes(8), zero = new Uint8Array(8);
  const ni = bytes(32), nr = bytes(32);
  const kei = share(), ker = share();
  const msg1 = encodeMessage({
    header: hdr(spiI, zero, ExchangeType.IKE_SA_INIT, 0, true, false),
    payloads: [sa(proposal(1, ProtocolId.IKE, ikeTransforms)), ke(s.ke, kei.publicValue), nonce(ni),
      notify(NotifyType.NAT_DETECTION_SOURCE_IP, natHash(p, spiI, zero, INITIATOR.addr, 500)),
      notify(NotifyType.NAT_DETECTION_DESTINATION_IP, natHash(p, spiI, zero, RESPONDER.addr, 500)),
      notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED)],
  });
  cap.add(s.name, "IKE_SA_INIT request", true, false, msg1);
  const msg2 = encodeMessage({
    header: hdr(spiI, spiR, ExchangeType.IKE_SA_INIT, 0, false, true),
    payloads: [sa(proposal(1, ProtocolId.IKE, ikeTransforms)), ke(s.ke, ker.publicValue), nonce(nr),
      notify(NotifyType.NAT_DETECTION_SOURCE_IP, natHash(p, spiI, spiR, RESPONDER.addr, 500)),
      notify(NotifyType.NAT_DETECTION_DESTINATION_IP, natHash(p, spiI, spiR, INITIATOR.addr, 500)),
      notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED)],
  });
  cap.add(s.name, "IKE_SA_INIT response", false, false, msg2);
  const keys = deriveIkeKeys(suite, ni, nr, shared(kei, ker), spiI, spiR);
  const ike1 = new Protection(suite, keys, random);
  const row = (k: IkeKeys, i: Uint8Array, r: Uint8Array) =>
    `${toHex(i)},${toHex(r)},${toHex(k.sk_ei)},${toHex(k.sk_er)},"${s.wsEncr}",${toHex(k.sk_ai)},${toHex(k.sk_ar)},"${s.wsInteg}"`;
  cap.tableRows.push(row(keys, spiI, spiR));
  const send = (prot: Protection, what: string, h: IkeHeaderFields, inner: Payload[]) => {
    const m = protect(prot, h, inner);
    cap.add(s.name, what, h.initiator, true, m.bytes, m.plaintext);
  };

  // IKE_AUTH with PSK (§2.15), on port 4500 from here on (NAT-T, as strongSwan's kernel-libipsec does).
  const idI = idi(IdType.ID_FQDN, new TextEncoder().encode(INITIATOR.id)), idR = idr(IdType.ID_FQDN, new TextEncoder().encode(RESPONDER.id));
  const authI = pskAuth(suite.prf, PSK, signedOctets(suite.prf, msg1, nr, keys.sk_pi, encodePayloadBody(idI)));
  const authR = pskAuth(suite.prf, PSK, signedOctets(suite.prf, msg2, ni, keys.sk_pr, encodePayloadBody(idR)));
  const childI = bytes(4), childR = bytes(4);
  const authReq: Payload[] = [idI, notify(NotifyType.INITIAL_CONTACT), idR, auth(AuthMethod.SHARED_KEY_MIC, authI),
    sa(proposal(1, ProtocolId.ESP, espTransforms(false), childI)), ...selectors()];
  const h3 = hdr(spiI, spiR, ExchangeType.IKE_AUTH, 1, true, false);
  if (s.fragmentAuthAt) {
    const frags = protectFragments(ike1, h3, authReq, s.fragmentAuthAt);
    frags.forEach((f, i) => cap.add(s.name, `IKE_AUTH request, fragment ${i + 1}/${frags.length}`, true, true, f.bytes, f.plaintext,
      i === frags.length - 1 ? encodePayloadChain(authReq).bytes.length : undefined));
  } else send(ike1, "IKE_AUTH request", h3, authReq);
  send(ike1, "IKE_AUTH response", hdr(spiI, spiR, ExchangeType.IKE_AUTH, 1, false, true),
    [idR, auth(AuthMethod.SHARED_KEY_MIC, authR), sa(proposal(1, ProtocolId.ESP, espTransforms(false), childR)), ...selectors()]);

  // CREATE_CHILD_SA rekeying the Child SA with PFS (§1.3.3).
  const child2I = bytes(4), child2R = bytes(4), kci = share(), kcr = share();
  send(ike1, "CREATE_CHILD_SA request (rekey Child SA)", hdr(spiI, spiR, ExchangeType.CREATE_CHILD_SA, 2, true, false),
    [notify(NotifyType.REKEY_SA, new Uint8Array(0), { protocolId: ProtocolId.ESP, spi: childI }),
      sa(proposal(1, ProtocolId.ESP, espTransforms(true), child2I)), nonce(bytes(32)), ke(s.ke, kci.publicValue), ...selectors()]);
  send(ike1, "CREATE_CHILD_SA response (rekey Child SA)", hdr(spiI, spiR, ExchangeType.CREATE_CHILD_SA, 2, false, true),
    [sa(proposal(1, ProtocolId.ESP, espTransforms(true), child2R)), nonce(bytes(32)), ke(s.ke, kcr.publicValue), ...selectors()]);
  shared(kci, kcr);

  // INFORMATIONAL: Delete of the old Child SA (§1.4.1), then Notify payloads.
  send(ike1, "INFORMATIONAL request (Delete ESP)", hdr(spiI, spiR, ExchangeType.INFORMATIONAL, 3, true, false), [deletePayload(ProtocolId.ESP, [childI])]);
  send(ike1, "INFORMATIONAL response (Delete ESP)", hdr(spiI, spiR, ExchangeType.INFORMATIONAL, 3, false, true), [deletePayload(ProtocolId.ESP, [childR])]);
  const cookie2 = bytes(16);
  send(ike1, "INFORMATIONAL request (Notify)", hdr(spiI, spiR, ExchangeType.INFORMATIONAL, 4, true, false),
    [notify(NotifyType.UPDATE_SA_ADDRESSES), notify(NotifyType.COOKIE2, cookie2)]);
  send(ike1, "INFORMATIONAL response (Notify)", hdr(spiI, spiR, ExchangeType.INFORMATIONAL, 4, false, true), [notify(NotifyType.COOKIE2, cookie2)]);

  // CREATE_CHILD_SA rekeying the IKE SA (§1.3.2, keys per §2.18), then the old one is deleted.
  const spiI2 = bytes(8), spiR2 = bytes(8), ni2 = bytes(32), nr2 = bytes(32), kii = share(), kir = share();
  send(ike1, "CREATE_CHILD_SA request (rekey IKE SA)", hdr(spiI, spiR, ExchangeType.CREATE_CHILD_SA, 5, true, false),
    [sa(proposal(1, ProtocolId.IKE, ikeTransforms, spiI2)), nonce(ni2), ke(s.ke, kii.publicValue)]);
  send(ike1, "CREATE_CHILD_SA response (rekey IKE SA)", hdr(spiI, spiR, ExchangeType.CREATE_CHILD_SA, 5, false, true),
    [sa(proposal(1, ProtocolId.IKE, ikeTransforms, spiR2)), nonce(nr2), ke(s.ke, kir.publicValue)]);
  const keys2 = deriveRekeyedIkeKeys(suite.prf, keys.sk_d, suite, shared(kii, kir), ni2, nr2, spiI2, spiR2);
  const ike2 = new Protection(suite, keys2, random);
  cap.tableRows.push(row(keys2, spiI2, spiR2));
  send(ike1, "INFORMATIONAL request (Delete IKE, old SA)", hdr(spiI, spiR, ExchangeType.INFORMATIONAL, 6, true, false), [deletePayload(ProtocolId.IKE)]);
  send(ike1, "INFORMATIONAL response (empty, old SA)", hdr(spiI, spiR, ExchangeType.INFORMATIONAL, 6, false, true), []);

  // On the new IKE SA Message IDs restart at 0, and whoever started the rekey is its original initiator (§2.18).
  send(ike2, "INFORMATIONAL request (Delete ESP, new SA)", hdr(spiI2, spiR2, ExchangeType.INFORMATIONAL, 0, true, false), [deletePayload(ProtocolId.ESP, [child2I])]);
  send(ike2, "INFORMATIONAL response (Delete ESP, new SA)", hdr(spiI2, spiR2, ExchangeType.INFORMATIONAL, 0, false, true), [deletePayload(ProtocolId.ESP, [child2R])]);
  send(ike2, "INFORMATIONAL request (Delete IKE, new SA)", hdr(spiI2, spiR2, ExchangeType.INFORMATIONAL, 1, true, false), [deletePayload(ProtocolId.IKE)]);
  send(ike2, "INFORMATIONAL response (empty, new SA)", hdr(spiI2, spiR2, ExchangeType.INFORMATIONAL, 1, false, true), []);
}

/** Fails, saying how to get tshark, when it is not installed: CI installs it, so a skip would hide a gap. */
async function tsharkVersion(): Promise<string> {
  try {
    return (await run(["tshark", "-v"])).stdout.split("\n")[0];
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") {
      throw new Error("TSHARK MISSING: tshark is not installed, so skeyseed's messages cannot be checked against Wireshark. " +
        "`bash scripts/install-interop-deps.sh` installs it (CI does).");
    }
    throw e;
  }
}

/** Every key in a tshark JSON tree, with its value. */
function* entries(node: unknown): Generator<[string, unknown]> {
  if (!node || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) { yield [k, v]; yield* entries(v); }
}

/** The hex bytes of a `<field>_raw` value from `tshark -x -T json` ([hex, offset, length, bitmask, type] or a list of those). */
function rawHex(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return Array.isArray(v[0]) ? (v as unknown[][]).map((x) => String(x[0])) : [String(v[0])];
}

test("tshark: IKEv2 messages from skeyseed's encoder and sealer dissect cleanly, decrypt and authenticate in Wireshark", async () => {
  const version = await tsharkVersion();
  const cap = new Capture();
  SUITES.forEach((s, i) => converse(cap, s, 1000 + i));
  const pcap = writePcap(cap.datagrams);
  // Our pcap reads back with the fixture tooling's reader.
  const back = readPcap(Buffer.from(pcap));
  assert.equal(back.length, cap.datagrams.length);
  assert.deepEqual(back.map((d: { src: string }) => d.src), cap.datagrams.map((d) => `${d.src}:${d.sport}`));

  const dir = mkdtempSync(join(tmpdir(), "skeyseed-tshark-"));
  try {
    const file = join(dir, "skeyseed.pcap");
    writeFileSync(file, pcap);
    writeFileSync(join(dir, "ikev2_decryption_table"), cap.tableRows.join("\n") + "\n");
    const env = { WIRESHARK_CONFIG_DIR: dir, HOME: dir };
    const [json, pdml] = await Promise.all([
      run(["tshark", "-r", file, "-T", "json", "-x", "--no-duplicate-keys"], { env, timeoutMs: 60_000 }),
      run(["tshark", "-r", file, "-T", "pdml"], { env, timeoutMs: 60_000 }),
    ]);
    const packets = JSON.parse(json.stdout) as { _source: { layers: Record<string, unknown> } }[];
    assert.equal(packets.length, cap.expect.length, `${version} read every frame`);
    const pdmlPackets = pdml.stdout.split("<packet>").slice(1);
    assert.equal(pdmlPackets.length, cap.expect.length);

    const problems: string[] = [];
    let decrypted = 0, correct = 0, protectedFrames = 0, fragmentSets = 0;
    packets.forEach((pkt, i) => {
      const e = cap.expect[i];
      const where = `frame ${i + 1} (${e.suite}: ${e.what})`;
      const layers = pkt._source.layers;
      if (!layers.isakmp) problems.push(`${where}: not dissected as ISAKMP`);
      const all = [...entries(layers)];
      for (const [k, v] of all) {
        if (k === "_ws.malformed" || k.startsWith("_ws.malformed.")) problems.push(`${where}: malformed packet`);
        if (k === "_ws.expert.message") problems.push(`${where}: expert info: ${String(v)}`);
        if (k === "isakmp.ikev2.integrity_checksum") problems.push(`${where}: integrity checksum incorrect`);
      }
      const decryptedRaw = all.filter(([k]) => k === "isakmp.enc.decrypted_raw").flatMap(([, v]) => rawHex(v));
      const icd = [...pdmlPackets[i].matchAll(/<field name="isakmp\.enc\.icd" showname="([^"]*)"/g)].map((m) => m[1]);
      if (!e.plaintext) {
        if (decryptedRaw.length || icd.length) problems.push(`${where}: unexpected encrypted payload`);
        return;
      }
      protectedFrames++;
      if (decryptedRaw.length !== 1) problems.push(`${where}: tshark decrypted ${decryptedRaw.length} SK payloads`);
      else if (decryptedRaw[0] !== toHex(e.plaintext)) problems.push(`${where}: tshark's plaintext ${decryptedRaw[0]} differs from ours ${toHex(e.plaintext)}`);
      else decrypted++;
      if (icd.length === 1 && icd[0].endsWith("[correct]")) correct++;
      else problems.push(`${where}: integrity checksum shown as ${JSON.stringify(icd)}`);
      const reassembled = all.filter(([k]) => k === "isakmp.reassembled.length").map(([, v]) => Number(v));
      if (e.reassembled !== undefined) {
        if (reassembled[0] !== e.reassembled) problems.push(`${where}: tshark reassembled ${JSON.stringify(reassembled)} bytes, we sent ${e.reassembled}`);
        else fragmentSets++;
      }
    });
    assert.deepEqual([...new Set(problems)], [], `${version} found problems:\n  ${[...new Set(problems)].join("\n  ")}`);
    assert.equal(decrypted, protectedFrames);
    assert.equal(correct, protectedFrames);
    assert.equal(fragmentSets, SUITES.filter((s) => s.fragmentAuthAt).length, "every fragment set was reassembled");
    assert.ok(protectedFrames >= 3 * 16, `${protectedFrames} protected frames checked`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeoutMs: 60_000 });
