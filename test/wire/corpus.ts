// A corpus of valid IKEv2 messages and inner payload chains, built with the wire encoders, for the
// round-trip tests and the fuzzer. Deterministic: the same bytes on every run and runtime.
import {
  auth, AuthMethod, CertEncoding, cert, certreq, CfgType, cp, cpAttribute, CpAttributeType, deletePayload, eap,
  EncrId, EsnId, ExchangeType, encodeMessage, encodePayloadChain, idi, idr, IdType, IntegId, ke, KeId, nonce,
  notify, NotifyType, PayloadType, PrfId, proposal, ProtocolId, sa, sk, skf, TransformType, transform, tsi,
  tsIpv4, tsIpv6, tsr, u16List, unknownPayload, vendorId, type IkeHeaderFields, type IkeMessage, type Payload,
} from "../../ts/wire/index.ts";

/** Deterministic filler bytes: n bytes starting at `seed`. */
export function fill(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed + i * 31) & 0xff;
  return out;
}

const spiI = Uint8Array.of(0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8);
const spiR = Uint8Array.of(0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8);
const zeroSpi = new Uint8Array(8);

export function hdr(exchangeType: number, response: boolean, messageId: number, initialRequest = false): IkeHeaderFields {
  return { spiI, spiR: initialRequest ? zeroSpi : spiR, exchangeType, initiator: !response, response, messageId };
}

const T = TransformType;
export const ikeProposals = [
  proposal(1, ProtocolId.IKE, [
    transform(T.ENCR, EncrId.ENCR_AES_GCM_16, 256), transform(T.ENCR, EncrId.ENCR_AES_GCM_16, 128),
    transform(T.PRF, PrfId.PRF_HMAC_SHA2_256), transform(T.PRF, PrfId.PRF_HMAC_SHA2_384),
    transform(T.KE, KeId.CURVE25519), transform(T.KE, KeId.ECP_256),
  ]),
  proposal(2, ProtocolId.IKE, [
    transform(T.ENCR, EncrId.ENCR_AES_CBC, 256), transform(T.PRF, PrfId.PRF_HMAC_SHA2_256),
    transform(T.INTEG, IntegId.AUTH_HMAC_SHA2_256_128), transform(T.KE, KeId.MODP_2048),
    // An unknown transform type with an unknown TLV attribute, and a private-use ID.
    { type: 200, id: 1025, attributes: [{ format: "TLV", type: 99, value: fill(3) }, { format: "TV", type: 17000, value: 7 }] },
  ]),
];

export const espProposal = proposal(1, ProtocolId.ESP, [
  transform(T.ENCR, EncrId.ENCR_AES_GCM_16, 256), transform(T.ESN, EsnId.NO_ESN), transform(T.ESN, EsnId.ESN),
], Uint8Array.of(0xc0, 0xff, 0xee, 0x01));

const ts4 = tsIpv4(Uint8Array.of(10, 0, 0, 0), Uint8Array.of(10, 0, 0, 255));
const ts4tcp = tsIpv4(Uint8Array.of(192, 168, 1, 1), Uint8Array.of(192, 168, 1, 1), { ipProtocolId: 6, startPort: 443, endPort: 443 });
const ts6 = tsIpv6(fill(16, 0x20), fill(16, 0x40));
const tsSecLabel = { tsType: 10, ipProtocolId: 0, data: new TextEncoder().encode("system_u:object_r:ipsec_spd_t:s0") };

/** Outer messages, each with its exchange type and direction. */
export interface CorpusEntry {
  readonly name: string;
  readonly exchange: number;
  readonly response: boolean;
  /** An outer message, or an inner chain (then `firstType` is set and `bytes` is the plaintext). */
  readonly bytes: Uint8Array;
  readonly firstType?: number;
  readonly msg?: IkeMessage;
  readonly inner?: readonly Payload[];
}

function message(name: string, header: IkeHeaderFields, payloads: Payload[]): CorpusEntry {
  const msg = { header, payloads };
  return { name, exchange: header.exchangeType, response: header.response, bytes: encodeMessage(msg), msg };
}

function chain(name: string, exchange: number, response: boolean, payloads: Payload[]): CorpusEntry {
  const { firstType, bytes } = encodePayloadChain(payloads);
  return { name, exchange, response, bytes, firstType, inner: payloads };
}

const X = ExchangeType;
const N = NotifyType;

export function buildCorpus(): CorpusEntry[] {
  return [
    message("IKE_SA_INIT request", hdr(X.IKE_SA_INIT, false, 0, true), [
      sa(...ikeProposals), ke(KeId.CURVE25519, fill(32, 3)), nonce(fill(32, 5)),
      notify(N.NAT_DETECTION_SOURCE_IP, fill(20, 7)), notify(N.NAT_DETECTION_DESTINATION_IP, fill(20, 9)),
      notify(N.IKEV2_FRAGMENTATION_SUPPORTED), notify(N.SIGNATURE_HASH_ALGORITHMS, u16List([2, 3, 4])),
      notify(N.CHILDLESS_IKEV2_SUPPORTED), vendorId(fill(16, 11)),
    ]),
    message("IKE_SA_INIT request with cookie", hdr(X.IKE_SA_INIT, false, 0, true), [
      notify(N.COOKIE, fill(20, 13)), sa(ikeProposals[0]), ke(KeId.ECP_256, fill(64, 15)), nonce(fill(16, 17)),
    ]),
    message("IKE_SA_INIT response", hdr(X.IKE_SA_INIT, true, 0), [
      sa(proposal(1, ProtocolId.IKE, [transform(T.ENCR, EncrId.ENCR_AES_GCM_16, 256), transform(T.PRF, PrfId.PRF_HMAC_SHA2_256), transform(T.KE, KeId.CURVE25519)])),
      ke(KeId.CURVE25519, fill(32, 19)), nonce(fill(32, 21)), certreq(CertEncoding.X509_CERT_SIGNATURE, fill(40, 23)),
      notify(N.NAT_DETECTION_SOURCE_IP, fill(20, 25)), notify(N.NAT_DETECTION_DESTINATION_IP, fill(20, 27)),
      notify(40961, fill(5, 29)), unknownPayload(130, fill(6, 31)),
    ]),
    message("IKE_SA_INIT COOKIE response", hdr(X.IKE_SA_INIT, true, 0, true), [notify(N.COOKIE, fill(32, 33))]),
    message("IKE_SA_INIT INVALID_KE_PAYLOAD response", hdr(X.IKE_SA_INIT, true, 0, true), [notify(N.INVALID_KE_PAYLOAD, u16List([19]))]),
    message("IKE_AUTH request (SK)", hdr(X.IKE_AUTH, false, 1), [sk(PayloadType.IDi, fill(180, 35))]),
    message("IKE_AUTH request fragment 1/3 (SKF)", hdr(X.IKE_AUTH, false, 1), [skf(1, 3, PayloadType.IDi, fill(100, 37))]),
    message("IKE_AUTH request fragment 3/3 (SKF)", hdr(X.IKE_AUTH, false, 1), [skf(3, 3, 0, fill(60, 39))]),
    message("CREATE_CHILD_SA request (SK)", hdr(X.CREATE_CHILD_SA, false, 2), [sk(PayloadType.N, fill(120, 41))]),
    message("INFORMATIONAL response (SK, empty)", hdr(X.INFORMATIONAL, true, 3), [sk(PayloadType.NO_NEXT_PAYLOAD, fill(28, 43))]),
    message("INFORMATIONAL unprotected INVALID_IKE_SPI", hdr(X.INFORMATIONAL, true, 0), [notify(N.INVALID_IKE_SPI)]),
    chain("IKE_AUTH request inner", X.IKE_AUTH, false, [
      idi(IdType.ID_FQDN, new TextEncoder().encode("initiator.example.org")), cert(CertEncoding.X509_CERT_SIGNATURE, fill(300, 45)),
      certreq(CertEncoding.X509_CERT_SIGNATURE, fill(20, 47)), idr(IdType.ID_RFC822_ADDR, new TextEncoder().encode("gw@example.org")),
      auth(AuthMethod.DIGITAL_SIGNATURE, fill(72, 49)), notify(N.INITIAL_CONTACT),
      cp(CfgType.CFG_REQUEST, cpAttribute(CpAttributeType.INTERNAL_IP4_ADDRESS), cpAttribute(CpAttributeType.INTERNAL_IP6_ADDRESS), cpAttribute(CpAttributeType.INTERNAL_IP4_DNS)),
      sa(espProposal), tsi(ts4, ts6), tsr(ts4tcp, tsSecLabel), notify(N.USE_TRANSPORT_MODE), notify(N.ESP_TFC_PADDING_NOT_SUPPORTED),
      vendorId(fill(8, 51)),
    ]),
    chain("IKE_AUTH response inner", X.IKE_AUTH, true, [
      idr(IdType.ID_IPV4_ADDR, Uint8Array.of(198, 51, 100, 7)), auth(AuthMethod.SHARED_KEY_MIC, fill(32, 53)),
      cp(CfgType.CFG_REPLY, cpAttribute(CpAttributeType.INTERNAL_IP4_ADDRESS, Uint8Array.of(10, 1, 2, 3)),
        cpAttribute(CpAttributeType.INTERNAL_IP6_ADDRESS, fill(17, 55)), cpAttribute(20000, fill(3, 57))),
      sa(espProposal), tsi(ts4), tsr(ts4), notify(N.AUTH_LIFETIME, Uint8Array.of(0, 0, 0x0e, 0x10)),
    ]),
    chain("IKE_AUTH EAP round inner", X.IKE_AUTH, true, [eap(Uint8Array.of(1, 7, 0, 9, 4, 0xde, 0xad, 0xbe, 0xef))]),
    chain("IKE_AUTH IDs inner", X.IKE_AUTH, false, [
      idi(IdType.ID_IPV6_ADDR, fill(16, 59)), idr(IdType.ID_DER_ASN1_DN, fill(40, 61)), auth(AuthMethod.ECDSA_SHA256_P256, fill(64, 65)),
    ]),
    chain("IKE_AUTH key-id and GN inner", X.IKE_AUTH, false, [
      idi(IdType.ID_KEY_ID, fill(9, 63)), idr(IdType.ID_DER_ASN1_GN, fill(12, 64)), auth(AuthMethod.RSA_DIGITAL_SIGNATURE, fill(64, 66)),
    ]),
    chain("IKE_AUTH NULL and private ID inner", X.IKE_AUTH, false, [
      idi(IdType.ID_NULL, new Uint8Array(0)), idr(250, fill(7, 68)), auth(AuthMethod.NULL_AUTH, fill(32, 70)),
    ]),
    chain("CREATE_CHILD_SA rekey Child SA inner", X.CREATE_CHILD_SA, false, [
      notify(N.REKEY_SA, new Uint8Array(0), { protocolId: ProtocolId.ESP, spi: Uint8Array.of(1, 2, 3, 4) }),
      sa(espProposal), nonce(fill(32, 67)), ke(KeId.CURVE25519, fill(32, 69)), tsi(ts4), tsr(ts6),
    ]),
    chain("CREATE_CHILD_SA rekey IKE SA inner", X.CREATE_CHILD_SA, false, [
      sa(proposal(1, ProtocolId.IKE, [transform(T.ENCR, EncrId.ENCR_CHACHA20_POLY1305), transform(T.PRF, PrfId.PRF_HMAC_SHA2_512), transform(T.KE, KeId.CURVE448)], fill(8, 71))),
      nonce(fill(48, 73)), ke(KeId.CURVE448, fill(56, 75)),
    ]),
    chain("INFORMATIONAL delete inner", X.INFORMATIONAL, false, [
      deletePayload(ProtocolId.ESP, [fill(4, 77), fill(4, 79), fill(4, 81)]), deletePayload(ProtocolId.IKE),
      notify(N.UPDATE_SA_ADDRESSES), notify(12345, fill(3, 83)),
    ]),
    chain("INFORMATIONAL CP set inner", X.INFORMATIONAL, false, [cp(CfgType.CFG_SET, cpAttribute(CpAttributeType.APPLICATION_VERSION, fill(5, 85)))]),
  ];
}
