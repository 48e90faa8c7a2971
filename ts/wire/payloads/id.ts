// Identification payloads IDi and IDr, RFC 7296 §3.5.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   ID Type     |                 RESERVED                      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                   Identification Data                         ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The AUTH computation (§2.15) signs the body as sent (RestOfInitIDPayload); decodeMessage reports each
// payload's span so the engine can take those bytes from the message itself.
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { invalidArgument } from "../errors.ts";
import { IdType, PayloadType } from "../iana.ts";

export interface IdPayload {
  readonly type: typeof PayloadType.IDi | typeof PayloadType.IDr;
  readonly critical?: boolean;
  /** IANA ID Type (IdType); unknown types are kept as opaque data. */
  readonly idType: number;
  /**
   * Identification Data: 4 bytes for ID_IPV4_ADDR, 16 for ID_IPV6_ADDR, ASCII for ID_FQDN and
   * ID_RFC822_ADDR, DER for ID_DER_ASN1_DN / _GN, opaque octets for ID_KEY_ID, empty for ID_NULL.
   */
  readonly data: Uint8Array;
}

/** Checks the Identification Data against its ID Type; returns a reason, or undefined when fine. */
export function idDataProblem(idType: number, data: Uint8Array): string | undefined {
  switch (idType) {
    case IdType.ID_IPV4_ADDR:
      return data.length === 4 ? undefined : `ID_IPV4_ADDR data is ${data.length} bytes, expected 4`;
    case IdType.ID_IPV6_ADDR:
      return data.length === 16 ? undefined : `ID_IPV6_ADDR data is ${data.length} bytes, expected 16`;
    case IdType.ID_FQDN:
    case IdType.ID_RFC822_ADDR:
      // RFC 7296 §3.5: "MUST NOT contain any terminators (e.g., NULL, CR, etc.)"
      for (const b of data) if (b === 0 || b === 0x0d || b === 0x0a) return `${idType === IdType.ID_FQDN ? "ID_FQDN" : "ID_RFC822_ADDR"} contains a terminator (0x${b.toString(16).padStart(2, "0")})`;
      return undefined;
    case IdType.ID_NULL:
      // RFC 7619 §3: the ID_NULL Identification Data is empty.
      return data.length === 0 ? undefined : `ID_NULL data must be empty, is ${data.length} bytes`;
    default:
      return undefined;
  }
}

export function decode(r: Reader, _len: number, type: typeof PayloadType.IDi | typeof PayloadType.IDr): IdPayload {
  const at = r.offset;
  const idType = r.u8("ID Type");
  r.skip(3, "RESERVED");
  const data = r.rest();
  const problem = idDataProblem(idType, data);
  if (problem) throw r.error("BAD_VALUE", problem, at);
  return { type, idType, data };
}

export function encode(w: Writer, p: IdPayload): void {
  requireBytes("encode ID payload", "data", p.data);
  const problem = idDataProblem(p.idType, p.data);
  if (problem) throw invalidArgument("encode ID payload", problem);
  w.u8(p.idType, "idType");
  w.zeros(3);
  w.bytes(p.data, "data");
}
