// Certificate Request payload, RFC 7296 §3.7.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Cert Encoding |                                               |
//   +-+-+-+-+-+-+-+-+                                               |
//   ~                    Certification Authority                    ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// For X.509 encodings the Certification Authority field is a concatenation of 20-byte SHA-1 hashes of
// trust anchors' public keys (§3.7); caHashes() splits it.
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { PayloadType } from "../iana.ts";

export interface CertReqPayload {
  readonly type: typeof PayloadType.CERTREQ;
  readonly critical?: boolean;
  /** IANA Certificate Encoding (CertEncoding). */
  readonly encoding: number;
  readonly data: Uint8Array;
}

export function decode(r: Reader, _len: number): CertReqPayload {
  const encoding = r.u8("Cert Encoding");
  return { type: PayloadType.CERTREQ, encoding, data: r.rest() };
}

export function encode(w: Writer, p: CertReqPayload): void {
  requireBytes("encode CERTREQ payload", "data", p.data);
  w.u8(p.encoding, "encoding");
  w.bytes(p.data, "data");
}

/**
 * The 20-byte SHA-1 key hashes of an X.509 CERTREQ (§3.7), or undefined when the length is not a
 * multiple of 20 (the RFC lets a receiver ignore such a request).
 */
export function caHashes(p: CertReqPayload): Uint8Array[] | undefined {
  if (p.data.length % 20 !== 0) return undefined;
  const out: Uint8Array[] = [];
  for (let i = 0; i < p.data.length; i += 20) out.push(p.data.slice(i, i + 20));
  return out;
}
