// Certificate payload, RFC 7296 §3.6.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Cert Encoding |                                               |
//   +-+-+-+-+-+-+-+-+                                               |
//   ~                       Certificate Data                        ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { PayloadType } from "../iana.ts";

export interface CertPayload {
  readonly type: typeof PayloadType.CERT;
  readonly critical?: boolean;
  /** IANA Certificate Encoding (CertEncoding). */
  readonly encoding: number;
  readonly data: Uint8Array;
}

export function decode(r: Reader, _len: number): CertPayload {
  const encoding = r.u8("Cert Encoding");
  if (r.remaining > r.limits.maxCertSize) {
    throw r.error("LIMIT_EXCEEDED", `Certificate Data of ${r.remaining} bytes exceeds the ${r.limits.maxCertSize}-byte limit`);
  }
  return { type: PayloadType.CERT, encoding, data: r.rest() };
}

export function encode(w: Writer, p: CertPayload): void {
  requireBytes("encode CERT payload", "data", p.data);
  w.u8(p.encoding, "encoding");
  w.bytes(p.data, "data");
}
