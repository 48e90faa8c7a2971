// IANA "Internet Key Exchange Version 2 (IKEv2) Parameters" registries as open numeric enums: the names
// are the registry's, the fields that hold them are plain numbers, so an unknown or private-use value
// decodes and re-encodes unchanged (rustls msgs/enums.rs style). RFC 7296 §3 and the RFCs cited inline.

/** A registry: name → value. Fields holding registry values are typed `number` (open). */
export type Registry = Readonly<Record<string, number>>;

/** IKEv2 Exchange Types (RFC 7296 §3.1). 240-255 private use. */
export const ExchangeType = {
  IKE_SA_INIT: 34,
  IKE_AUTH: 35,
  CREATE_CHILD_SA: 36,
  INFORMATIONAL: 37,
  IKE_SESSION_RESUME: 38, // RFC 5723
  GSA_AUTH: 39, // RFC 9838
  GSA_REGISTRATION: 40, // RFC 9838
  GSA_REKEY: 41, // RFC 9838
  GSA_INBAND_REKEY: 42, // RFC 9838
  IKE_INTERMEDIATE: 43, // RFC 9242
  IKE_FOLLOWUP_KE: 44, // RFC 9370
} as const;

/** IKEv2 Payload Types (RFC 7296 §3.2), under the RFC's notation. 128-255 private use. */
export const PayloadType = {
  NO_NEXT_PAYLOAD: 0,
  SA: 33,
  KE: 34,
  IDi: 35,
  IDr: 36,
  CERT: 37,
  CERTREQ: 38,
  AUTH: 39,
  NONCE: 40, // Ni, Nr
  N: 41,
  D: 42,
  V: 43,
  TSi: 44,
  TSr: 45,
  SK: 46,
  CP: 47,
  EAP: 48,
  GSPM: 49, // RFC 6467
  IDg: 50, // RFC 9838
  GSA: 51, // RFC 9838
  KD: 52, // RFC 9838
  SKF: 53, // RFC 7383
  PS: 54, // RFC 8019
} as const;

/** Transform Type Values (RFC 7296 §3.3.2, RFC 9370, RFC 9838). 241-255 private use. */
export const TransformType = {
  ENCR: 1,
  PRF: 2,
  INTEG: 3,
  KE: 4, // "Diffie-Hellman Group (D-H)" before RFC 9370
  ESN: 5, // "Sequence Numbers (SN)" in RFC 9838
  ADDKE1: 6, // RFC 9370
  ADDKE2: 7,
  ADDKE3: 8,
  ADDKE4: 9,
  ADDKE5: 10,
  ADDKE6: 11,
  ADDKE7: 12,
  KWA: 13, // RFC 9838
  GCAUTH: 14, // RFC 9838
} as const;

/** IKEv2 Transform Attribute Types (RFC 7296 §3.3.5). 16384-32767 private use. */
export const TransformAttributeType = {
  KEY_LENGTH: 14, // TV, in bits
} as const;

/** Transform Type 1 - Encryption Algorithm Transform IDs. 1024-65535 private use. */
export const EncrId = {
  ENCR_DES_IV64: 1,
  ENCR_DES: 2,
  ENCR_3DES: 3,
  ENCR_RC5: 4,
  ENCR_IDEA: 5,
  ENCR_CAST: 6,
  ENCR_BLOWFISH: 7,
  ENCR_3IDEA: 8,
  ENCR_DES_IV32: 9,
  ENCR_NULL: 11,
  ENCR_AES_CBC: 12,
  ENCR_AES_CTR: 13,
  ENCR_AES_CCM_8: 14,
  ENCR_AES_CCM_12: 15,
  ENCR_AES_CCM_16: 16,
  ENCR_AES_GCM_8: 18,
  ENCR_AES_GCM_12: 19,
  ENCR_AES_GCM_16: 20,
  ENCR_NULL_AUTH_AES_GMAC: 21,
  ENCR_CAMELLIA_CBC: 23,
  ENCR_CAMELLIA_CTR: 24,
  ENCR_CAMELLIA_CCM_8: 25,
  ENCR_CAMELLIA_CCM_12: 26,
  ENCR_CAMELLIA_CCM_16: 27,
  ENCR_CHACHA20_POLY1305: 28, // RFC 7634
  ENCR_AES_CCM_8_IIV: 29, // RFC 8750
  ENCR_AES_GCM_16_IIV: 30, // RFC 8750
  ENCR_CHACHA20_POLY1305_IIV: 31, // RFC 8750
  ENCR_KUZNYECHIK_MGM_KTREE: 32, // RFC 9227
  ENCR_MAGMA_MGM_KTREE: 33,
  ENCR_KUZNYECHIK_MGM_MAC_KTREE: 34,
  ENCR_MAGMA_MGM_MAC_KTREE: 35,
} as const;

/** Transform Type 2 - Pseudorandom Function Transform IDs. 1024-65535 private use. */
export const PrfId = {
  PRF_HMAC_MD5: 1,
  PRF_HMAC_SHA1: 2,
  PRF_HMAC_TIGER: 3,
  PRF_AES128_XCBC: 4,
  PRF_HMAC_SHA2_256: 5,
  PRF_HMAC_SHA2_384: 6,
  PRF_HMAC_SHA2_512: 7,
  PRF_AES128_CMAC: 8,
  PRF_HMAC_STREEBOG_512: 9, // RFC 9385
} as const;

/** Transform Type 3 - Integrity Algorithm Transform IDs. 1024-65535 private use. */
export const IntegId = {
  NONE: 0,
  AUTH_HMAC_MD5_96: 1,
  AUTH_HMAC_SHA1_96: 2,
  AUTH_DES_MAC: 3,
  AUTH_KPDK_MD5: 4,
  AUTH_AES_XCBC_96: 5,
  AUTH_HMAC_MD5_128: 6,
  AUTH_HMAC_SHA1_160: 7,
  AUTH_AES_CMAC_96: 8,
  AUTH_AES_128_GMAC: 9,
  AUTH_AES_192_GMAC: 10,
  AUTH_AES_256_GMAC: 11,
  AUTH_HMAC_SHA2_256_128: 12,
  AUTH_HMAC_SHA2_384_192: 13,
  AUTH_HMAC_SHA2_512_256: 14,
} as const;

/** Transform Type 4 - Key Exchange Method Transform IDs (RFC 7296, 3526, 5114, 5903, 6954, 8031, 9385, 9370). */
export const KeId = {
  NONE: 0,
  MODP_768: 1,
  MODP_1024: 2,
  MODP_1536: 5,
  MODP_2048: 14,
  MODP_3072: 15,
  MODP_4096: 16,
  MODP_6144: 17,
  MODP_8192: 18,
  ECP_256: 19,
  ECP_384: 20,
  ECP_521: 21,
  MODP_1024_160: 22,
  MODP_2048_224: 23,
  MODP_2048_256: 24,
  ECP_192: 25,
  ECP_224: 26,
  BRAINPOOL_P224R1: 27,
  BRAINPOOL_P256R1: 28,
  BRAINPOOL_P384R1: 29,
  BRAINPOOL_P512R1: 30,
  CURVE25519: 31,
  CURVE448: 32,
  GOST3410_2012_256: 33,
  GOST3410_2012_512: 34,
  ML_KEM_512: 35,
  ML_KEM_768: 36,
  ML_KEM_1024: 37,
} as const;

/** Transform Type 5 - Extended Sequence Numbers Transform IDs (RFC 7296 §3.3.2). */
export const EsnId = {
  NO_ESN: 0,
  ESN: 1,
} as const;

/** IKEv2 Security Protocol Identifiers (RFC 7296 §3.3.1). 201-255 private use. */
export const ProtocolId = {
  IKE: 1,
  AH: 2,
  ESP: 3,
  FC_ESP_HEADER: 4, // RFC 4595
  FC_CT_AUTHENTICATION: 5, // RFC 4595
  GIKE_UPDATE: 6, // RFC 9838
} as const;

/** IKEv2 Identification Payload ID Types (RFC 7296 §3.5). 248-255 private use. */
export const IdType = {
  ID_IPV4_ADDR: 1,
  ID_FQDN: 2,
  ID_RFC822_ADDR: 3,
  ID_IPV6_ADDR: 5,
  ID_DER_ASN1_DN: 9,
  ID_DER_ASN1_GN: 10,
  ID_KEY_ID: 11,
  ID_FC_NAME: 12, // RFC 4595
  ID_NULL: 13, // RFC 7619
} as const;

/** IKEv2 Certificate Encodings (RFC 7296 §3.6). 201-255 private use. */
export const CertEncoding = {
  PKCS7_WRAPPED_X509: 1,
  PGP: 2,
  DNS_SIGNED_KEY: 3,
  X509_CERT_SIGNATURE: 4,
  KERBEROS_TOKEN: 6,
  CRL: 7,
  ARL: 8,
  SPKI: 9,
  X509_CERT_ATTRIBUTE: 10,
  RAW_RSA_KEY: 11,
  HASH_URL_X509_CERT: 12,
  HASH_URL_X509_BUNDLE: 13,
  OCSP_CONTENT: 14, // RFC 4806
  RAW_PUBLIC_KEY: 15, // RFC 7670
} as const;

/** IKEv2 Authentication Method (RFC 7296 §3.8). 201-255 private use. */
export const AuthMethod = {
  RSA_DIGITAL_SIGNATURE: 1,
  SHARED_KEY_MIC: 2,
  DSS_DIGITAL_SIGNATURE: 3,
  ECDSA_SHA256_P256: 9, // RFC 4754
  ECDSA_SHA384_P384: 10,
  ECDSA_SHA512_P521: 11,
  GENERIC_SECURE_PASSWORD: 12, // RFC 6467
  NULL_AUTH: 13, // RFC 7619
  DIGITAL_SIGNATURE: 14, // RFC 7427
} as const;

/**
 * IKEv2 Notify Message Types, error types (0-16383; 8192-16383 private use) and status types
 * (16384-65535; 40960-65535 private use). RFC 7296 §3.10.1 and the RFCs cited inline.
 */
export const NotifyType = {
  // Error types
  UNSUPPORTED_CRITICAL_PAYLOAD: 1,
  INVALID_IKE_SPI: 4,
  INVALID_MAJOR_VERSION: 5,
  INVALID_SYNTAX: 7,
  INVALID_MESSAGE_ID: 9,
  INVALID_SPI: 11,
  NO_PROPOSAL_CHOSEN: 14,
  INVALID_KE_PAYLOAD: 17,
  AUTHENTICATION_FAILED: 24,
  SINGLE_PAIR_REQUIRED: 34,
  NO_ADDITIONAL_SAS: 35,
  INTERNAL_ADDRESS_FAILURE: 36,
  FAILED_CP_REQUIRED: 37,
  TS_UNACCEPTABLE: 38,
  INVALID_SELECTORS: 39,
  UNACCEPTABLE_ADDRESSES: 40, // RFC 4555
  UNEXPECTED_NAT_DETECTED: 41, // RFC 4555
  USE_ASSIGNED_HoA: 42, // RFC 5026
  TEMPORARY_FAILURE: 43,
  CHILD_SA_NOT_FOUND: 44,
  INVALID_GROUP_ID: 45, // RFC 9838
  AUTHORIZATION_FAILED: 46, // RFC 9838
  STATE_NOT_FOUND: 47, // RFC 9370
  TS_MAX_QUEUE: 48, // RFC 9611
  REGISTRATION_FAILED: 49, // RFC 9838
  // Status types
  INITIAL_CONTACT: 16384,
  SET_WINDOW_SIZE: 16385,
  ADDITIONAL_TS_POSSIBLE: 16386,
  IPCOMP_SUPPORTED: 16387,
  NAT_DETECTION_SOURCE_IP: 16388,
  NAT_DETECTION_DESTINATION_IP: 16389,
  COOKIE: 16390,
  USE_TRANSPORT_MODE: 16391,
  HTTP_CERT_LOOKUP_SUPPORTED: 16392,
  REKEY_SA: 16393,
  ESP_TFC_PADDING_NOT_SUPPORTED: 16394,
  NON_FIRST_FRAGMENTS_ALSO: 16395,
  MOBIKE_SUPPORTED: 16396, // RFC 4555
  ADDITIONAL_IP4_ADDRESS: 16397, // RFC 4555
  ADDITIONAL_IP6_ADDRESS: 16398, // RFC 4555
  NO_ADDITIONAL_ADDRESSES: 16399, // RFC 4555
  UPDATE_SA_ADDRESSES: 16400, // RFC 4555
  COOKIE2: 16401, // RFC 4555
  NO_NATS_ALLOWED: 16402, // RFC 4555
  AUTH_LIFETIME: 16403, // RFC 4478
  MULTIPLE_AUTH_SUPPORTED: 16404, // RFC 4739
  ANOTHER_AUTH_FOLLOWS: 16405, // RFC 4739
  REDIRECT_SUPPORTED: 16406, // RFC 5685
  REDIRECT: 16407, // RFC 5685
  REDIRECTED_FROM: 16408, // RFC 5685
  TICKET_LT_OPAQUE: 16409, // RFC 5723
  TICKET_REQUEST: 16410, // RFC 5723
  TICKET_ACK: 16411, // RFC 5723
  TICKET_NACK: 16412, // RFC 5723
  TICKET_OPAQUE: 16413, // RFC 5723
  LINK_ID: 16414, // RFC 5739
  USE_WESP_MODE: 16415, // RFC 5840
  ROHC_SUPPORTED: 16416, // RFC 5857
  EAP_ONLY_AUTHENTICATION: 16417, // RFC 5998
  CHILDLESS_IKEV2_SUPPORTED: 16418, // RFC 6023
  QUICK_CRASH_DETECTION: 16419, // RFC 6290
  IKEV2_MESSAGE_ID_SYNC_SUPPORTED: 16420, // RFC 6311
  IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED: 16421, // RFC 6311
  IKEV2_MESSAGE_ID_SYNC: 16422, // RFC 6311
  IPSEC_REPLAY_COUNTER_SYNC: 16423, // RFC 6311
  SECURE_PASSWORD_METHODS: 16424, // RFC 6467
  PSK_PERSIST: 16425, // RFC 6631
  PSK_CONFIRM: 16426, // RFC 6631
  ERX_SUPPORTED: 16427, // RFC 6867
  IFOM_CAPABILITY: 16428, // 3GPP TS 24.303
  GROUP_SENDER: 16429, // RFC 9838 (registered earlier as SENDER_REQUEST_ID)
  IKEV2_FRAGMENTATION_SUPPORTED: 16430, // RFC 7383
  SIGNATURE_HASH_ALGORITHMS: 16431, // RFC 7427
  CLONE_IKE_SA_SUPPORTED: 16432, // RFC 7791
  CLONE_IKE_SA: 16433, // RFC 7791
  PUZZLE: 16434, // RFC 8019
  USE_PPK: 16435, // RFC 8784
  PPK_IDENTITY: 16436, // RFC 8784
  NO_PPK_AUTH: 16437, // RFC 8784
  INTERMEDIATE_EXCHANGE_SUPPORTED: 16438, // RFC 9242
  IP4_ALLOWED: 16439, // RFC 8983
  IP6_ALLOWED: 16440, // RFC 8983
  ADDITIONAL_KEY_EXCHANGE: 16441, // RFC 9370
  USE_AGGFRAG: 16442, // RFC 9347
  SUPPORTED_AUTH_METHODS: 16443, // RFC 9593
  SA_RESOURCE_INFO: 16444, // RFC 9611
  USE_PPK_INT: 16445, // RFC 9867
  PPK_IDENTITY_KEY: 16446, // RFC 9867
} as const;

/** First status type; below it a Notify is an error (RFC 7296 §3.10.1). */
export const NOTIFY_STATUS_MIN = 16384;

/** IKEv2 Notification IPCOMP Transform IDs (data of IPCOMP_SUPPORTED; RFC 7296 §3.10.1). */
export const IpcompId = {
  IPCOMP_OUI: 1,
  IPCOMP_DEFLATE: 2,
  IPCOMP_LZS: 3,
  IPCOMP_LZJH: 4,
} as const;

/** IKEv2 Traffic Selector Types (RFC 7296 §3.13.1). 241-255 private use. */
export const TsType = {
  TS_IPV4_ADDR_RANGE: 7,
  TS_IPV6_ADDR_RANGE: 8,
  TS_FC_ADDR_RANGE: 9, // RFC 4595
  TS_SECLABEL: 10, // RFC 9478
} as const;

/** IKEv2 Configuration Payload CFG Types (RFC 7296 §3.15). 128-255 private use. */
export const CfgType = {
  CFG_REQUEST: 1,
  CFG_REPLY: 2,
  CFG_SET: 3,
  CFG_ACK: 4,
} as const;

/** IKEv2 Configuration Payload Attribute Types (RFC 7296 §3.15.1). 16384-32767 private use. */
export const CpAttributeType = {
  INTERNAL_IP4_ADDRESS: 1,
  INTERNAL_IP4_NETMASK: 2,
  INTERNAL_IP4_DNS: 3,
  INTERNAL_IP4_NBNS: 4,
  INTERNAL_IP4_DHCP: 6,
  APPLICATION_VERSION: 7,
  INTERNAL_IP6_ADDRESS: 8,
  INTERNAL_IP6_DNS: 10,
  INTERNAL_IP6_DHCP: 12,
  INTERNAL_IP4_SUBNET: 13,
  SUPPORTED_ATTRIBUTES: 14,
  INTERNAL_IP6_SUBNET: 15,
  MIP6_HOME_PREFIX: 16, // RFC 5026
  INTERNAL_IP6_LINK: 17, // RFC 5739
  INTERNAL_IP6_PREFIX: 18, // RFC 5739
  HOME_AGENT_ADDRESS: 19, // 3GPP TS 24.302
  P_CSCF_IP4_ADDRESS: 20, // RFC 7651
  P_CSCF_IP6_ADDRESS: 21, // RFC 7651
  FTT_KAT: 22, // 3GPP TS 24.302
  EXTERNAL_SOURCE_IP4_NAT_INFO: 23, // 3GPP TS 24.302
  TIMEOUT_PERIOD_FOR_LIVENESS_CHECK: 24, // 3GPP TS 24.302
  INTERNAL_DNS_DOMAIN: 25, // RFC 8598
  INTERNAL_DNSSEC_TA: 26, // RFC 8598
  ENCDNS_IP4: 27, // RFC 9464
  ENCDNS_IP6: 28, // RFC 9464
  ENCDNS_DIGEST_INFO: 29, // RFC 9464
} as const;

/** IKEv2 Hash Algorithms (data of SIGNATURE_HASH_ALGORITHMS; RFC 7427 §7). */
export const HashAlgorithm = {
  SHA1: 1,
  SHA2_256: 2,
  SHA2_384: 3,
  SHA2_512: 4,
  IDENTITY: 5, // RFC 8420
  STREEBOG_256: 6, // RFC 9385
  STREEBOG_512: 7, // RFC 9385
} as const;

/** IKEv2 Gateway Identity Types (REDIRECT data; RFC 5685 §10). */
export const GatewayIdType = {
  IPV4: 1,
  IPV6: 2,
  FQDN: 3,
} as const;

/** EAP Codes (RFC 3748 §4, RFC 6696). */
export const EapCode = {
  REQUEST: 1,
  RESPONSE: 2,
  SUCCESS: 3,
  FAILURE: 4,
  INITIATE: 5,
  FINISH: 6,
} as const;

/** Private-use ranges, so names of private values say so. */
const PRIVATE_USE = new Map<Registry, readonly (readonly [number, number])[]>([
  [ExchangeType, [[240, 255]]],
  [PayloadType, [[128, 255]]],
  [TransformType, [[241, 255]]],
  [TransformAttributeType, [[16384, 32767]]],
  [EncrId, [[1024, 65535]]],
  [PrfId, [[1024, 65535]]],
  [IntegId, [[1024, 65535]]],
  [KeId, [[1024, 65535]]],
  [ProtocolId, [[201, 255]]],
  [IdType, [[248, 255]]],
  [CertEncoding, [[201, 255]]],
  [AuthMethod, [[201, 255]]],
  [NotifyType, [[8192, 16383], [40960, 65535]]],
  [TsType, [[241, 255]]],
  [CfgType, [[128, 255]]],
  [CpAttributeType, [[16384, 32767]]],
]);

const reverse = new Map<Registry, Map<number, string>>();

/**
 * The registry name of `value`, e.g. nameOf(NotifyType, 14) = "NO_PROPOSAL_CHOSEN"; unknown values come
 * back as "PRIVATE_USE(40961)" or "UNASSIGNED(77)" so a log line still says what was seen.
 */
export function nameOf(registry: Registry, value: number): string {
  let rev = reverse.get(registry);
  if (!rev) {
    rev = new Map();
    for (const [k, v] of Object.entries(registry)) if (!rev.has(v)) rev.set(v, k);
    reverse.set(registry, rev);
  }
  const n = rev.get(value);
  if (n !== undefined) return n;
  for (const [lo, hi] of PRIVATE_USE.get(registry) ?? []) if (value >= lo && value <= hi) return `PRIVATE_USE(${value})`;
  return `UNASSIGNED(${value})`;
}

/** The registry of Transform IDs for a Transform Type, when we have one (RFC 7296 §3.3.2). */
export function transformIdRegistry(transformType: number): Registry | undefined {
  switch (transformType) {
    case TransformType.ENCR: return EncrId;
    case TransformType.PRF: return PrfId;
    case TransformType.INTEG: return IntegId;
    case TransformType.KE:
    case TransformType.ADDKE1: case TransformType.ADDKE2: case TransformType.ADDKE3: case TransformType.ADDKE4:
    case TransformType.ADDKE5: case TransformType.ADDKE6: case TransformType.ADDKE7:
      return KeId;
    case TransformType.ESN: return EsnId;
    default: return undefined;
  }
}

/** True for Notify error types (0-16383), false for status types (RFC 7296 §3.10.1). */
export function isErrorNotify(type: number): boolean {
  return type < NOTIFY_STATUS_MIN;
}
