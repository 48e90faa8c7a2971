// Vendor ID payload, RFC 7296 §3.12.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                        Vendor ID (VID)                        ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { PayloadType } from "../iana.ts";

export interface VendorIdPayload {
  readonly type: typeof PayloadType.V;
  readonly critical?: boolean;
  readonly data: Uint8Array;
}

export function decode(r: Reader, _len: number): VendorIdPayload {
  return { type: PayloadType.V, data: r.rest() };
}

export function encode(w: Writer, p: VendorIdPayload): void {
  requireBytes("encode Vendor ID payload", "data", p.data);
  w.bytes(p.data, "data");
}
