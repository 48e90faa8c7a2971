// Generic payload header, RFC 7296 §3.2.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Payload Length includes this header. The C(ritical) bit applies to this payload: when its type is
// not understood, C=1 means "reject the whole message" (UNSUPPORTED_CRITICAL_PAYLOAD), C=0 "skip it".
import type { Reader, Writer } from "../codec.ts";
import { CRITICAL_BIT, GENERIC_PAYLOAD_HEADER_LENGTH } from "../constants.ts";

export interface GenericHeader {
  readonly nextPayload: number;
  readonly critical: boolean;
  /** Payload Length, header included (checked >= 4 and within the enclosing window). */
  readonly length: number;
}

/** Reads and checks a generic payload header. `what` names the payload for errors. */
export function decode(r: Reader, what: string): GenericHeader {
  if (r.remaining < GENERIC_PAYLOAD_HEADER_LENGTH) {
    throw r.error("TRUNCATED", `generic header of ${what}: needs 4 bytes, ${r.remaining} left`);
  }
  const at = r.offset;
  const nextPayload = r.u8("Next Payload");
  const critical = (r.u8("flags") & CRITICAL_BIT) !== 0;
  const length = r.u16("Payload Length");
  if (length < GENERIC_PAYLOAD_HEADER_LENGTH) {
    throw r.error("BAD_LENGTH", `${what}: Payload Length ${length} < 4`, at + 2);
  }
  if (length - GENERIC_PAYLOAD_HEADER_LENGTH > r.remaining) {
    throw r.error("BAD_LENGTH", `${what}: Payload Length ${length} exceeds the ${r.remaining + GENERIC_PAYLOAD_HEADER_LENGTH} bytes left`, at + 2);
  }
  return { nextPayload, critical, length };
}

/** Writes a generic header with a zero length; returns where to patch the length. */
export function encode(w: Writer, nextPayload: number, critical: boolean): number {
  w.u8(nextPayload, "Next Payload");
  w.u8(critical ? CRITICAL_BIT : 0, "flags");
  const at = w.length;
  w.u16(0, "Payload Length");
  return at;
}
