// A payload whose type we do not implement, RFC 7296 §2.5 and §3.2: with the critical bit clear it is
// skipped, i.e. kept here as opaque bytes so the message re-encodes unchanged; with the critical bit set
// the decoder refuses the message (UNSUPPORTED_CRITICAL_PAYLOAD) before reaching this file.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                            body                               ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { requireBytes, type Reader, type Writer } from "../codec.ts";

/** `type` is "unknown" (so unions narrow cleanly); the wire type number is `payloadType`. */
export interface UnknownPayload {
  readonly type: "unknown";
  /** The Payload Type number as on the wire. */
  readonly payloadType: number;
  readonly critical: boolean;
  readonly body: Uint8Array;
}

export function decode(r: Reader, _len: number, payloadType: number, critical: boolean): UnknownPayload {
  return { type: "unknown", payloadType, critical, body: r.rest() };
}

export function encode(w: Writer, p: UnknownPayload): void {
  requireBytes("encode unknown payload", "body", p.body);
  w.bytes(p.body, "body");
}
