// Whole messages: the IKE header (RFC 7296 §3.1), payload chains, SK/SKF offsets for the protection
// layer (RFC 5282 §5, RFC 7383 §2.5), spans, length patching, and the corpus round trip.
import assert from "node:assert/strict";
import {
  decodeHeader, decodeMessage, decodePayloadChain, encodeMessage, encodeMessageDetailed, encodePayloadBody,
  encodePayloadChain, ExchangeType, idi, IdType, nonce, notify, NotifyType, patchHeaderLength, patchPayloadLength,
  PayloadType, sk, skf, WireError, type IdPayload,
} from "../../ts/wire/index.ts";
import { hex, test, toHex } from "../lib/harness.ts";
import { buildCorpus, fill, hdr } from "./corpus.ts";
import { message } from "./helpers.ts";

test("IKE header: hand-written bytes decode (SPIs, version 2.0, exchange, I/V/R flags, Message ID, Length)", () => {
  const bytes = hex(`
    a1a2a3a4a5a6a7a8 0000000000000000
    29 20 22 08 00000000 00000024
    00 00 00 08 00 00 40 00`);
  const d = decodeMessage(bytes);
  assert.deepEqual(d.header, {
    spiI: hex("a1a2a3a4a5a6a7a8"), spiR: new Uint8Array(8), nextPayload: 41, majorVersion: 2, minorVersion: 0,
    exchangeType: ExchangeType.IKE_SA_INIT, initiator: true, higherVersion: false, response: false, messageId: 0, length: 36,
  });
  assert.deepEqual(d.payloads, [notify(NotifyType.INITIAL_CONTACT)]);
  const flags = decodeHeader(message(0, "", { flags: 0x38, version: 0x2f, messageId: 0xfffffffe }));
  assert.equal(flags.initiator && flags.higherVersion && flags.response, true);
  assert.equal(flags.minorVersion, 15, "RFC 7296 §3.1: the minor version is kept and ignored");
  assert.equal(flags.messageId, 0xfffffffe);
  // Reserved flag bits are ignored on receipt and not sent.
  const reserved = decodeMessage(message(0, "", { flags: 0xc7 }));
  assert.equal(reserved.header.initiator || reserved.header.response || reserved.header.higherVersion, false);
});

test("every corpus message and inner chain round-trips byte for byte", () => {
  for (const e of buildCorpus()) {
    if (e.firstType === undefined) {
      const d = decodeMessage(e.bytes);
      assert.deepEqual(d.payloads, e.msg!.payloads, e.name);
      assert.equal(toHex(encodeMessage(d)), toHex(e.bytes), e.name);
    } else {
      const d = decodePayloadChain(e.firstType, e.bytes);
      assert.deepEqual(d.payloads, e.inner, e.name);
      assert.equal(toHex(encodePayloadChain(d.payloads).bytes), toHex(e.bytes), e.name);
    }
  }
});

test("a message with no payloads is a bare 28-byte header", () => {
  const bytes = encodeMessage({ header: hdr(ExchangeType.INFORMATIONAL, true, 5), payloads: [] });
  assert.equal(bytes.length, 28);
  const d = decodeMessage(bytes);
  assert.equal(d.header.nextPayload, 0);
  assert.deepEqual(d.payloads, []);
});

test("SK: AAD is the header through the SK generic header; the body starts right after (RFC 5282 §5)", () => {
  const n = nonce(fill(16));
  const body = fill(48, 7);
  const enc = encodeMessageDetailed({ header: hdr(ExchangeType.INFORMATIONAL, false, 4), payloads: [n, sk(PayloadType.D, body)] });
  const d = decodeMessage(enc.bytes);
  assert.deepEqual(d.encrypted, enc.encrypted);
  const e = d.encrypted!;
  assert.equal(e.type, PayloadType.SK);
  assert.equal(e.headerOffset, 28 + 20);
  assert.equal(e.bodyOffset, 28 + 20 + 4);
  assert.equal(e.bodyLength, 48);
  assert.equal(toHex(enc.bytes.subarray(e.bodyOffset)), toHex(body));
  assert.equal(enc.bytes[e.headerOffset], PayloadType.D, "SK's Next Payload is the first inner type");
  const sp = d.payloads[1];
  assert.ok(sp.type === PayloadType.SK && sp.firstInner === PayloadType.D);
});

test("SKF: AAD runs through Total Fragments (RFC 7383 §2.5)", () => {
  const enc = encodeMessageDetailed({ header: hdr(ExchangeType.IKE_AUTH, false, 1), payloads: [skf(2, 4, 0, fill(30))] });
  assert.deepEqual(enc.encrypted, { type: PayloadType.SKF, headerOffset: 28, bodyOffset: 36, bodyLength: 30 });
  assert.deepEqual(decodeMessage(enc.bytes).encrypted, enc.encrypted);
});

test("in-place protection: encode with a zero body of the final size, write the ciphertext, decode it back", () => {
  const inner = encodePayloadChain([idi(IdType.ID_FQDN, new TextEncoder().encode("peer")), notify(NotifyType.INITIAL_CONTACT)]);
  const ciphertextLength = 16 + inner.bytes.length + 16; // IV + plaintext + ICV, as a stand-in
  const enc = encodeMessageDetailed({ header: hdr(ExchangeType.IKE_AUTH, false, 1), payloads: [sk(inner.firstType, new Uint8Array(ciphertextLength))] });
  const aad = enc.bytes.subarray(0, enc.encrypted!.bodyOffset);
  assert.equal(aad.length, 32);
  assert.equal((aad[24] << 24 | aad[25] << 16 | aad[26] << 8 | aad[27]) >>> 0, enc.bytes.length, "AAD carries the final Length");
  enc.bytes.set(fill(16), enc.encrypted!.bodyOffset);
  enc.bytes.set(inner.bytes, enc.encrypted!.bodyOffset + 16); // "decrypt" = take it back out
  const d = decodeMessage(enc.bytes);
  const skp = d.payloads[0];
  assert.ok(skp.type === PayloadType.SK);
  const plain = skp.body.subarray(16, 16 + inner.bytes.length);
  const chain = decodePayloadChain(skp.firstInner, plain, { baseOffset: enc.encrypted!.bodyOffset + 16 });
  assert.equal((chain.payloads[0] as IdPayload).idType, IdType.ID_FQDN);
  assert.equal(chain.spans[0].offset, enc.encrypted!.bodyOffset + 16, "inner spans shifted by baseOffset");
});

test("spans locate every payload; the IDi body AUTH signs can be cut from the received message", () => {
  const id = idi(IdType.ID_RFC822_ADDR, new TextEncoder().encode("a@b.c"));
  const inner = encodePayloadChain([notify(NotifyType.INITIAL_CONTACT), id]);
  const d = decodePayloadChain(inner.firstType, inner.bytes);
  const s = d.spans[1];
  assert.equal(s.type, PayloadType.IDi);
  assert.equal(toHex(inner.bytes.subarray(s.offset + 4, s.offset + s.length)), toHex(encodePayloadBody(id)));
  const m = buildCorpus()[0];
  const dm = decodeMessage(m.bytes);
  assert.equal(dm.spans[0].offset, 28);
  assert.equal(dm.spans.at(-1)!.offset + dm.spans.at(-1)!.length, m.bytes.length);
});

test("patchHeaderLength and patchPayloadLength rewrite the length fields", () => {
  const bytes = encodeMessage({ header: hdr(ExchangeType.INFORMATIONAL, false, 1), payloads: [sk(0, fill(20))] });
  const longer = new Uint8Array(bytes.length + 4);
  longer.set(bytes);
  assert.throws(() => decodeMessage(longer), WireError);
  patchHeaderLength(longer);
  patchPayloadLength(longer, 28, 4 + 24);
  const d = decodeMessage(longer);
  assert.equal(d.header.length, bytes.length + 4);
  assert.equal(d.encrypted!.bodyLength, 24);
  assert.throws(() => patchHeaderLength(new Uint8Array(10)), /shorter than the IKE header/);
  assert.throws(() => patchPayloadLength(longer, longer.length - 2, 8), /no generic header/);
});

test("decodeHeader reads just the header (to find the IKE SA before decoding the rest)", () => {
  const m = buildCorpus()[0];
  const h = decodeHeader(m.bytes.subarray(0, 28));
  assert.equal(h.exchangeType, ExchangeType.IKE_SA_INIT);
  assert.equal(h.length, m.bytes.length);
});

test("decoded payloads do not alias the datagram buffer", () => {
  const bytes = encodeMessage({ header: hdr(ExchangeType.IKE_SA_INIT, false, 0, true), payloads: [nonce(fill(16))] });
  const d = decodeMessage(bytes);
  bytes.fill(0);
  const n = d.payloads[0];
  assert.ok(n.type === PayloadType.NONCE);
  assert.equal(toHex(n.data), toHex(fill(16)));
  assert.equal(toHex(d.header.spiI), "a1a2a3a4a5a6a7a8");
});

test("encoders compute Next Payload and every length; they refuse SK anywhere but last", () => {
  const bytes = encodeMessage({ header: hdr(ExchangeType.IKE_SA_INIT, false, 0), payloads: [nonce(fill(16)), notify(NotifyType.INITIAL_CONTACT)] });
  assert.equal(bytes[16], PayloadType.NONCE);
  assert.equal(bytes[28], PayloadType.N);
  assert.equal(bytes[28 + 20], 0);
  assert.throws(() => encodeMessage({ header: hdr(37, false, 1), payloads: [sk(0, fill(4)), nonce(fill(16))] }), /must be last/);
  assert.throws(() => encodePayloadChain([sk(0, fill(4))]), /inside an encrypted payload/);
});
