// Notify payload, RFC 7296 §3.10.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Protocol ID  |   SPI Size    |      Notify Message Type      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                Security Parameter Index (SPI)                 ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                       Notification Data                       ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "If the SPI field is empty, this field [Protocol ID] MUST be sent as zero and MUST be ignored on
// receipt": we keep it as received so a message re-encodes unchanged.
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { COOKIE_MAX_LENGTH } from "../constants.ts";
import { invalidArgument, wireError } from "../errors.ts";
import { NotifyType, PayloadType } from "../iana.ts";

export interface NotifyPayload {
  readonly type: typeof PayloadType.N;
  readonly critical?: boolean;
  /** Security Protocol Identifier (ProtocolId), 0 when there is no SPI. */
  readonly protocolId: number;
  /** Empty for notifications about the IKE SA; 4 bytes for ESP/AH (e.g. REKEY_SA). */
  readonly spi: Uint8Array;
  /** IANA Notify Message Type (NotifyType); unknown types are kept. */
  readonly notifyType: number;
  readonly data: Uint8Array;
}

export function decode(r: Reader, _len: number): NotifyPayload {
  const at = r.offset;
  const protocolId = r.u8("Protocol ID");
  const spiSize = r.u8("SPI Size");
  const notifyType = r.u16("Notify Message Type");
  if (spiSize > r.remaining) throw r.error("BAD_LENGTH", `SPI Size ${spiSize} exceeds the ${r.remaining} bytes left`, at + 1);
  const spi = r.bytes(spiSize, "SPI");
  const data = r.rest();
  // RFC 7296 §2.6: "The data associated with this notification MUST be between 1 and 64 octets".
  if (notifyType === NotifyType.COOKIE && (data.length < 1 || data.length > COOKIE_MAX_LENGTH)) {
    throw r.error("BAD_LENGTH", `COOKIE data is ${data.length} bytes, MUST be 1..${COOKIE_MAX_LENGTH} (RFC 7296 §2.6)`, at);
  }
  return { type: PayloadType.N, protocolId, spi, notifyType, data };
}

export function encode(w: Writer, p: NotifyPayload): void {
  requireBytes("encode Notify payload", "spi", p.spi);
  requireBytes("encode Notify payload", "data", p.data);
  if (p.notifyType === NotifyType.COOKIE && (p.data.length < 1 || p.data.length > COOKIE_MAX_LENGTH)) {
    throw invalidArgument("encode Notify payload", `COOKIE data is ${p.data.length} bytes, MUST be 1..${COOKIE_MAX_LENGTH}`);
  }
  w.u8(p.protocolId, "protocolId");
  w.u8(p.spi.length, "SPI size");
  w.u16(p.notifyType, "notifyType");
  w.bytes(p.spi, "spi");
  w.bytes(p.data, "data");
}

// Readers for the Notification Data of a few types whose data has structure. Each throws a WireError
// (BAD_LENGTH, INVALID_SYNTAX) when the peer's data does not fit.

function dataError(detail: string) {
  return wireError("BAD_LENGTH", "Notify payload", detail, -1, PayloadType.N);
}

/** INVALID_KE_PAYLOAD data: the 2-octet group the responder wants (RFC 7296 §1.2). */
export function invalidKeGroup(p: NotifyPayload): number {
  if (p.data.length !== 2) throw dataError(`INVALID_KE_PAYLOAD data is ${p.data.length} bytes, expected 2`);
  return (p.data[0] << 8) | p.data[1];
}

/** SIGNATURE_HASH_ALGORITHMS data: a list of 2-octet hash algorithm IDs (RFC 7427 §4). */
export function signatureHashAlgorithms(p: NotifyPayload): number[] {
  if (p.data.length % 2 !== 0) throw dataError(`SIGNATURE_HASH_ALGORITHMS data is ${p.data.length} bytes, not a multiple of 2`);
  const out: number[] = [];
  for (let i = 0; i < p.data.length; i += 2) out.push((p.data[i] << 8) | p.data[i + 1]);
  return out;
}

/** UNSUPPORTED_CRITICAL_PAYLOAD data: the one-octet payload type (RFC 7296 §3.10.1). */
export function unsupportedCriticalPayloadType(p: NotifyPayload): number {
  if (p.data.length !== 1) throw dataError(`UNSUPPORTED_CRITICAL_PAYLOAD data is ${p.data.length} bytes, expected 1`);
  return p.data[0];
}

/** A list of 2-octet values as Notification Data (SIGNATURE_HASH_ALGORITHMS, INVALID_KE_PAYLOAD). */
export function u16List(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw invalidArgument("u16List", `${v} is not an integer in 0..65535`);
    out[2 * i] = v >>> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}
