// Authentication payload, RFC 7296 §3.8.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Auth Method   |                RESERVED                       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                      Authentication Data                      ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { PayloadType } from "../iana.ts";

export interface AuthPayload {
  readonly type: typeof PayloadType.AUTH;
  readonly critical?: boolean;
  /** IANA Authentication Method (AuthMethod). */
  readonly method: number;
  readonly data: Uint8Array;
}

export function decode(r: Reader, _len: number): AuthPayload {
  const method = r.u8("Auth Method");
  r.skip(3, "RESERVED");
  return { type: PayloadType.AUTH, method, data: r.rest() };
}

export function encode(w: Writer, p: AuthPayload): void {
  requireBytes("encode AUTH payload", "data", p.data);
  w.u8(p.method, "method");
  w.zeros(3);
  w.bytes(p.data, "data");
}
