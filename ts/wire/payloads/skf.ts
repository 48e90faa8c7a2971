// Encrypted Fragment payload (SKF), RFC 7383 §2.5.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |        Fragment Number        |        Total Fragments        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     Initialization Vector                     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                      Encrypted content                        ~
//   +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |               |             Padding (0-255 octets)            |
//   +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
//   |                                               |  Pad Length   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                    Integrity Checksum Data                    ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "Fragment Number: current fragment message number, starting from 1"; "Total Fragments: number of
// fragments original message was divided into"; Fragment Number <= Total Fragments. Next Payload is the
// first inner payload's type in fragment 1 and zero in the others. The AAD of a fragment runs through
// Total Fragments (RFC 7383 §2.5), which is where the message layer puts bodyOffset.
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { invalidArgument } from "../errors.ts";
import { PayloadType } from "../iana.ts";

export interface SkfPayload {
  readonly type: typeof PayloadType.SKF;
  readonly critical?: boolean;
  /** Next Payload: the first inner payload's type in fragment 1, zero in the others. */
  readonly firstInner: number;
  readonly fragmentNumber: number;
  readonly totalFragments: number;
  /** IV, encrypted content, padding, pad length and ICV, as on the wire. */
  readonly body: Uint8Array;
}

export function decode(r: Reader, _len: number, firstInner: number): SkfPayload {
  const at = r.offset;
  const fragmentNumber = r.u16("Fragment Number");
  const totalFragments = r.u16("Total Fragments");
  if (fragmentNumber === 0) throw r.error("BAD_VALUE", "Fragment Number 0; fragments are numbered from 1 (RFC 7383 §2.5)", at);
  if (totalFragments === 0) throw r.error("BAD_VALUE", "Total Fragments 0 (RFC 7383 §2.5)", at + 2);
  if (fragmentNumber > totalFragments) {
    throw r.error("BAD_VALUE", `Fragment Number ${fragmentNumber} > Total Fragments ${totalFragments} (RFC 7383 §2.5)`, at);
  }
  if (totalFragments > r.limits.maxFragments) {
    throw r.error("LIMIT_EXCEEDED", `Total Fragments ${totalFragments}, more than ${r.limits.maxFragments}`, at + 2);
  }
  return { type: PayloadType.SKF, firstInner, fragmentNumber, totalFragments, body: r.rest() };
}

export function encode(w: Writer, p: SkfPayload): void {
  requireBytes("encode SKF payload", "body", p.body);
  if (p.fragmentNumber < 1 || p.fragmentNumber > p.totalFragments) {
    throw invalidArgument("encode SKF payload", `fragment ${p.fragmentNumber} of ${p.totalFragments}`);
  }
  w.u16(p.fragmentNumber, "fragmentNumber");
  w.u16(p.totalFragments, "totalFragments");
  w.bytes(p.body, "body");
}
