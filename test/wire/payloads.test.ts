// Every payload of RFC 7296 §3 and RFC 7383 §2.5: hand-written bytes (from the RFC diagrams) decode to
// the expected structure, and every variant round-trips encode → decode → encode byte for byte.
import assert from "node:assert/strict";
import {
  auth, AuthMethod, caHashes, cert, CertEncoding, certreq, decodeMessage, CfgType, cp, cpAttribute, CpAttributeType, decodePayloadBody,
  decodePayloadChain, deletePayload, eap, eapHeader, EncrId, encodePayloadBody, encodePayloadChain, EsnId, findNotify,
  findPayload, findPayloads, idi, idr, IdType, IntegId, invalidKeGroup, isAddressRange, ke, KeId, keyLength, nonce, notify,
  NotifyType, PayloadType, PrfId, proposal, ProtocolId, sa, signatureHashAlgorithms, sk, skf, transform, transformKeyLength,
  TransformType, tsi, tsIpv4, tsIpv6, tsr, TsType, u16List, unknownPayload, unsupportedCriticalPayloadType, vendorId,
  type Payload,
} from "../../ts/wire/index.ts";
import { hex, test, toHex } from "../lib/harness.ts";
import { fill } from "./corpus.ts";
import { message, roundTrip, roundTripOuter } from "./helpers.ts";

const T = TransformType;
const P = PayloadType;
const ascii = (s: string) => new TextEncoder().encode(s);

test("SA: a hand-written IKE proposal (AES-CBC-256, SHA2-256, SHA2-256-128, ECP-256) decodes", () => {
  const bytes = hex(`
    00 00 00 30
    00 00 00 2c 01 01 00 04
    03 00 00 0c 01 00 00 0c 80 0e 01 00
    03 00 00 08 02 00 00 05
    03 00 00 08 03 00 00 0c
    00 00 00 08 04 00 00 13`);
  const { payloads } = decodePayloadChain(P.SA, bytes);
  assert.deepEqual(payloads, [sa(proposal(1, ProtocolId.IKE, [
    transform(T.ENCR, EncrId.ENCR_AES_CBC, 256), transform(T.PRF, PrfId.PRF_HMAC_SHA2_256),
    transform(T.INTEG, IntegId.AUTH_HMAC_SHA2_256_128), transform(T.KE, KeId.ECP_256),
  ]))]);
  assert.equal(toHex(encodePayloadChain(payloads).bytes), toHex(bytes));
  const sap = findPayload(payloads, P.SA)!;
  assert.equal(transformKeyLength(sap.proposals[0].transforms[0]), 256);
  assert.equal(transformKeyLength(sap.proposals[0].transforms[1]), undefined);
});

test("SA: several proposals, SPIs of 0/4/8 bytes, TV and TLV attributes, unknown and private-use values round-trip", () => {
  roundTrip(sa(
    proposal(1, ProtocolId.IKE, [transform(T.ENCR, EncrId.ENCR_AES_GCM_16, 128), transform(T.PRF, PrfId.PRF_HMAC_SHA2_512), transform(T.KE, KeId.CURVE25519)]),
    proposal(2, ProtocolId.IKE, [transform(T.ENCR, 1024 /* private use */), transform(T.PRF, 65535), transform(241 /* private type */, 7)]),
    proposal(3, ProtocolId.IKE, [{ type: 99, id: 4242, attributes: [
      { format: "TLV", type: 300, value: fill(5) }, { format: "TLV", type: 301, value: new Uint8Array(0) },
      { format: "TV", type: 16384, value: 0xbeef }, keyLength(192),
    ] }]),
  ));
  roundTrip(sa(proposal(1, ProtocolId.ESP, [transform(T.ENCR, EncrId.ENCR_AES_CBC, 128), transform(T.INTEG, IntegId.AUTH_HMAC_SHA1_96), transform(T.ESN, EsnId.NO_ESN)], fill(4))));
  roundTrip(sa(proposal(1, ProtocolId.AH, [transform(T.INTEG, IntegId.AUTH_HMAC_SHA2_256_128)], fill(4))));
  roundTrip(sa(proposal(1, ProtocolId.IKE, [transform(T.ENCR, EncrId.ENCR_CHACHA20_POLY1305)], fill(8))));
  roundTrip(sa(proposal(7, 200 /* unknown protocol: any SPI size */, [], fill(3))));
  // A lone proposal may carry any number (an accepted proposal keeps the number it was offered with).
  roundTrip(sa(proposal(5, ProtocolId.ESP, [transform(T.ENCR, EncrId.ENCR_AES_GCM_16, 256)], fill(4))));
});

test("KE: hand-written bytes decode; round trip with unknown group", () => {
  const { payloads } = decodePayloadChain(P.KE, hex("00 00 00 0c 00 1f 00 00 01 02 03 04"));
  assert.deepEqual(payloads, [ke(KeId.CURVE25519, hex("01020304"))]);
  roundTrip(ke(KeId.ML_KEM_768, fill(1184)));
  roundTrip(ke(40000, fill(3)));
});

test("IDi/IDr: every ID type (IPv4, FQDN, RFC822, IPv6, DER DN, DER GN, KEY_ID, NULL, FC name, unknown) round-trips", () => {
  const ids: Payload[] = [
    idi(IdType.ID_IPV4_ADDR, hex("c0000201")), idr(IdType.ID_FQDN, ascii("vpn.example.com")),
    idi(IdType.ID_RFC822_ADDR, ascii("alice@example.com")), idr(IdType.ID_IPV6_ADDR, fill(16)),
    idi(IdType.ID_DER_ASN1_DN, fill(60)), idr(IdType.ID_DER_ASN1_GN, fill(20)), idi(IdType.ID_KEY_ID, fill(1)),
    idr(IdType.ID_NULL, new Uint8Array(0)), idi(IdType.ID_FC_NAME, fill(8)), idr(4 /* unassigned */, fill(2)), idi(255, new Uint8Array(0)),
  ];
  for (const p of ids) roundTrip(p);
  const { payloads } = decodePayloadChain(P.IDi, hex("00 00 00 0c 01 00 00 00 c0 00 02 01"));
  assert.deepEqual(payloads, [idi(IdType.ID_IPV4_ADDR, hex("c0000201"))]);
});

test("IDi body as sent is what AUTH signs (RestOfInitIDPayload, RFC 7296 §2.15)", () => {
  const p = idi(IdType.ID_FQDN, ascii("a.example"));
  assert.equal(toHex(encodePayloadBody(p)), "02000000" + toHex(ascii("a.example")));
  assert.deepEqual(decodePayloadBody(P.IDi, encodePayloadBody(p)), p);
});

test("CERT and CERTREQ round-trip; CERTREQ splits into 20-byte CA hashes", () => {
  roundTrip(cert(CertEncoding.X509_CERT_SIGNATURE, fill(900)));
  roundTrip(cert(CertEncoding.HASH_URL_X509_CERT, fill(40)));
  roundTrip(cert(230 /* private */, new Uint8Array(0)));
  const cr = certreq(CertEncoding.X509_CERT_SIGNATURE, fill(60));
  roundTrip(cr);
  assert.equal(caHashes(cr)!.length, 3);
  assert.equal(caHashes(certreq(CertEncoding.X509_CERT_SIGNATURE, fill(21))), undefined);
  const { payloads } = decodePayloadChain(P.CERTREQ, hex("00 00 00 09 04 aa bb cc dd"));
  assert.deepEqual(payloads, [certreq(4, hex("aabbccdd"))]);
});

test("AUTH: hand-written bytes decode; every method round-trips", () => {
  const { payloads } = decodePayloadChain(P.AUTH, hex("00 00 00 0c 02 00 00 00 de ad be ef"));
  assert.deepEqual(payloads, [auth(AuthMethod.SHARED_KEY_MIC, hex("deadbeef"))]);
  for (const m of [1, 2, 3, 9, 10, 11, 12, 13, 14, 201, 255]) roundTrip(auth(m, fill(m)));
});

test("Nonce: 16 and 256 bytes (the RFC 7296 §3.9 bounds) round-trip", () => {
  roundTrip(nonce(fill(16)));
  roundTrip(nonce(fill(256)));
  const { payloads } = decodePayloadChain(P.NONCE, hex("00 00 00 14 000102030405060708090a0b0c0d0e0f"));
  assert.deepEqual(payloads, [nonce(hex("000102030405060708090a0b0c0d0e0f"))]);
});

test("Notify: without SPI, with an ESP SPI, error and status types, unknown and private-use types round-trip", () => {
  roundTrip(notify(NotifyType.INITIAL_CONTACT));
  roundTrip(notify(NotifyType.REKEY_SA, new Uint8Array(0), { protocolId: ProtocolId.ESP, spi: fill(4) }));
  roundTrip(notify(NotifyType.INVALID_SPI, fill(4), { protocolId: ProtocolId.ESP }));
  roundTrip(notify(NotifyType.NO_PROPOSAL_CHOSEN));
  roundTrip(notify(NotifyType.COOKIE, fill(64)));
  for (const t of [0, 2, 60, 8192, 16383, 16447, 30000, 40960, 65535]) roundTrip(notify(t, fill(3)));
  // RFC 7296 §3.10: NAT_DETECTION_SOURCE_IP with a SHA-1 hash.
  const { payloads } = decodePayloadChain(P.N, hex("00 00 00 1c 00 00 40 04" + "11".repeat(20)));
  assert.deepEqual(payloads, [notify(NotifyType.NAT_DETECTION_SOURCE_IP, hex("11".repeat(20)))]);
  // Protocol ID is kept as received even without SPI (RFC 7296 §3.10 says ignore it on receipt).
  roundTrip({ ...notify(NotifyType.INITIAL_CONTACT), protocolId: 1 });
});

test("Notify data readers: INVALID_KE_PAYLOAD, SIGNATURE_HASH_ALGORITHMS, UNSUPPORTED_CRITICAL_PAYLOAD", () => {
  assert.equal(invalidKeGroup(notify(NotifyType.INVALID_KE_PAYLOAD, u16List([31]))), 31);
  assert.deepEqual(signatureHashAlgorithms(notify(NotifyType.SIGNATURE_HASH_ALGORITHMS, u16List([2, 3, 4, 5]))), [2, 3, 4, 5]);
  assert.equal(unsupportedCriticalPayloadType(notify(1, Uint8Array.of(99))), 99);
  assert.throws(() => invalidKeGroup(notify(NotifyType.INVALID_KE_PAYLOAD, fill(3))), /INVALID_KE_PAYLOAD data is 3 bytes/);
  assert.throws(() => signatureHashAlgorithms(notify(NotifyType.SIGNATURE_HASH_ALGORITHMS, fill(3))), /not a multiple of 2/);
});

test("Delete: the IKE SA, one ESP SPI, several SPIs and none round-trip; hand-written bytes decode", () => {
  roundTrip(deletePayload(ProtocolId.IKE));
  roundTrip(deletePayload(ProtocolId.ESP, [fill(4)]));
  roundTrip(deletePayload(ProtocolId.ESP, [fill(4, 1), fill(4, 2), fill(4, 3), fill(4, 4), fill(4, 5)]));
  roundTrip(deletePayload(ProtocolId.AH, []));
  roundTrip(deletePayload(250, [fill(6), fill(6, 9)]));
  const { payloads } = decodePayloadChain(P.D, hex("00 00 00 10 03 04 00 02 aa bb cc dd 11 22 33 44"));
  assert.deepEqual(payloads, [deletePayload(ProtocolId.ESP, [hex("aabbccdd"), hex("11223344")])]);
});

test("Vendor ID round-trips (empty too)", () => {
  roundTrip(vendorId(fill(16)));
  roundTrip(vendorId(new Uint8Array(0)));
});

test("TSi/TSr: IPv4 and IPv6 ranges, ports, OPAQUE ports, and unknown TS types round-trip; hand-written bytes decode", () => {
  const v4 = tsIpv4(hex("c0a80000"), hex("c0a800ff"));
  const v6 = tsIpv6(fill(16), fill(16, 99), { ipProtocolId: 17, startPort: 500, endPort: 4500 });
  const opaque = tsIpv4(hex("0a000001"), hex("0a000001"), { ipProtocolId: 6, startPort: 65535, endPort: 0 });
  const seclabel = { tsType: TsType.TS_SECLABEL, ipProtocolId: 0, data: ascii("label") };
  const unknown = { tsType: 200, ipProtocolId: 9, data: new Uint8Array(0) };
  roundTrip(tsi(v4, v6, opaque, seclabel, unknown));
  roundTrip(tsr(v6));
  roundTrip(tsr());
  const { payloads } = decodePayloadChain(P.TSi, hex("00 00 00 18 01 00 00 00 07 00 00 10 00 00 ff ff c0 a8 00 00 c0 a8 00 ff"));
  assert.deepEqual(payloads, [tsi(v4)]);
  const ts = findPayload(payloads, P.TSi)!.selectors[0];
  assert.ok(isAddressRange(ts));
  assert.ok(!isAddressRange(seclabel));
});

test("SK: the body stays opaque and the Next Payload names the first inner payload", () => {
  const bytes = roundTripOuter(sk(P.IDi, fill(64)));
  assert.equal(bytes[0], P.IDi);
  roundTripOuter(sk(0, new Uint8Array(0)));
});

test("SKF (RFC 7383 §2.5): hand-written fragment decodes; first and later fragments round-trip", () => {
  const { payloads } = decodeMessage(message(P.SKF, "23 00 00 0c 00 01 00 03 01 02 03 04", { exchange: 35 }));
  assert.deepEqual(payloads, [skf(1, 3, P.IDi, hex("01020304"))]);
  roundTripOuter(skf(1, 1, P.N, fill(40)));
  roundTripOuter(skf(5, 9, 0, fill(40)));
});

test("CP: CFG_REQUEST with empty attributes, CFG_REPLY with values, CFG_SET/ACK, unknown and private attributes", () => {
  const { payloads } = decodePayloadChain(P.CP, hex("00 00 00 10 01 00 00 00 00 01 00 00 00 03 00 00"));
  assert.deepEqual(payloads, [cp(CfgType.CFG_REQUEST, cpAttribute(CpAttributeType.INTERNAL_IP4_ADDRESS), cpAttribute(CpAttributeType.INTERNAL_IP4_DNS))]);
  roundTrip(cp(CfgType.CFG_REPLY,
    cpAttribute(CpAttributeType.INTERNAL_IP4_ADDRESS, hex("0a000002")), cpAttribute(CpAttributeType.INTERNAL_IP4_NETMASK, hex("ffffff00")),
    cpAttribute(CpAttributeType.INTERNAL_IP6_ADDRESS, fill(17)), cpAttribute(CpAttributeType.INTERNAL_IP6_DNS, fill(16)),
    cpAttribute(CpAttributeType.INTERNAL_IP4_SUBNET, fill(8)), cpAttribute(CpAttributeType.SUPPORTED_ATTRIBUTES, u16List([1, 2, 3])),
    cpAttribute(CpAttributeType.APPLICATION_VERSION, ascii("skeyseed 0.1")), cpAttribute(CpAttributeType.INTERNAL_DNS_DOMAIN, ascii("corp.example")),
    cpAttribute(9999), cpAttribute(16384, fill(3)), cpAttribute(32767, fill(1)),
  ));
  roundTrip(cp(CfgType.CFG_SET, cpAttribute(CpAttributeType.INTERNAL_IP4_DHCP, hex("0a000001"))));
  roundTrip(cp(CfgType.CFG_ACK));
  roundTrip(cp(200));
});

test("EAP: Request, Response, Success and Failure messages decode; header fields read", () => {
  const req = hex("01 07 00 05 01");
  const { payloads } = decodePayloadChain(P.EAP, hex("00 00 00 09 01 07 00 05 01"));
  assert.deepEqual(payloads, [eap(req)]);
  assert.deepEqual(eapHeader(eap(req)), { code: 1, identifier: 7, length: 5, eapType: 1 });
  assert.deepEqual(eapHeader(eap(hex("03 07 00 04"))), { code: 3, identifier: 7, length: 4 });
  roundTrip(eap(hex("02 07 00 0a 01 61 6c 69 63 65")));
  roundTrip(eap(hex("03 08 00 04")));
  roundTrip(eap(hex("04 08 00 04")));
  roundTrip(eap(hex("05 01 00 06 01 02"))); // ERP Initiate (RFC 6696): unknown to us, checked only for length
});

test("unknown payload types without the critical bit are kept and re-encode identically", () => {
  const bytes = hex("00 00 00 09 01 02 03 04 05");
  for (const t of [49, 54, 60, 127, 128, 255]) {
    const { payloads } = decodePayloadChain(t, bytes);
    assert.deepEqual(payloads, [unknownPayload(t, hex("0102030405"))]);
    assert.equal(toHex(encodePayloadChain(payloads).bytes), toHex(bytes));
  }
});

test("a critical bit on a known payload is kept (the bit only matters for unknown types)", () => {
  const bytes = hex("00 80 00 0c 02 00 00 00 de ad be ef");
  const { payloads } = decodePayloadChain(P.AUTH, bytes);
  assert.deepEqual(payloads, [{ ...auth(2, hex("deadbeef")), critical: true }]);
  assert.equal(toHex(encodePayloadChain(payloads).bytes), toHex(bytes));
});

test("a chain of every payload type round-trips with its links; finders return typed payloads", () => {
  const all: Payload[] = [
    sa(proposal(1, ProtocolId.ESP, [transform(T.ENCR, EncrId.ENCR_AES_GCM_16, 256)], fill(4))), ke(KeId.ECP_256, fill(64)),
    idi(IdType.ID_FQDN, ascii("a")), idr(IdType.ID_FQDN, ascii("b")), cert(4, fill(10)), certreq(4, fill(20)), auth(14, fill(16)),
    nonce(fill(32)), notify(NotifyType.INITIAL_CONTACT), notify(NotifyType.USE_TRANSPORT_MODE), deletePayload(ProtocolId.IKE),
    vendorId(fill(4)), tsi(tsIpv4(fill(4), fill(4))), tsr(tsIpv4(fill(4), fill(4))), cp(CfgType.CFG_REQUEST),
    eap(hex("04 01 00 04")), unknownPayload(200, fill(2)),
  ];
  const c = encodePayloadChain(all);
  assert.equal(c.firstType, P.SA);
  const d = decodePayloadChain(c.firstType, c.bytes);
  assert.deepEqual(d.payloads, all);
  assert.equal(d.spans.length, all.length);
  assert.equal(d.spans.reduce((n, s) => n + s.length, 0), c.bytes.length);
  assert.equal(findNotify(d.payloads, NotifyType.USE_TRANSPORT_MODE), d.payloads[9]);
  assert.equal(findPayloads(d.payloads, P.N).length, 2);
  assert.equal(findPayload(d.payloads, P.KE)!.group, KeId.ECP_256);
  assert.equal(findPayload(d.payloads, "unknown")!.payloadType, 200);
  const empty = encodePayloadChain([]);
  assert.equal(empty.firstType, 0);
  assert.deepEqual(decodePayloadChain(0, empty.bytes).payloads, []);
});
