// Each WireError code from named inputs: truncations, lying lengths, forbidden values, limits,
// unsupported critical payloads, bad versions and encoder misuse, with the Notify the engine answers
// with (RFC 7296 §2.5, §2.21, §3.10.1). Rule violations are in rules.test.ts.
import assert from "node:assert/strict";
import {
  cpAttribute, decodeMessage, decodePayloadChain, encodeMessage, encodePayloadChain, idi, nonce, notify,
  NotifyType, PayloadType, proposal, sa, sk, transform, WireError,
} from "../../ts/wire/index.ts";
import { hex, test } from "../lib/harness.ts";
import { fill, hdr } from "./corpus.ts";
import { message, throwsWire } from "./helpers.ts";

const P = PayloadType;
const SYNTAX = { type: NotifyType.INVALID_SYNTAX, data: new Uint8Array(0) };
const h = (n: number) => n.toString(16).padStart(2, "0");
const chain = (type: number, s: string) => () => decodePayloadChain(type, hex(s));

test("TRUNCATED: a 27-byte datagram cannot hold the IKE header", () => {
  const e = throwsWire(() => decodeMessage(new Uint8Array(27)), "TRUNCATED", /^IKE header: needs 28 bytes, 27 left at offset 0$/);
  assert.equal(e.header, undefined);
});

test("TRUNCATED: the header Length promises more than the datagram holds (header attached for the answer)", () => {
  const m = message(P.N, "00 00 00 08 00 00 40 00");
  m[27] = 100;
  const e = throwsWire(() => decodeMessage(m), "TRUNCATED", /Length 100 but only 36 bytes received/);
  assert.deepEqual(e.notify, SYNTAX);
  assert.equal(e.header!.exchangeType, 34);
  assert.equal(e.offset, 24);
});

test("TRUNCATED: Next Payload names a payload but the message ends", () => {
  throwsWire(() => decodeMessage(message(P.N, "2b 00 00 08 00 00 40 00")), "TRUNCATED", /generic header of Vendor ID payload: needs 4 bytes, 0 left at offset 36/);
});

test("BAD_LENGTH: header Length shorter than the datagram, or under 28", () => {
  const m = message(P.N, "00 00 00 08 00 00 40 00");
  m[27] = 35;
  throwsWire(() => decodeMessage(m), "BAD_LENGTH", /Length 35 but 36 bytes received/);
  m[27] = 20;
  throwsWire(() => decodeMessage(m), "BAD_LENGTH", /Length 20 < 28/);
});

test("BAD_LENGTH: a payload length field that lies (under 4, past the end, short of the chain)", () => {
  throwsWire(() => decodeMessage(message(P.N, "00 00 00 03 00 00 40 00")), "BAD_LENGTH", /^IKE message: Notify payload: Payload Length 3 < 4 at offset 30$/);
  throwsWire(() => decodeMessage(message(P.N, "00 00 00 09 00 00 40 00")), "BAD_LENGTH", /Notify payload: Payload Length 9 exceeds the 8 bytes left/);
  throwsWire(() => decodeMessage(message(P.N, "00 00 00 06 00 00 40 00")), "TRUNCATED", /Notify Message Type: needs 2 bytes, 0 left/);
  throwsWire(() => decodeMessage(message(P.V, "00 00 00 06 00 00 40 00")), "BAD_LENGTH", /2 bytes after the last payload/);
});

test("BAD_LENGTH: SA transform length 4 < 8 is reported with proposal, transform and offset", () => {
  const sa = `00 00 00 28
    00 00 00 24 01 01 00 03
    03 00 00 0c 01 00 00 0c 80 0e 01 00
    03 00 00 04 02 00 00 05
    00 00 00 08 04 00 00 13`;
  const e = throwsWire(() => decodeMessage(message(P.SA, sa)), "BAD_LENGTH");
  assert.equal(e.message, "SA payload: proposal 1 transform 2 length 4 < 8 at offset 54");
  assert.equal(e.payloadType, P.SA);
  assert.deepEqual(e.notify, SYNTAX);
});

test("BAD_LENGTH: SA internal lengths and counts must agree (RFC 7296 §3.3)", () => {
  // Proposal says 2 transforms but holds one.
  throwsWire(chain(P.SA, "00 00 00 14 00 00 00 10 01 01 00 02 00 00 00 08 01 00 00 0c"), "BAD_LENGTH", /announces more transforms than it holds/);
  // Proposal says 1 transform but holds two.
  throwsWire(chain(P.SA, "00 00 00 1c 00 00 00 18 01 01 00 01 03 00 00 08 01 00 00 0c 00 00 00 08 02 00 00 05"), "BAD_LENGTH", /leaves 8 bytes after its 1 transforms/);
  // Proposal length past the SA payload.
  throwsWire(chain(P.SA, "00 00 00 0c 00 00 00 30 01 01 00 00"), "BAD_LENGTH", /proposal 1 length 48 exceeds/);
  throwsWire(chain(P.SA, "00 00 00 0c 00 00 00 04 01 01 00 00"), "BAD_LENGTH", /proposal 1 length 4 < 8/);
  // TLV attribute length past the transform.
  throwsWire(chain(P.SA, "00 00 00 18 00 00 00 14 01 01 00 01 00 00 00 0c 01 00 00 0c 00 63 00 09"), "BAD_LENGTH", /attribute 1 length 9 exceeds/);
});

test("BAD_LENGTH: nonces of 15 and 257 bytes (RFC 7296 §3.9), answered with INVALID_SYNTAX", () => {
  for (const n of [15, 257, 0]) {
    const len = 4 + n;
    const e = throwsWire(chain(P.NONCE, `00 00 ${h(len >> 8)} ${h(len & 0xff)} ${"ab".repeat(n)}`), "BAD_LENGTH", new RegExp(`Nonce Data is ${n} bytes, MUST be 16..256`));
    assert.deepEqual(e.notify, SYNTAX);
  }
});

test("BAD_LENGTH: COOKIE of 0 or 65 bytes, TS selector and count mismatches, CP and EAP lengths, Delete counts", () => {
  throwsWire(chain(P.N, "00 00 00 08 00 00 40 06"), "BAD_LENGTH", /COOKIE data is 0 bytes/);
  throwsWire(chain(P.N, `00 00 00 49 00 00 40 06 ${"01".repeat(65)}`), "BAD_LENGTH", /COOKIE data is 65 bytes/);
  throwsWire(chain(P.N, "00 00 00 08 03 05 40 00"), "BAD_LENGTH", /SPI Size 5 exceeds the 0 bytes left/);
  throwsWire(chain(P.TSi, "00 00 00 18 01 00 00 00 07 00 00 28 00 00 ff ff c0 a8 00 00 c0 a8 00 ff"), "BAD_LENGTH", /selector 1 length 40 exceeds/);
  throwsWire(chain(P.TSi, "00 00 00 1c 01 00 00 00 08 00 00 14 00 00 ff ff c0 a8 00 00 c0 a8 00 ff 00 00 00 00"), "BAD_LENGTH", /selector 1 \(TS type 8\) length 20, expected 40/);
  throwsWire(chain(P.TSi, "00 00 00 18 02 00 00 00 07 00 00 10 00 00 ff ff c0 a8 00 00 c0 a8 00 ff"), "BAD_LENGTH", /2 traffic selectors announced, selector 2 needs 4 bytes, 0 left/);
  throwsWire(chain(P.TSi, "00 00 00 0c 01 00 00 00 63 00 00 02"), "BAD_LENGTH", /selector 1 length 2 < 4/);
  throwsWire(chain(P.CP, "00 00 00 0f 01 00 00 00 00 01 00 03 0a 00 00"), "BAD_LENGTH", /attribute type 1 length 3, expected 0 or 4/);
  throwsWire(chain(P.EAP, "00 00 00 09 01 07 00 06 01"), "BAD_LENGTH", /EAP Length 6 but the payload holds 5 bytes/);
  throwsWire(chain(P.EAP, "00 00 00 09 03 07 00 05 01"), "BAD_LENGTH", /EAP Success of length 5, MUST be 4/);
  throwsWire(chain(P.EAP, "00 00 00 08 01 07 00 04"), "BAD_LENGTH", /EAP Request without a Type/);
  throwsWire(chain(P.D, "00 00 00 0c 03 04 00 02 aa bb cc dd"), "BAD_LENGTH", /2 SPIs of 4 bytes need 8 bytes, the payload holds 4/);
});

test("BAD_LENGTH: bytes after an SK payload, which MUST be last (RFC 7296 §3.14)", () => {
  const m = encodeMessage({ header: hdr(37, false, 1), payloads: [sk(0, fill(8))] });
  const longer = new Uint8Array(m.length + 4);
  longer.set(m);
  longer[27] += 4;
  throwsWire(() => decodeMessage(longer), "BAD_LENGTH", /^IKE message: 4 bytes after the SK payload, which MUST be last \(RFC 7296 §3.14\) at offset 40$/);
});

test("BAD_VALUE: substructure markers, the Key Length AF bit, SPI sizes and proposal numbering", () => {
  throwsWire(chain(P.SA, "00 00 00 0c 01 00 00 08 01 01 00 00"), "BAD_VALUE", /proposal 1 Last Substruc 1, expected 0 or 2/);
  throwsWire(chain(P.SA, "00 00 00 14 00 00 00 10 01 01 00 01 02 00 00 08 01 00 00 0c"), "BAD_VALUE", /transform 1 Last Substruc 2, expected 0 or 3/);
  // Key Length (14) as TLV: the AF bit is wrong (RFC 7296 §3.3.5).
  throwsWire(chain(P.SA, "00 00 00 1a 00 00 00 16 01 01 00 01 00 00 00 0e 01 00 00 0c 00 0e 00 02 01 00"), "BAD_VALUE", /Key Length \(14\) sent in TLV format \(AF=0\)/);
  throwsWire(chain(P.SA, "00 00 00 10 00 00 00 0c 01 01 04 00 aa bb cc dd"), "BAD_VALUE", /SPI Size 4 is wrong for protocol 1/);
  throwsWire(chain(P.SA, "00 00 00 0c 00 00 00 08 01 03 00 00"), "BAD_VALUE", /SPI Size 0 is wrong for protocol 3/);
  throwsWire(chain(P.SA, "00 00 00 14 02 00 00 08 01 c8 00 00 00 00 00 08 03 c8 00 00"), "BAD_VALUE", /proposal 2 has number 3/);
  throwsWire(chain(P.SA, "00 00 00 04"), "BAD_VALUE", /holds no proposal/);
});

test("BAD_VALUE: identification data that contradicts its ID type", () => {
  throwsWire(chain(P.IDi, "00 00 00 0d 01 00 00 00 c0 00 02 01 05"), "BAD_VALUE", /ID_IPV4_ADDR data is 5 bytes, expected 4/);
  throwsWire(chain(P.IDr, "00 00 00 0c 05 00 00 00 c0 00 02 01"), "BAD_VALUE", /ID_IPV6_ADDR data is 4 bytes, expected 16/);
  throwsWire(chain(P.IDi, "00 00 00 0b 02 00 00 00 61 00 62"), "BAD_VALUE", /ID_FQDN contains a terminator \(0x00\)/);
  throwsWire(chain(P.IDi, "00 00 00 09 0d 00 00 00 61"), "BAD_VALUE", /ID_NULL data must be empty/);
});

test("BAD_VALUE: SKF fragment numbers (RFC 7383 §2.5), Delete forms (RFC 7296 §3.11), SK inside SK", () => {
  throwsWire(() => decodeMessage(message(P.SKF, "00 00 00 0a 00 00 00 03 01 02")), "BAD_VALUE", /Fragment Number 0/);
  throwsWire(() => decodeMessage(message(P.SKF, "00 00 00 0a 00 01 00 00 01 02")), "BAD_VALUE", /Total Fragments 0/);
  throwsWire(() => decodeMessage(message(P.SKF, "00 00 00 0a 00 04 00 03 01 02")), "BAD_VALUE", /Fragment Number 4 > Total Fragments 3/);
  throwsWire(chain(P.D, "00 00 00 10 01 08 00 01 01 02 03 04 05 06 07 08"), "BAD_VALUE", /deleting the IKE SA takes SPI Size 0/);
  throwsWire(chain(P.D, "00 00 00 08 03 00 00 00"), "BAD_VALUE", /SPI Size 0 for protocol 3, expected 4/);
  throwsWire(chain(P.D, "00 00 00 08 c8 00 ff ff"), "BAD_VALUE", /65535 SPIs of size 0/);
  throwsWire(chain(P.SK, "00 00 00 08 01 02 03 04"), "BAD_VALUE", /SK payload inside an encrypted payload/);
});

test("LIMIT_EXCEEDED: proposal count over the limit (65 > 64)", () => {
  let s = "";
  for (let i = 1; i <= 65; i++) s += `${i === 65 ? "00" : "02"} 00 00 08 ${h(i)} c8 00 00 `;
  const len = 4 + 65 * 8;
  throwsWire(chain(P.SA, `00 00 ${h(len >> 8)} ${h(len & 0xff)} ${s}`), "LIMIT_EXCEEDED", /more than 64 proposals/);
});

test("LIMIT_EXCEEDED: transforms, attributes, payloads, message size, selectors, CP attributes, SPIs, certificates, fragments", () => {
  throwsWire(chain(P.SA, "00 00 00 0c 00 00 00 08 01 01 00 41"), "LIMIT_EXCEEDED", /announces 65 transforms, more than 64/);
  const many = encodePayloadChain(Array.from({ length: 65 }, () => notify(NotifyType.INITIAL_CONTACT)));
  throwsWire(() => decodePayloadChain(many.firstType, many.bytes), "LIMIT_EXCEEDED", /more than 64 payloads/);
  const big = encodeMessage({ header: hdr(34, false, 0, true), payloads: [nonce(fill(200))] });
  const e = throwsWire(() => decodeMessage(big, { limits: { maxMessageSize: 200 } }), "LIMIT_EXCEEDED", /232 bytes, more than 200/);
  assert.ok(e.header, "the header is attached so the engine can answer");
  const attrs = sa(proposal(1, 1, [{ type: 1, id: 12, attributes: Array.from({ length: 17 }, (_, i) => ({ format: "TV" as const, type: 100 + i, value: i })) }]));
  const c = encodePayloadChain([attrs]);
  throwsWire(() => decodePayloadChain(P.SA, c.bytes), "LIMIT_EXCEEDED", /more than 16 attributes/);
  throwsWire(chain(P.TSi, "00 00 00 08 41 00 00 00"), "LIMIT_EXCEEDED", /65 traffic selectors, more than 64/);
  throwsWire(() => decodePayloadChain(P.CP, hex("00 00 00 10 01 00 00 00 00 01 00 00 00 03 00 00"), { limits: { maxCpAttributes: 1 } }), "LIMIT_EXCEEDED", /more than 1 attributes/);
  throwsWire(chain(P.D, "00 00 00 08 03 04 04 01"), "LIMIT_EXCEEDED", /1025 SPIs, more than 1024/);
  throwsWire(() => decodePayloadChain(P.CERT, hex("00 00 00 0a 04 01 02 03 04 05"), { limits: { maxCertSize: 4 } }), "LIMIT_EXCEEDED", /Certificate Data of 5 bytes exceeds the 4-byte limit/);
  throwsWire(() => decodeMessage(message(P.SKF, "00 00 00 0a 00 01 00 41 01 02", { exchange: 35 })), "LIMIT_EXCEEDED", /Total Fragments 65, more than 64/);
});

test("UNSUPPORTED_CRITICAL_PAYLOAD: an unknown payload with the critical bit, notify data = the payload type", () => {
  const e = throwsWire(() => decodeMessage(message(P.N, "63 00 00 08 00 00 40 00 00 80 00 06 01 02")), "UNSUPPORTED_CRITICAL_PAYLOAD", /payload type 99 is not supported/);
  assert.deepEqual(e.notify, { type: NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, data: Uint8Array.of(99) });
  assert.equal(e.payloadType, 99);
  assert.equal(e.offset, 36);
  assert.ok(e.header);
  // Inside a decrypted chain, and for a private-use type.
  const inner = throwsWire(chain(200, "00 80 00 04"), "UNSUPPORTED_CRITICAL_PAYLOAD");
  assert.deepEqual(inner.notify!.data, Uint8Array.of(200));
  // The same payload without the critical bit is skipped (kept as unknown).
  assert.equal(decodeMessage(message(P.N, "63 00 00 08 00 00 40 00 00 00 00 06 01 02")).payloads[1].type, "unknown");
});

test("BAD_VERSION: 3.0 is answered with INVALID_MAJOR_VERSION (with the header to answer on); 1.0 is not ours", () => {
  const v3 = throwsWire(() => decodeMessage(message(P.N, "00 00 00 08 00 00 40 00", { version: 0x30 })), "BAD_VERSION", /major version 3\.0, only 2 is spoken at offset 17/);
  assert.deepEqual(v3.notify, { type: NotifyType.INVALID_MAJOR_VERSION, data: new Uint8Array(0) });
  assert.equal(v3.header!.majorVersion, 3);
  assert.equal(v3.header!.messageId, 0);
  const v1 = throwsWire(() => decodeMessage(message(P.N, "00 00 00 08 00 00 40 00", { version: 0x10 })), "BAD_VERSION");
  assert.equal(v1.notify, undefined);
  // A higher minor version is accepted (RFC 7296 §2.5: minor versions are ignored).
  assert.equal(decodeMessage(message(P.N, "00 00 00 08 00 00 40 00", { version: 0x21 })).header.minorVersion, 1);
});

test("INVALID_ARGUMENT: encoders refuse values that cannot go on the wire (no notify: the caller's bug)", () => {
  const base = hdr(34, false, 0, true);
  const cases: [() => unknown, RegExp][] = [
    [() => encodeMessage({ header: { ...base, spiI: new Uint8Array(7) }, payloads: [] }), /spiI must be 8 bytes/],
    [() => encodeMessage({ header: { ...base, messageId: -1 }, payloads: [] }), /Message ID: -1 is not an integer/],
    [() => encodeMessage({ header: { ...base, majorVersion: 16 }, payloads: [] }), /majorVersion: 16/],
    [() => encodePayloadChain([nonce(fill(15))]), /Nonce Data is 15 bytes/],
    [() => encodePayloadChain([notify(NotifyType.COOKIE, fill(65))]), /COOKIE data is 65 bytes/],
    [() => encodePayloadChain([sa()]), /needs at least one proposal/],
    [() => encodePayloadChain([sa(proposal(1, 1, [{ type: 1, id: 12, attributes: [{ format: "TLV", type: 14, value: fill(2) }] }]))]), /Key Length \(14\) must be TV/],
    [() => encodePayloadChain([sa(proposal(1, 1, [transform(1, 70000)]))]), /transform 1 id: 70000/],
    [() => encodePayloadChain([idi(1, fill(5))]), /ID_IPV4_ADDR data is 5 bytes/],
    [() => encodePayloadChain([{ type: P.CP, cfgType: 1, attributes: [cpAttribute(1, fill(3))] }]), /attribute type 1 length 3/],
    [() => encodePayloadChain([{ type: "unknown", payloadType: P.SA, critical: false, body: fill(1) }]), /cannot carry type 33/],
    [() => encodePayloadChain([nonce(fill(70000))]), /Nonce Data is 70000 bytes/],
    [() => encodePayloadChain([{ type: P.V, data: fill(70000) }]), /exceeds 65535/],
  ];
  for (const [fn, re] of cases) {
    const e = throwsWire(fn, "INVALID_ARGUMENT", re);
    assert.equal(e.notify, undefined);
  }
});

test("WireError is an Error with code, context, offset, payload type and notify", () => {
  const e = throwsWire(chain(P.NONCE, "00 00 00 05 01"), "BAD_LENGTH");
  assert.ok(e instanceof Error && e instanceof WireError);
  assert.equal(e.name, "WireError");
  assert.equal(e.context, "Nonce payload");
  assert.equal(e.offset, 4);
  assert.equal(e.payloadType, P.NONCE);
});
