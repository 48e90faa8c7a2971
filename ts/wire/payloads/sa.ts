// Security Association payload, RFC 7296 §3.3: proposals (§3.3.1) of transforms (§3.3.2) with
// attributes (§3.3.5).
//
//   SA payload body:
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                          <Proposals>                          ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   Proposal substructure (§3.3.1):
//                        1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Last Substruc |   RESERVED    |         Proposal Length       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                        SPI (variable)                         ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                        <Transforms>                           ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   Transform substructure (§3.3.2):
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Last Substruc |   RESERVED    |        Transform Length       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Transform Type |   RESERVED    |          Transform ID         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                      Transform Attributes                     ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   Data attribute (§3.3.5):
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |A|       Attribute Type        |    AF=0  Attribute Length     |
//   |F|                             |    AF=1  Attribute Value      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                   AF=0  Attribute Value                       |
//   |                   AF=1  Not Transmitted                       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The Last Substruc fields are redundant with the lengths ("inherited from ISAKMP, but unnecessary",
// §3.3.1-2): we parse by length, check their values, and compute them when encoding.
import { requireBytes, type Reader, type Writer } from "../codec.ts";
import {
  ATTRIBUTE_FORMAT_TV, LAST_SUBSTRUC_LAST, LAST_SUBSTRUC_MORE_PROPOSALS, LAST_SUBSTRUC_MORE_TRANSFORMS,
} from "../constants.ts";
import { invalidArgument } from "../errors.ts";
import { PayloadType, ProtocolId, TransformAttributeType } from "../iana.ts";

/** A transform attribute: TV (AF=1, a 2-octet value) or TLV (AF=0, variable bytes). */
export type TransformAttribute =
  | { readonly format: "TV"; readonly type: number; readonly value: number }
  | { readonly format: "TLV"; readonly type: number; readonly value: Uint8Array };

export interface Transform {
  /** IANA Transform Type (TransformType). */
  readonly type: number;
  /** Transform ID in the registry of its type (EncrId, PrfId, IntegId, KeId, EsnId, ...). */
  readonly id: number;
  readonly attributes: readonly TransformAttribute[];
}

export interface Proposal {
  /** Proposal Num: 1, 2, 3... when offered; the accepted number when answering (§3.3.1). */
  readonly number: number;
  /** IANA Security Protocol Identifier (ProtocolId). */
  readonly protocolId: number;
  /** SPI: empty for the initial IKE SA, 8 bytes when rekeying it, 4 for ESP and AH. */
  readonly spi: Uint8Array;
  readonly transforms: readonly Transform[];
}

export interface SaPayload {
  readonly type: typeof PayloadType.SA;
  readonly critical?: boolean;
  readonly proposals: readonly Proposal[];
}

export function decode(r: Reader, _len: number): SaPayload {
  const proposals: Proposal[] = [];
  if (r.remaining === 0) throw r.error("BAD_VALUE", "holds no proposal");
  while (r.remaining > 0) {
    const i = proposals.length + 1;
    if (i > r.limits.maxProposals) throw r.error("LIMIT_EXCEEDED", `more than ${r.limits.maxProposals} proposals`);
    proposals.push(decodeProposal(r, i, proposals));
  }
  return { type: PayloadType.SA, proposals };
}

function decodeProposal(r: Reader, i: number, previous: Proposal[]): Proposal {
  const at = r.offset;
  const last = r.u8(`proposal ${i} Last Substruc`);
  if (last !== LAST_SUBSTRUC_LAST && last !== LAST_SUBSTRUC_MORE_PROPOSALS) {
    throw r.error("BAD_VALUE", `proposal ${i} Last Substruc ${last}, expected 0 or 2`, at);
  }
  r.skip(1, `proposal ${i} RESERVED`);
  const length = r.u16(`proposal ${i} Proposal Length`);
  if (length < 8) throw r.error("BAD_LENGTH", `proposal ${i} length ${length} < 8`, at + 2);
  if (length - 4 > r.remaining) {
    throw r.error("BAD_LENGTH", `proposal ${i} length ${length} exceeds the ${r.remaining + 4} bytes left in the payload`, at + 2);
  }
  const p = r.sub(length - 4, `proposal ${i}`);
  const number = p.u8(`proposal ${i} Proposal Num`);
  // RFC 7296 §3.3.1: offered proposals are numbered 1, 2, 3...; a lone proposal may be an accepted one.
  if (i > 1 && (number !== i || previous[0].number !== 1)) {
    throw r.error("BAD_VALUE", `proposal ${i} has number ${number}; offered proposals MUST be numbered 1, 2, 3... (RFC 7296 §3.3.1)`, at + 4);
  }
  const protocolId = p.u8(`proposal ${i} Protocol ID`);
  const spiSize = p.u8(`proposal ${i} SPI Size`);
  const numTransforms = p.u8(`proposal ${i} Num Transforms`);
  checkSpiSize(r, i, protocolId, spiSize, at + 6);
  if (numTransforms > r.limits.maxTransformsPerProposal) {
    throw r.error("LIMIT_EXCEEDED", `proposal ${i} announces ${numTransforms} transforms, more than ${r.limits.maxTransformsPerProposal}`, at + 7);
  }
  if (spiSize > p.remaining) throw r.error("BAD_LENGTH", `proposal ${i} SPI Size ${spiSize} exceeds the ${p.remaining} bytes left in the proposal`, at + 6);
  const spi = p.bytes(spiSize, `proposal ${i} SPI`);
  const transforms: Transform[] = [];
  for (let t = 1; t <= numTransforms; t++) transforms.push(decodeTransform(p, i, t));
  if (p.remaining !== 0) {
    throw r.error("BAD_LENGTH", `proposal ${i} length ${length} leaves ${p.remaining} bytes after its ${numTransforms} transforms`, at + 2);
  }
  return { number, protocolId, spi, transforms };
}

/** RFC 7296 §3.3.1: SPI Size is 0 for the initial IKE SA, 8 when rekeying it, 4 for ESP and AH. */
function checkSpiSize(r: Reader, i: number, protocolId: number, spiSize: number, at: number): void {
  const ok = protocolId === ProtocolId.IKE ? spiSize === 0 || spiSize === 8
    : protocolId === ProtocolId.ESP || protocolId === ProtocolId.AH ? spiSize === 4
    : true;
  if (!ok) throw r.error("BAD_VALUE", `proposal ${i} SPI Size ${spiSize} is wrong for protocol ${protocolId} (RFC 7296 §3.3.1)`, at);
}

function decodeTransform(p: Reader, i: number, t: number): Transform {
  const at = p.offset;
  if (p.remaining < 8) {
    throw p.error("BAD_LENGTH", `proposal ${i} announces more transforms than it holds: transform ${t} needs 8 bytes, ${p.remaining} left`);
  }
  const last = p.u8(`proposal ${i} transform ${t} Last Substruc`);
  if (last !== LAST_SUBSTRUC_LAST && last !== LAST_SUBSTRUC_MORE_TRANSFORMS) {
    throw p.error("BAD_VALUE", `proposal ${i} transform ${t} Last Substruc ${last}, expected 0 or 3`, at);
  }
  p.skip(1, "RESERVED");
  const length = p.u16(`proposal ${i} transform ${t} Transform Length`);
  if (length < 8) throw p.error("BAD_LENGTH", `proposal ${i} transform ${t} length ${length} < 8`, at + 2);
  if (length - 4 > p.remaining) {
    throw p.error("BAD_LENGTH", `proposal ${i} transform ${t} length ${length} exceeds the ${p.remaining + 4} bytes left in the proposal`, at + 2);
  }
  const tr = p.sub(length - 4, `proposal ${i} transform ${t}`);
  const type = tr.u8("Transform Type");
  tr.skip(1, "RESERVED");
  const id = tr.u16("Transform ID");
  const attributes: TransformAttribute[] = [];
  while (tr.remaining > 0) {
    const a = attributes.length + 1;
    if (a > p.limits.maxAttributesPerTransform) {
      throw p.error("LIMIT_EXCEEDED", `proposal ${i} transform ${t} has more than ${p.limits.maxAttributesPerTransform} attributes`);
    }
    attributes.push(decodeAttribute(tr, `proposal ${i} transform ${t} attribute ${a}`));
  }
  return { type, id, attributes };
}

function decodeAttribute(r: Reader, where: string): TransformAttribute {
  const at = r.offset;
  if (r.remaining < 4) throw r.error("BAD_LENGTH", `${where} needs 4 bytes, ${r.remaining} left`);
  const afType = r.u16(`${where} type`);
  const type = afType & 0x7fff;
  if (afType & ATTRIBUTE_FORMAT_TV) return { format: "TV", type, value: r.u16(`${where} value`) };
  // RFC 7296 §3.3.5: Key Length (14) is TV; "the Key Length attribute MUST NOT be encoded as TLV".
  if (type === TransformAttributeType.KEY_LENGTH) {
    throw r.error("BAD_VALUE", `${where}: Key Length (14) sent in TLV format (AF=0); it MUST be TV (RFC 7296 §3.3.5)`, at);
  }
  const length = r.u16(`${where} length`);
  if (length > r.remaining) throw r.error("BAD_LENGTH", `${where} length ${length} exceeds the ${r.remaining} bytes left in the transform`, at + 2);
  return { format: "TLV", type, value: r.bytes(length, `${where} value`) };
}

export function encode(w: Writer, sa: SaPayload): void {
  if (!sa.proposals || sa.proposals.length === 0) throw invalidArgument("encode SA payload", "needs at least one proposal");
  sa.proposals.forEach((p, pi) => {
    const where = `proposal ${pi + 1}`;
    requireBytes("encode SA payload", `${where} spi`, p.spi);
    const start = w.length;
    w.u8(pi === sa.proposals.length - 1 ? LAST_SUBSTRUC_LAST : LAST_SUBSTRUC_MORE_PROPOSALS, "Last Substruc");
    w.u8(0, "RESERVED");
    w.u16(0, "Proposal Length");
    w.u8(p.number, `${where} number`);
    w.u8(p.protocolId, `${where} protocolId`);
    w.u8(p.spi.length, `${where} SPI size`);
    w.u8(p.transforms.length, `${where} transform count`);
    w.bytes(p.spi, `${where} spi`);
    p.transforms.forEach((t, ti) => {
      const tstart = w.length;
      w.u8(ti === p.transforms.length - 1 ? LAST_SUBSTRUC_LAST : LAST_SUBSTRUC_MORE_TRANSFORMS, "Last Substruc");
      w.u8(0, "RESERVED");
      w.u16(0, "Transform Length");
      w.u8(t.type, `${where} transform ${ti + 1} type`);
      w.u8(0, "RESERVED");
      w.u16(t.id, `${where} transform ${ti + 1} id`);
      for (const a of t.attributes) encodeAttribute(w, a, `${where} transform ${ti + 1} attribute`);
      w.patchU16(tstart + 2, w.length - tstart, `${where} transform ${ti + 1} length`);
    });
    w.patchU16(start + 2, w.length - start, `${where} length`);
  });
}

function encodeAttribute(w: Writer, a: TransformAttribute, where: string): void {
  w.u16(a.type, `${where} type`);
  if (a.type > 0x7fff) throw invalidArgument("encode SA payload", `${where} type ${a.type} does not fit 15 bits`);
  if (a.format !== "TV" && a.type === TransformAttributeType.KEY_LENGTH) {
    throw invalidArgument("encode SA payload", `${where}: Key Length (14) must be TV (RFC 7296 §3.3.5)`);
  }
  if (a.format === "TV") {
    w.patchU16(w.length - 2, a.type | ATTRIBUTE_FORMAT_TV, `${where} type`);
    w.u16(a.value, `${where} value`);
  } else {
    requireBytes("encode SA payload", `${where} value`, a.value);
    w.u16(a.value.length, `${where} length`);
    w.bytes(a.value, `${where} value`);
  }
}
