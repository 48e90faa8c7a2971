// Extensible Authentication Protocol payload, RFC 7296 §3.16, carrying one EAP message (RFC 3748 §4).
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                       EAP Message                             ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   EAP Message:
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     Code      | Identifier    |           Length              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     Type      | Type_Data...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The message stays opaque (the EAP method owns it); we check that its Length matches the payload,
// that Success and Failure are exactly 4 octets, and that Request and Response carry a Type.
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { EAP_HEADER_LENGTH } from "../constants.ts";
import { invalidArgument } from "../errors.ts";
import { EapCode, PayloadType } from "../iana.ts";

export interface EapPayload {
  readonly type: typeof PayloadType.EAP;
  readonly critical?: boolean;
  /** The whole EAP message, Code through Type_Data. */
  readonly message: Uint8Array;
}

export interface EapHeader {
  readonly code: number;
  readonly identifier: number;
  readonly length: number;
  /** The EAP method Type, for Request and Response. */
  readonly eapType?: number;
}

/** Why an EAP message is malformed, or undefined. */
export function eapProblem(m: Uint8Array): string | undefined {
  if (m.length < EAP_HEADER_LENGTH) return `EAP message of ${m.length} bytes, shorter than its 4-byte header`;
  const code = m[0], length = (m[2] << 8) | m[3];
  if (length !== m.length) return `EAP Length ${length} but the payload holds ${m.length} bytes`;
  if ((code === EapCode.SUCCESS || code === EapCode.FAILURE) && length !== EAP_HEADER_LENGTH) {
    return `EAP ${code === EapCode.SUCCESS ? "Success" : "Failure"} of length ${length}, MUST be 4 (RFC 3748 §4.2)`;
  }
  if ((code === EapCode.REQUEST || code === EapCode.RESPONSE) && length < EAP_HEADER_LENGTH + 1) {
    return `EAP ${code === EapCode.REQUEST ? "Request" : "Response"} without a Type (RFC 3748 §4.1)`;
  }
  return undefined;
}

/** Code, Identifier, Length and Type of a well-formed EAP message. */
export function eapHeader(p: EapPayload): EapHeader {
  const m = p.message;
  const problem = eapProblem(m);
  if (problem) throw invalidArgument("eapHeader", problem);
  const code = m[0];
  return {
    code, identifier: m[1], length: (m[2] << 8) | m[3],
    ...(code === EapCode.REQUEST || code === EapCode.RESPONSE ? { eapType: m[4] } : {}),
  };
}

export function decode(r: Reader, _len: number): EapPayload {
  const at = r.offset;
  const message = r.rest();
  const problem = eapProblem(message);
  if (problem) throw r.error("BAD_LENGTH", problem, at);
  return { type: PayloadType.EAP, message };
}

export function encode(w: Writer, p: EapPayload): void {
  requireBytes("encode EAP payload", "message", p.message);
  const problem = eapProblem(p.message);
  if (problem) throw invalidArgument("encode EAP payload", problem);
  w.bytes(p.message, "message");
}
