// Delete payload, RFC 7296 §3.11.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Protocol ID   |   SPI Size    |          Num of SPIs          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~               Security Parameter Index(es) (SPI)              ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Deleting the IKE SA: Protocol ID 1, SPI Size 0, no SPIs. ESP/AH: SPI Size 4, the SPIs the sender
// expects inbound. A non-zero count of zero-size SPIs is refused: it would cost nothing on the wire
// and let a 12-byte payload announce 65535 entries.
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { invalidArgument } from "../errors.ts";
import { PayloadType, ProtocolId } from "../iana.ts";

export interface DeletePayload {
  readonly type: typeof PayloadType.D;
  readonly critical?: boolean;
  /** Security Protocol Identifier (ProtocolId). */
  readonly protocolId: number;
  /** SPI Size: 0 for IKE, 4 for ESP and AH. */
  readonly spiSize: number;
  readonly spis: readonly Uint8Array[];
}

export function decode(r: Reader, _len: number): DeletePayload {
  const at = r.offset;
  const protocolId = r.u8("Protocol ID");
  const spiSize = r.u8("SPI Size");
  const count = r.u16("Num of SPIs");
  if (protocolId === ProtocolId.IKE && (spiSize !== 0 || count !== 0)) {
    throw r.error("BAD_VALUE", `deleting the IKE SA takes SPI Size 0 and no SPIs, got size ${spiSize} x ${count} (RFC 7296 §3.11)`, at + 1);
  }
  if ((protocolId === ProtocolId.ESP || protocolId === ProtocolId.AH) && spiSize !== 4) {
    throw r.error("BAD_VALUE", `SPI Size ${spiSize} for protocol ${protocolId}, expected 4 (RFC 7296 §3.11)`, at + 1);
  }
  if (spiSize === 0 && count !== 0) throw r.error("BAD_VALUE", `${count} SPIs of size 0`, at + 2);
  if (count > r.limits.maxDeleteSpis) throw r.error("LIMIT_EXCEEDED", `${count} SPIs, more than ${r.limits.maxDeleteSpis}`, at + 2);
  if (count * spiSize !== r.remaining) {
    throw r.error("BAD_LENGTH", `${count} SPIs of ${spiSize} bytes need ${count * spiSize} bytes, the payload holds ${r.remaining}`, at + 2);
  }
  const spis: Uint8Array[] = [];
  for (let i = 0; i < count; i++) spis.push(r.bytes(spiSize, `SPI ${i + 1}`));
  return { type: PayloadType.D, protocolId, spiSize, spis };
}

export function encode(w: Writer, p: DeletePayload): void {
  if (p.spiSize === 0 && p.spis.length !== 0) throw invalidArgument("encode Delete payload", "SPIs given with spiSize 0");
  p.spis.forEach((s, i) => requireBytes("encode Delete payload", `spis[${i}]`, s, p.spiSize));
  w.u8(p.protocolId, "protocolId");
  w.u8(p.spiSize, "spiSize");
  w.u16(p.spis.length, "SPI count");
  for (const s of p.spis) w.bytes(s, "spi");
}
