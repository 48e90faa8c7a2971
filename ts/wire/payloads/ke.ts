// Key Exchange payload, RFC 7296 §3.4.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Diffie-Hellman Group Num    |           RESERVED            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                       Key Exchange Data                       ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Whether the data length fits the group is the key exchange's check (RFC 7296 §3.4), not ours.
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { PayloadType } from "../iana.ts";

export interface KePayload {
  readonly type: typeof PayloadType.KE;
  readonly critical?: boolean;
  /** Key Exchange Method Transform ID (KeId), "Diffie-Hellman Group Num". */
  readonly group: number;
  readonly data: Uint8Array;
}

export function decode(r: Reader, _len: number): KePayload {
  const group = r.u16("Diffie-Hellman Group Num");
  r.skip(2, "RESERVED");
  return { type: PayloadType.KE, group, data: r.rest() };
}

export function encode(w: Writer, p: KePayload): void {
  requireBytes("encode KE payload", "data", p.data);
  w.u16(p.group, "group");
  w.u16(0, "RESERVED");
  w.bytes(p.data, "data");
}
