// Encrypted and Authenticated payload (SK), RFC 7296 §3.14.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     Initialization Vector                     |
//   |         (length is block size for encryption algorithm)       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                    Encrypted IKE Payloads                     ~
//   +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |               |             Padding (0-255 octets)            |
//   +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
//   |                                               |  Pad Length   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                    Integrity Checksum Data                    ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Here the body (IV through ICV) is opaque: the protection layer splits and decrypts it, then hands
// the plaintext to decodePayloadChain(firstInner, ...). "The Next Payload field of the Encrypted
// payload is set to the type of the first payload inside"; the SK payload MUST be last (§3.14).
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { PayloadType } from "../iana.ts";

export interface SkPayload {
  readonly type: typeof PayloadType.SK;
  readonly critical?: boolean;
  /** Type of the first payload inside (the SK payload's Next Payload field). */
  readonly firstInner: number;
  /** IV, ciphertext, padding, pad length and ICV, as on the wire. */
  readonly body: Uint8Array;
}

export function decode(r: Reader, _len: number, firstInner: number): SkPayload {
  return { type: PayloadType.SK, firstInner, body: r.rest() };
}

export function encode(w: Writer, p: SkPayload): void {
  requireBytes("encode SK payload", "body", p.body);
  w.bytes(p.body, "body");
}
