// Nonce payload, RFC 7296 §3.9.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                            Nonce Data                         ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "The size of the Nonce Data MUST be between 16 and 256 octets, inclusive."
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { NONCE_MAX_LENGTH, NONCE_MIN_LENGTH } from "../constants.ts";
import { invalidArgument } from "../errors.ts";
import { PayloadType } from "../iana.ts";

export interface NoncePayload {
  readonly type: typeof PayloadType.NONCE;
  readonly critical?: boolean;
  readonly data: Uint8Array;
}

export function decode(r: Reader, len: number): NoncePayload {
  if (len < NONCE_MIN_LENGTH || len > NONCE_MAX_LENGTH) {
    throw r.error("BAD_LENGTH", `Nonce Data is ${len} bytes, MUST be ${NONCE_MIN_LENGTH}..${NONCE_MAX_LENGTH} (RFC 7296 §3.9)`);
  }
  return { type: PayloadType.NONCE, data: r.rest() };
}

export function encode(w: Writer, p: NoncePayload): void {
  requireBytes("encode Nonce payload", "data", p.data);
  if (p.data.length < NONCE_MIN_LENGTH || p.data.length > NONCE_MAX_LENGTH) {
    throw invalidArgument("encode Nonce payload", `Nonce Data is ${p.data.length} bytes, MUST be ${NONCE_MIN_LENGTH}..${NONCE_MAX_LENGTH}`);
  }
  w.bytes(p.data, "data");
}
