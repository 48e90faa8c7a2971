// Configuration payload, RFC 7296 §3.15, with the attributes of §3.15.1.
//
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C| RESERVED    |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   CFG Type    |                    RESERVED                   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                   Configuration Attributes                    ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   Configuration Attribute (§3.15.1):
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |R|         Attribute Type      |            Length             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   ~                             Value                             ~
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The R bit is reserved (sent as zero, ignored). Attributes of §3.15.1 with a fixed value size may also
// be empty (a CFG_REQUEST asks for an address by sending the attribute with no value).
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import { invalidArgument } from "../errors.ts";
import { CpAttributeType as A, PayloadType } from "../iana.ts";

export interface CpAttribute {
  /** IANA Configuration Payload Attribute Type (CpAttributeType), 15 bits. */
  readonly type: number;
  readonly value: Uint8Array;
}

export interface CpPayload {
  readonly type: typeof PayloadType.CP;
  readonly critical?: boolean;
  /** CFG Type (CfgType): CFG_REQUEST, CFG_REPLY, CFG_SET, CFG_ACK. */
  readonly cfgType: number;
  readonly attributes: readonly CpAttribute[];
}

/** Value sizes allowed by RFC 7296 §3.15.1 (besides 0) for attributes with a fixed size. */
const FIXED_SIZES: ReadonlyMap<number, number> = new Map([
  [A.INTERNAL_IP4_ADDRESS, 4], [A.INTERNAL_IP4_NETMASK, 4], [A.INTERNAL_IP4_DNS, 4], [A.INTERNAL_IP4_NBNS, 4],
  [A.INTERNAL_IP4_DHCP, 4], [A.INTERNAL_IP6_ADDRESS, 17], [A.INTERNAL_IP6_DNS, 16], [A.INTERNAL_IP6_DHCP, 16],
  [A.INTERNAL_IP4_SUBNET, 8], [A.INTERNAL_IP6_SUBNET, 17],
]);

/** Why an attribute value has the wrong size, or undefined. */
export function cpAttributeProblem(type: number, length: number): string | undefined {
  const fixed = FIXED_SIZES.get(type);
  if (fixed !== undefined && length !== 0 && length !== fixed) return `attribute type ${type} length ${length}, expected 0 or ${fixed}`;
  if (type === A.SUPPORTED_ATTRIBUTES && length % 2 !== 0) return `SUPPORTED_ATTRIBUTES length ${length} is not a multiple of 2`;
  return undefined;
}

export function decode(r: Reader, _len: number): CpPayload {
  const cfgType = r.u8("CFG Type");
  r.skip(3, "RESERVED");
  const attributes: CpAttribute[] = [];
  while (r.remaining > 0) {
    const i = attributes.length + 1;
    if (i > r.limits.maxCpAttributes) throw r.error("LIMIT_EXCEEDED", `more than ${r.limits.maxCpAttributes} attributes`);
    const at = r.offset;
    if (r.remaining < 4) throw r.error("BAD_LENGTH", `attribute ${i} needs 4 bytes, ${r.remaining} left`);
    const type = r.u16(`attribute ${i} type`) & 0x7fff;
    const length = r.u16(`attribute ${i} length`);
    if (length > r.remaining) throw r.error("BAD_LENGTH", `attribute ${i} length ${length} exceeds the ${r.remaining} bytes left`, at + 2);
    const problem = cpAttributeProblem(type, length);
    if (problem) throw r.error("BAD_LENGTH", `attribute ${i}: ${problem} (RFC 7296 §3.15.1)`, at + 2);
    attributes.push({ type, value: r.bytes(length, `attribute ${i} value`) });
  }
  return { type: PayloadType.CP, cfgType, attributes };
}

export function encode(w: Writer, p: CpPayload): void {
  w.u8(p.cfgType, "cfgType");
  w.zeros(3);
  p.attributes.forEach((a, i) => {
    requireBytes("encode CP payload", `attribute ${i + 1} value`, a.value);
    if (!Number.isInteger(a.type) || a.type < 0 || a.type > 0x7fff) {
      throw invalidArgument("encode CP payload", `attribute ${i + 1} type ${a.type} does not fit 15 bits`);
    }
    const problem = cpAttributeProblem(a.type, a.value.length);
    if (problem) throw invalidArgument("encode CP payload", `attribute ${i + 1}: ${problem}`);
    w.u16(a.type, "type");
    w.u16(a.value.length, `attribute ${i + 1} length`);
    w.bytes(a.value, "value");
  });
}
