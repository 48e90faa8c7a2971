// Protocol constants of RFC 7296 §3 and RFC 7383, under the RFC's names. Implementation limits are
// elsewhere (limits.ts); registry values are in iana.ts.

/** RFC 7296 §3.1: the IKE header is 28 octets. */
export const IKE_HEADER_LENGTH = 28;
/** RFC 7296 §3.2: the generic payload header is 4 octets. */
export const GENERIC_PAYLOAD_HEADER_LENGTH = 4;
/** RFC 7296 §3.1: "MUST set the major version to 2". */
export const IKE_MAJOR_VERSION = 2;
/** RFC 7296 §3.1: "... and the minor version to zero". */
export const IKE_MINOR_VERSION = 0;
/** RFC 7296 §3.1 flags: I(nitiator), V(ersion), R(esponse) bits of the Flags octet. */
export const FLAG_INITIATOR = 0x08;
export const FLAG_VERSION = 0x10;
export const FLAG_RESPONSE = 0x20;
/** RFC 7296 §3.2: the Critical bit of the generic payload header. */
export const CRITICAL_BIT = 0x80;
/** RFC 7296 §2.10: "Nonces used in IKEv2 MUST be randomly chosen, MUST be at least 128 bits in size" */
export const NONCE_MIN_LENGTH = 16;
/** RFC 7296 §3.9: "The size of the Nonce Data MUST be between 16 and 256 octets, inclusive." */
export const NONCE_MAX_LENGTH = 256;
/** RFC 7296 §3.3.1: Last Substruc of a Proposal: 0 (last) or 2 (more). */
export const LAST_SUBSTRUC_LAST = 0;
export const LAST_SUBSTRUC_MORE_PROPOSALS = 2;
/** RFC 7296 §3.3.2: Last Substruc of a Transform: 0 (last) or 3 (more). */
export const LAST_SUBSTRUC_MORE_TRANSFORMS = 3;
/** RFC 7296 §3.3.5: Attribute Format bit: 1 = TV (2-octet value), 0 = TLV. */
export const ATTRIBUTE_FORMAT_TV = 0x8000;
/** RFC 7296 §2.6: COOKIE notification data is 1 to 64 octets. */
export const COOKIE_MAX_LENGTH = 64;
/** RFC 7296 §3.13.1: selector lengths of the address-range TS types. */
export const TS_IPV4_SELECTOR_LENGTH = 16;
export const TS_IPV6_SELECTOR_LENGTH = 40;
/** RFC 3748 §4: EAP header (Code, Identifier, Length) is 4 octets. */
export const EAP_HEADER_LENGTH = 4;
