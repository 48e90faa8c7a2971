// Traffic Selector payloads TSi and TSr, RFC 7296 §3.13, with the selectors of §3.13.1.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Number of TSs |                 RESERVED                      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                       <Traffic Selectors>                     ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   Traffic Selector (§3.13.1):
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   TS Type     |IP Protocol ID*|       Selector Length         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           Start Port*         |           End Port*           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                         Starting Address*                     ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                         Ending Address*                       ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   * Present in TS_IPV4_ADDR_RANGE (length 16) and TS_IPV6_ADDR_RANGE (length 40).
//
// Other TS types (TS_FC_ADDR_RANGE, TS_SECLABEL, unassigned) share the first four octets and are kept as
// opaque selector data, so a message carrying them re-encodes unchanged.
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { TS_IPV4_SELECTOR_LENGTH, TS_IPV6_SELECTOR_LENGTH } from "../constants.ts";
import { invalidArgument } from "../errors.ts";
import { PayloadType, TsType } from "../iana.ts";

/** TS_IPV4_ADDR_RANGE (4-byte addresses) or TS_IPV6_ADDR_RANGE (16-byte addresses). */
export interface AddressRangeSelector {
  readonly tsType: typeof TsType.TS_IPV4_ADDR_RANGE | typeof TsType.TS_IPV6_ADDR_RANGE;
  /** IP protocol number, 0 for any. */
  readonly ipProtocolId: number;
  /** 0..65535 for any port; 65535..0 for OPAQUE (RFC 7296 §3.13.1). */
  readonly startPort: number;
  readonly endPort: number;
  readonly startAddress: Uint8Array;
  readonly endAddress: Uint8Array;
}

/** A selector of another TS type: the octet after TS Type, then the bytes after Selector Length. */
export interface OpaqueSelector {
  readonly tsType: number;
  readonly ipProtocolId: number;
  readonly data: Uint8Array;
}

export type TrafficSelector = AddressRangeSelector | OpaqueSelector;

export interface TsPayload {
  readonly type: typeof PayloadType.TSi | typeof PayloadType.TSr;
  readonly critical?: boolean;
  readonly selectors: readonly TrafficSelector[];
}

/** True for the IPv4/IPv6 address-range selectors. */
export function isAddressRange(ts: TrafficSelector): ts is AddressRangeSelector {
  return (ts.tsType === TsType.TS_IPV4_ADDR_RANGE || ts.tsType === TsType.TS_IPV6_ADDR_RANGE) && "startAddress" in ts;
}

export function decode(r: Reader, _len: number, type: typeof PayloadType.TSi | typeof PayloadType.TSr): TsPayload {
  const at = r.offset;
  const count = r.u8("Number of TSs");
  r.skip(3, "RESERVED");
  if (count > r.limits.maxTrafficSelectors) {
    throw r.error("LIMIT_EXCEEDED", `${count} traffic selectors, more than ${r.limits.maxTrafficSelectors}`, at);
  }
  const selectors: TrafficSelector[] = [];
  for (let i = 1; i <= count; i++) selectors.push(decodeSelector(r, i, count));
  if (r.remaining !== 0) throw r.error("BAD_LENGTH", `${r.remaining} bytes after the ${count} traffic selectors announced`);
  return { type, selectors };
}

function decodeSelector(r: Reader, i: number, count: number): TrafficSelector {
  const at = r.offset;
  if (r.remaining < 4) throw r.error("BAD_LENGTH", `${count} traffic selectors announced, selector ${i} needs 4 bytes, ${r.remaining} left`);
  const tsType = r.u8(`selector ${i} TS Type`);
  const ipProtocolId = r.u8(`selector ${i} IP Protocol ID`);
  const length = r.u16(`selector ${i} Selector Length`);
  if (length < 4) throw r.error("BAD_LENGTH", `selector ${i} length ${length} < 4`, at + 2);
  if (length - 4 > r.remaining) throw r.error("BAD_LENGTH", `selector ${i} length ${length} exceeds the ${r.remaining + 4} bytes left`, at + 2);
  const expected = tsType === TsType.TS_IPV4_ADDR_RANGE ? TS_IPV4_SELECTOR_LENGTH
    : tsType === TsType.TS_IPV6_ADDR_RANGE ? TS_IPV6_SELECTOR_LENGTH : undefined;
  if (expected === undefined) return { tsType, ipProtocolId, data: r.bytes(length - 4, `selector ${i} data`) };
  if (length !== expected) throw r.error("BAD_LENGTH", `selector ${i} (TS type ${tsType}) length ${length}, expected ${expected}`, at + 2);
  const alen = (expected - 8) / 2;
  const startPort = r.u16("Start Port");
  const endPort = r.u16("End Port");
  const startAddress = r.bytes(alen, "Starting Address");
  const endAddress = r.bytes(alen, "Ending Address");
  return { tsType: tsType as AddressRangeSelector["tsType"], ipProtocolId, startPort, endPort, startAddress, endAddress };
}

export function encode(w: Writer, p: TsPayload): void {
  w.u8(p.selectors.length, "selector count");
  w.zeros(3);
  p.selectors.forEach((ts, i) => {
    const where = `selector ${i + 1}`;
    w.u8(ts.tsType, `${where} tsType`);
    w.u8(ts.ipProtocolId, `${where} ipProtocolId`);
    if (isAddressRange(ts)) {
      const alen = ts.tsType === TsType.TS_IPV4_ADDR_RANGE ? 4 : 16;
      requireBytes("encode TS payload", `${where} startAddress`, ts.startAddress, alen);
      requireBytes("encode TS payload", `${where} endAddress`, ts.endAddress, alen);
      w.u16(8 + 2 * alen, "Selector Length");
      w.u16(ts.startPort, `${where} startPort`);
      w.u16(ts.endPort, `${where} endPort`);
      w.bytes(ts.startAddress, "startAddress");
      w.bytes(ts.endAddress, "endAddress");
    } else {
      if (ts.tsType === TsType.TS_IPV4_ADDR_RANGE || ts.tsType === TsType.TS_IPV6_ADDR_RANGE) {
        throw invalidArgument("encode TS payload", `${where}: an address-range selector needs ports and addresses`);
      }
      requireBytes("encode TS payload", `${where} data`, (ts as OpaqueSelector).data);
      w.u16(4 + (ts as OpaqueSelector).data.length, `${where} Selector Length`);
      w.bytes((ts as OpaqueSelector).data, "data");
    }
  });
}
