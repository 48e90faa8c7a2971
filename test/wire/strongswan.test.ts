// ts/wire against every IKE message strongSwan 5.9.8 sent in the recorded scenarios
// (test/fixtures/strongswan/*): each datagram decodes; IKE_SA_INIT re-encodes to the same bytes; each
// SK/SKF payload, opened with the logged keys (ts/crypto/sk.ts), holds a payload chain that decodes to
// the payloads the recorder saw and re-encodes byte for byte (RFC 7296 §3, RFC 7383 §2.5).
import assert from "node:assert/strict";
import { test, toHex } from "../lib/harness.ts";
import { createNativeProvider } from "../../ts/crypto/native/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import type { CryptoProvider } from "../../ts/crypto/types.ts";
import { FragmentReassembler, SkOpener } from "../../ts/crypto/sk.ts";
import {
  decodeMessage, decodePayloadChain, encodeMessage, encodePayloadChain, ExchangeType, NotifyType, PayloadType, ProtocolId,
  type DecodedMessage, type Payload,
} from "../../ts/wire/index.ts";
import {
  bytesOf, findEncrypted, firstInnerOf, fixtures, ikeSaOf, plaintextOf, SCENARIOS, senderKeys, walkChain, type Algorithms,
  type Fixture, type FixtureMessage,
} from "../crypto/strongswan-keys.ts";
import { ENCR, INTEG, KE, PRF } from "../../ts/crypto/types.ts";
import type { IdPayload, NoncePayload, SaPayload, TsPayload, KePayload, NotifyPayload } from "../../ts/wire/index.ts";

let p: CryptoProvider | undefined;
const provider = () => (p ??= createNativeProvider({ random: seededRandom(1) }));
const fixture = (name: string): Fixture => fixtures().find((f) => f.name === name)!;

/** The recorder's names for payload types (test/interop/ikev2-wire.mjs PAYLOAD). */
const TYPE_OF: Record<string, number> = {
  SA: PayloadType.SA, KE: PayloadType.KE, IDi: PayloadType.IDi, IDr: PayloadType.IDr, CERT: PayloadType.CERT,
  CERTREQ: PayloadType.CERTREQ, AUTH: PayloadType.AUTH, Nonce: PayloadType.NONCE, N: PayloadType.N, D: PayloadType.D,
  V: PayloadType.V, TSi: PayloadType.TSi, TSr: PayloadType.TSr, CP: PayloadType.CP, EAP: PayloadType.EAP,
};

/** Checks decoded payloads against the recorder's summary: 'SA', { type: 'N', notify }, { type: 'D', protocol }. */
function assertSummary(where: string, payloads: Payload[], summary: unknown[]): void {
  assert.equal(payloads.length, summary.length, `${where}: payload count`);
  summary.forEach((s, i) => {
    const got = payloads[i];
    const what = `${where}: payload ${i + 1}`;
    if (typeof s === "string") { assert.equal(got.type, TYPE_OF[s], `${what} is ${s}`); return; }
    const o = s as { type: string; notify?: number | string; protocol?: string };
    assert.equal(got.type, TYPE_OF[o.type], `${what} is ${o.type}`);
    if (o.notify !== undefined && got.type === PayloadType.N) {
      const want = typeof o.notify === "number" ? o.notify : (NotifyType as Record<string, number>)[o.notify];
      assert.equal(got.notifyType, want, `${what}: notify type`);
    }
    if (o.protocol !== undefined && got.type === PayloadType.D) {
      assert.equal(got.protocolId, (ProtocolId as Record<string, number>)[o.protocol], `${what}: protocol`);
    }
  });
}

function assertHeader(where: string, d: DecodedMessage, m: FixtureMessage): void {
  const h = d.header;
  assert.equal(toHex(h.spiI), m.SPIi, `${where}: SPIi`);
  assert.equal(toHex(h.spiR), m.SPIr, `${where}: SPIr`);
  assert.equal(h.exchangeType, (ExchangeType as Record<string, number>)[m.exchange], `${where}: exchange type`);
  assert.equal(h.response, m.response, `${where}: R flag`);
  assert.equal(h.messageId, m.messageId, `${where}: Message ID`);
  assert.equal(h.majorVersion, 2);
  assert.equal(h.minorVersion, 0);
}

for (const name of SCENARIOS) {
  test(`wire ${name}: every recorded IKE message decodes; IKE_SA_INIT re-encodes to the datagram as sent`, () => {
    const f = fixture(name);
    let init = 0;
    for (const m of f.messages) {
      const bytes = bytesOf(m);
      const where = `${name} message ${m.i} (${m.exchange}${m.response ? " response" : ""})`;
      const d = decodeMessage(bytes);
      assertHeader(where, d, m);
      assert.equal(d.header.length, bytes.length);
      // Spans agree with a plain walk of the generic headers.
      if (d.encrypted) assert.equal(d.encrypted.headerOffset, findEncrypted(bytes)!.offset);
      else assert.deepEqual(d.spans.map((s) => [s.type, s.offset]), walkChain(bytes[16], bytes.subarray(28)).map((w) => [w.type, w.offset + 28]));
      // Every message, protected or not, re-encodes to the same bytes (SK/SKF bodies stay opaque).
      assert.equal(toHex(encodeMessage({ header: d.header, payloads: d.payloads })), m.udpPayloadHex, `${where}: re-encoded`);
      if (m.decryptedHex === undefined) {
        assert.equal(d.encrypted, undefined, `${where}: no SK payload`);
        assertSummary(where, d.payloads, m.payloads!);
        init++;
      } else {
        assert.ok(d.encrypted, `${where}: SK or SKF`);
        assert.equal(d.payloads.length, 1, `${where}: strongSwan sends SK/SKF alone`);
        const sk = d.payloads[0];
        assert.equal(sk.type, m.fragment ? PayloadType.SKF : PayloadType.SK);
        assert.equal(d.encrypted.headerOffset, 28);
        assert.equal(d.encrypted.bodyOffset, m.fragment ? 36 : 32);
        assert.equal(d.encrypted.bodyOffset + d.encrypted.bodyLength, bytes.length);
        if (sk.type === PayloadType.SKF) {
          assert.deepEqual({ number: sk.fragmentNumber, total: sk.totalFragments }, m.fragment);
          if (sk.fragmentNumber > 1) assert.equal(sk.firstInner, 0);
        }
      }
    }
    assert.equal(init, 2);
  });

  test(`wire ${name}: every decrypted payload chain decodes to what strongSwan sent and re-encodes byte for byte`, () => {
    const f = fixture(name);
    const reassemblers = new Map<string, FragmentReassembler>();
    let chains = 0, payloadCount = 0;
    for (const m of f.messages) {
      if (m.decryptedHex === undefined) continue;
      const bytes = bytesOf(m);
      const where = `${name} message ${m.i} (${m.exchange}${m.response ? " response" : ""})`;
      const d = decodeMessage(bytes);
      const opener = new SkOpener(senderKeys(provider(), ikeSaOf(f, m), bytes));
      const opened = opener.open(bytes, d.encrypted!.headerOffset, d.encrypted!.type);
      assert.ok(opened, `${where}: opens`);
      let firstInner = opened.firstInner, inner = opened.inner;
      if (opened.fragment) {
        const key = `${m.SPIi}_${m.SPIr}_${m.dir}`;
        if (!reassemblers.has(key)) reassemblers.set(key, new FragmentReassembler());
        const r = reassemblers.get(key)!.add(m.messageId, opened, 0);
        if (r.kind === "pending") { assert.equal(m.payloads, undefined, `${where}: more fragments follow`); continue; }
        assert.equal(r.kind, "complete", `${where}: the last fragment completes the set`);
        if (r.kind !== "complete") continue;
        firstInner = r.firstInner; inner = r.inner;
      }
      // The SK plaintext minus padding is exactly the recorded one (the whole set for fragments).
      assert.equal(toHex(inner), toHex(plaintextOf(f, m)!), `${where}: plaintext`);
      const chain = decodePayloadChain(firstInner, inner);
      assertSummary(where, chain.payloads, m.payloads!);
      const again = encodePayloadChain(chain.payloads);
      assert.equal(again.firstType, firstInner, `${where}: first inner payload type`);
      assert.equal(toHex(again.bytes), toHex(inner), `${where}: inner payloads re-encoded`);
      chains++;
      payloadCount += chain.payloads.length;
    }
    assert.equal(chains, f.messages.filter((m) => m.payloads !== undefined && m.decryptedHex !== undefined).length);
    assert.ok(payloadCount > 20, `${name}: ${payloadCount} inner payloads checked`);
  });
}

/** The payloads of the exchange message at fixture index `i` (for fragments: of the whole reassembled message). */
function payloadsAt(f: Fixture, i: number): Payload[] {
  const m = f.messages.find((x) => x.payloads !== undefined && (x.i === i || x.reassembledFrom?.includes(i)));
  if (!m) throw new Error(`${f.name}: no complete message at index ${i}`);
  if (m.decryptedHex === undefined) return decodeMessage(bytesOf(m)).payloads;
  return decodePayloadChain(firstInnerOf(f, m), plaintextOf(f, m)!).payloads;
}

function only<T extends Payload>(ps: Payload[], type: number): T {
  const found = ps.filter((x) => x.type === type);
  assert.equal(found.length, 1, `exactly one payload of type ${type}`);
  return found[0] as T;
}

const KE_OF: Record<string, number> = { ...KE, CURVE_25519: KE.CURVE25519, CURVE_448: KE.CURVE448 };

/** The single proposal's transforms as [type, id, keyBits?] against the logged algorithms (RFC 7296 §3.3). */
function assertProposal(where: string, sa: SaPayload, a: Algorithms, protocolId: number, spi: string, withKe: boolean): void {
  assert.equal(sa.proposals.length, 1, `${where}: one proposal`);
  const prop = sa.proposals[0];
  assert.equal(prop.protocolId, protocolId, `${where}: protocol`);
  assert.equal(toHex(prop.spi), spi, `${where}: SPI`);
  const find = (type: number) => prop.transforms.filter((t) => t.type === type);
  const [encr] = find(1);
  assert.equal(encr.id, (ENCR as Record<string, number>)[a.encr], `${where}: ENCR`);
  assert.deepEqual(encr.attributes, [{ format: "TV", type: 14, value: a.encrKeyBits }], `${where}: Key Length`);
  if (a.prf) assert.deepEqual(find(2).map((t) => t.id), [(PRF as Record<string, number>)[a.prf]], `${where}: PRF`);
  assert.deepEqual(find(3).map((t) => t.id), a.integ ? [(INTEG as Record<string, number>)[a.integ]] : [], `${where}: INTEG`);
  assert.deepEqual(find(4).map((t) => t.id), withKe ? [KE_OF[a.dh!]] : [], `${where}: KE`);
}

for (const name of SCENARIOS) {
  test(`wire ${name}: decoded fields agree with the logs: nonces, KE groups, proposals, SPIs, IDs, traffic selectors`, () => {
    const f = fixture(name);
    const ipv4 = (s: string) => toHex(new Uint8Array(s.split(".").map(Number)));
    let checked = 0;
    for (const sa of f.ikeSas) {
      const req = payloadsAt(f, sa.createdBy.request), resp = payloadsAt(f, sa.createdBy.response);
      const where = `${name} IKE SA ${sa.SPIi}`;
      assert.equal(toHex(only<NoncePayload>(req, PayloadType.NONCE).data), sa.Ni, `${where}: Ni`);
      assert.equal(toHex(only<NoncePayload>(resp, PayloadType.NONCE).data), sa.Nr, `${where}: Nr`);
      for (const ps of [req, resp]) assert.equal(only<KePayload>(ps, PayloadType.KE).group, KE_OF[sa.algorithms.dh!], `${where}: KE group`);
      // The initial IKE SA has no SPI in its proposal; a rekeyed one carries the new SPIs (§3.3.1, §2.18).
      assertProposal(`${where} request`, only<SaPayload>(req, PayloadType.SA), sa.algorithms, ProtocolId.IKE, sa.rekeyOf ? sa.SPIi : "", true);
      assertProposal(`${where} response`, only<SaPayload>(resp, PayloadType.SA), sa.algorithms, ProtocolId.IKE, sa.rekeyOf ? sa.SPIr : "", true);
      checked++;
      for (const c of sa.childSas) {
        const cq = payloadsAt(f, c.createdBy.request), cr = payloadsAt(f, c.createdBy.response);
        const cw = `${name} Child SA ${c.SPIi}`;
        const pfs = c["g^ir"] !== null;
        assertProposal(`${cw} request`, only<SaPayload>(cq, PayloadType.SA), c.algorithms, ProtocolId.ESP, c.SPIi, pfs);
        assertProposal(`${cw} response`, only<SaPayload>(cr, PayloadType.SA), c.algorithms, ProtocolId.ESP, c.SPIr, pfs);
        const tsi = only<TsPayload>(cr, PayloadType.TSi).selectors[0], tsr = only<TsPayload>(cr, PayloadType.TSr).selectors[0];
        assert.ok("startAddress" in tsi && "startAddress" in tsr);
        assert.equal(toHex(tsi.startAddress), ipv4(f.scenario.initiator.tunnelAddress), `${cw}: TSi`);
        assert.equal(toHex(tsr.startAddress), ipv4(f.scenario.responder.tunnelAddress), `${cw}: TSr`);
        if (c.createdBy.exchange === "IKE_AUTH") {
          const idi = only<IdPayload>(cq, PayloadType.IDi), idr = only<IdPayload>(cr, PayloadType.IDr);
          assert.deepEqual([idi.idType, new TextDecoder().decode(idi.data)], [2, f.scenario.initiator.id], `${cw}: IDi (ID_FQDN)`);
          assert.deepEqual([idr.idType, new TextDecoder().decode(idr.data)], [2, f.scenario.responder.id], `${cw}: IDr (ID_FQDN)`);
        } else {
          assert.equal(toHex(only<NoncePayload>(cq, PayloadType.NONCE).data), c.Ni, `${cw}: Ni`);
          assert.equal(toHex(only<NoncePayload>(cr, PayloadType.NONCE).data), c.Nr, `${cw}: Nr`);
          const rekey = only<NotifyPayload>(cq, PayloadType.N);
          assert.equal(rekey.notifyType, NotifyType.REKEY_SA);
          assert.equal(rekey.protocolId, ProtocolId.ESP);
          assert.equal(toHex(rekey.spi), c.rekeyOf, `${cw}: REKEY_SA names the old Child SA`);
          assert.equal(cq.some((x) => x.type === PayloadType.KE), pfs, `${cw}: KE iff PFS`);
        }
        checked++;
      }
    }
    assert.equal(checked, 4);
  });
}
