// IKE header, RFC 7296 §3.1.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                       IKE SA Initiator's SPI                  |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                       IKE SA Responder's SPI                  |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                          Message ID                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                            Length                             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   Flags: | X | X | R | V | I | X | X | X |
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import {
  FLAG_INITIATOR, FLAG_RESPONSE, FLAG_VERSION, IKE_HEADER_LENGTH, IKE_MAJOR_VERSION, IKE_MINOR_VERSION,
} from "../constants.ts";
import { wireError } from "../errors.ts";

/** The header fields a sender chooses; Next Payload and Length are computed by the encoder. */
export interface IkeHeaderFields {
  /** IKE SA Initiator's SPI, 8 bytes. */
  readonly spiI: Uint8Array;
  /** IKE SA Responder's SPI, 8 bytes (zero in the first IKE_SA_INIT request). */
  readonly spiR: Uint8Array;
  /** IANA "IKEv2 Exchange Types" (ExchangeType). */
  readonly exchangeType: number;
  /** I flag: set by the original initiator of the IKE SA (RFC 7296 §3.1). */
  readonly initiator: boolean;
  /** R flag: this message is a response. */
  readonly response: boolean;
  /** V flag: the sender can speak a higher major version. Default false. */
  readonly higherVersion?: boolean;
  readonly messageId: number;
  /** Default 2. */
  readonly majorVersion?: number;
  /** Default 0. */
  readonly minorVersion?: number;
}

/** A decoded header: every field, as received (reserved flag bits are dropped). */
export interface IkeHeader extends IkeHeaderFields {
  readonly higherVersion: boolean;
  readonly majorVersion: number;
  readonly minorVersion: number;
  /** Type of the first payload. */
  readonly nextPayload: number;
  /** Length of the whole message, header included. */
  readonly length: number;
}

/** Offset of the Length field inside the header. */
export const HEADER_LENGTH_OFFSET = 24;

/**
 * Reads the 28-octet header. A major version other than 2 is BAD_VERSION (RFC 7296 §2.5: a higher one
 * is answered with INVALID_MAJOR_VERSION; a lower one, IKEv1, is not ours to answer).
 */
export function decode(r: Reader): IkeHeader {
  const at = r.offset;
  if (r.remaining < IKE_HEADER_LENGTH) {
    throw wireError("TRUNCATED", "IKE header", `needs ${IKE_HEADER_LENGTH} bytes, ${r.remaining} left`, at);
  }
  const spiI = r.bytes(8, "IKE SA Initiator's SPI");
  const spiR = r.bytes(8, "IKE SA Responder's SPI");
  const nextPayload = r.u8("Next Payload");
  const ver = r.u8("version");
  const majorVersion = ver >>> 4, minorVersion = ver & 0x0f;
  const exchangeType = r.u8("Exchange Type");
  const flags = r.u8("Flags");
  const messageId = r.u32("Message ID");
  const length = r.u32("Length");
  const h: IkeHeader = {
    spiI, spiR, nextPayload, majorVersion, minorVersion, exchangeType,
    initiator: (flags & FLAG_INITIATOR) !== 0,
    higherVersion: (flags & FLAG_VERSION) !== 0,
    response: (flags & FLAG_RESPONSE) !== 0,
    messageId, length,
  };
  if (majorVersion !== IKE_MAJOR_VERSION) {
    const e = wireError("BAD_VERSION", "IKE header", `major version ${majorVersion}.${minorVersion}, only ${IKE_MAJOR_VERSION} is spoken`,
      at + 17, undefined, majorVersion);
    e.header = h; // the SPIs and Message ID an INVALID_MAJOR_VERSION answer needs (RFC 7296 §2.5)
    throw e;
  }
  return h;
}

/** Writes the header; `length` may be a placeholder patched later (see patchHeaderLength). */
export function encode(w: Writer, h: IkeHeaderFields, nextPayload: number, length: number): void {
  requireBytes("IKE header", "spiI", h.spiI, 8);
  requireBytes("IKE header", "spiR", h.spiR, 8);
  w.bytes(h.spiI, "spiI");
  w.bytes(h.spiR, "spiR");
  w.u8(nextPayload, "Next Payload");
  const major = h.majorVersion ?? IKE_MAJOR_VERSION, minor = h.minorVersion ?? IKE_MINOR_VERSION;
  w.u8((checkNibble(major, "majorVersion") << 4) | checkNibble(minor, "minorVersion"), "version");
  w.u8(h.exchangeType, "Exchange Type");
  w.u8((h.initiator ? FLAG_INITIATOR : 0) | (h.higherVersion ? FLAG_VERSION : 0) | (h.response ? FLAG_RESPONSE : 0), "Flags");
  w.u32(h.messageId, "Message ID");
  w.u32(length, "Length");
}

function checkNibble(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 15) {
    throw wireError("INVALID_ARGUMENT", "IKE header", `${what}: ${v} is not an integer in 0..15`, -1);
  }
  return v;
}
