// Small constructors for the engine that builds messages, and finders for the one that reads them.
// They only fill in defaults; every check happens in the encoders.
import { invalidArgument } from "./errors.ts";
import { PayloadType, ProtocolId, TransformAttributeType, TsType } from "./iana.ts";
import type {
  AddressRangeSelector, AuthPayload, CertPayload, CertReqPayload, CpAttribute, CpPayload, DeletePayload, EapPayload,
  IdPayload, KePayload, NoncePayload, NotifyPayload, Payload, Proposal, SaPayload, SkfPayload, SkPayload,
  TrafficSelector, Transform, TransformAttribute, TsPayload, UnknownPayload, VendorIdPayload,
} from "./payload.ts";

const EMPTY = new Uint8Array(0);

export const sa = (...proposals: Proposal[]): SaPayload => ({ type: PayloadType.SA, proposals });

/** A proposal; `spi` empty for the initial IKE SA, 8 bytes to rekey it, 4 for ESP/AH. */
export const proposal = (number: number, protocolId: number, transforms: Transform[], spi: Uint8Array = EMPTY): Proposal =>
  ({ number, protocolId, spi, transforms });

/** A transform, with a Key Length attribute when `keyLengthBits` is given (RFC 7296 §3.3.5). */
export const transform = (type: number, id: number, keyLengthBits?: number): Transform =>
  ({ type, id, attributes: keyLengthBits === undefined ? [] : [keyLength(keyLengthBits)] });

export const keyLength = (bits: number): TransformAttribute => ({ format: "TV", type: TransformAttributeType.KEY_LENGTH, value: bits });

/** The Key Length attribute of a transform, if it has one. */
export function transformKeyLength(t: Transform): number | undefined {
  const a = t.attributes.find((x) => x.type === TransformAttributeType.KEY_LENGTH);
  return a && a.format === "TV" ? a.value : undefined;
}

export const ke = (group: number, data: Uint8Array): KePayload => ({ type: PayloadType.KE, group, data });
export const nonce = (data: Uint8Array): NoncePayload => ({ type: PayloadType.NONCE, data });

/** A Notify; with no SPI the Protocol ID is 0 (RFC 7296 §3.10). */
export const notify = (
  notifyType: number,
  data: Uint8Array = EMPTY,
  opts: { protocolId?: number; spi?: Uint8Array } = {},
): NotifyPayload => ({
  type: PayloadType.N, notifyType, data, spi: opts.spi ?? EMPTY,
  protocolId: opts.protocolId ?? (opts.spi && opts.spi.length ? ProtocolId.ESP : 0),
});

export const idi = (idType: number, data: Uint8Array): IdPayload => ({ type: PayloadType.IDi, idType, data });
export const idr = (idType: number, data: Uint8Array): IdPayload => ({ type: PayloadType.IDr, idType, data });
export const auth = (method: number, data: Uint8Array): AuthPayload => ({ type: PayloadType.AUTH, method, data });
export const cert = (encoding: number, data: Uint8Array): CertPayload => ({ type: PayloadType.CERT, encoding, data });
export const certreq = (encoding: number, data: Uint8Array): CertReqPayload => ({ type: PayloadType.CERTREQ, encoding, data });

/** Delete for ESP/AH SPIs (4 bytes each), or for the IKE SA itself with protocolId IKE and no SPIs. */
export function deletePayload(protocolId: number, spis: Uint8Array[] = []): DeletePayload {
  const spiSize = protocolId === ProtocolId.IKE ? 0 : spis.length ? spis[0].length : 4;
  return { type: PayloadType.D, protocolId, spiSize, spis };
}

export const vendorId = (data: Uint8Array): VendorIdPayload => ({ type: PayloadType.V, data });
export const tsi = (...selectors: TrafficSelector[]): TsPayload => ({ type: PayloadType.TSi, selectors });
export const tsr = (...selectors: TrafficSelector[]): TsPayload => ({ type: PayloadType.TSr, selectors });

interface RangeOpts { ipProtocolId?: number; startPort?: number; endPort?: number }

/** An IPv4 range selector; any protocol and any port unless told. */
export function tsIpv4(startAddress: Uint8Array, endAddress: Uint8Array, o: RangeOpts = {}): AddressRangeSelector {
  if (startAddress.length !== 4 || endAddress.length !== 4) throw invalidArgument("tsIpv4", "addresses must be 4 bytes");
  return { tsType: TsType.TS_IPV4_ADDR_RANGE, ipProtocolId: o.ipProtocolId ?? 0, startPort: o.startPort ?? 0, endPort: o.endPort ?? 65535, startAddress, endAddress };
}

/** An IPv6 range selector; any protocol and any port unless told. */
export function tsIpv6(startAddress: Uint8Array, endAddress: Uint8Array, o: RangeOpts = {}): AddressRangeSelector {
  if (startAddress.length !== 16 || endAddress.length !== 16) throw invalidArgument("tsIpv6", "addresses must be 16 bytes");
  return { tsType: TsType.TS_IPV6_ADDR_RANGE, ipProtocolId: o.ipProtocolId ?? 0, startPort: o.startPort ?? 0, endPort: o.endPort ?? 65535, startAddress, endAddress };
}

export const cp = (cfgType: number, ...attributes: CpAttribute[]): CpPayload => ({ type: PayloadType.CP, cfgType, attributes });
export const cpAttribute = (type: number, value: Uint8Array = EMPTY): CpAttribute => ({ type, value });
export const eap = (message: Uint8Array): EapPayload => ({ type: PayloadType.EAP, message });
export const sk = (firstInner: number, body: Uint8Array): SkPayload => ({ type: PayloadType.SK, firstInner, body });
export const skf = (fragmentNumber: number, totalFragments: number, firstInner: number, body: Uint8Array): SkfPayload =>
  ({ type: PayloadType.SKF, fragmentNumber, totalFragments, firstInner, body });
export const unknownPayload = (payloadType: number, body: Uint8Array, critical = false): UnknownPayload =>
  ({ type: "unknown", payloadType, critical, body });

/** The first payload of a type, typed: findPayload(payloads, PayloadType.SA)?.proposals */
export function findPayload<T extends Payload["type"]>(payloads: readonly Payload[], type: T): Extract<Payload, { type: T }> | undefined {
  return payloads.find((p) => p.type === type) as Extract<Payload, { type: T }> | undefined;
}

/** Every payload of a type, in order. */
export function findPayloads<T extends Payload["type"]>(payloads: readonly Payload[], type: T): Extract<Payload, { type: T }>[] {
  return payloads.filter((p) => p.type === type) as Extract<Payload, { type: T }>[];
}

/** The first Notify of a given Notify Message Type. */
export function findNotify(payloads: readonly Payload[], notifyType: number): NotifyPayload | undefined {
  return payloads.find((p): p is NotifyPayload => p.type === PayloadType.N && p.notifyType === notifyType);
}
