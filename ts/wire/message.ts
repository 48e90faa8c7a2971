// Whole IKE messages (RFC 7296 §3.1-§3.2): header plus a chain of payloads linked by Next Payload, and
// the inner chain of an SK/SKF payload once the protection layer has decrypted it (§3.14, RFC 7383).
import { Reader, Writer } from "./codec.ts";
import { GENERIC_PAYLOAD_HEADER_LENGTH, IKE_HEADER_LENGTH } from "./constants.ts";
import { invalidArgument, WireError, wireError } from "./errors.ts";
import { PayloadType } from "./iana.ts";
import { DEFAULT_LIMITS, withLimits, type WireLimits } from "./limits.ts";
import { decodeBody, encodeBody, KNOWN_PAYLOAD_TYPES, payloadLabel, wireType, type Payload } from "./payload.ts";
import * as generic from "./payloads/generic.ts";
import * as header from "./payloads/header.ts";
import type { IkeHeader, IkeHeaderFields } from "./payloads/header.ts";

/** A message to encode: header fields and payloads in order (SK or SKF, if any, last). */
export interface IkeMessage {
  readonly header: IkeHeaderFields;
  readonly payloads: readonly Payload[];
}

/** Where one payload sits: `offset` of its generic header and `length` = its Payload Length. */
export interface PayloadSpan {
  readonly type: number;
  readonly offset: number;
  readonly length: number;
}

/**
 * Where the SK or SKF payload sits, for the protection layer: the AEAD associated data is
 * bytes[0 .. bodyOffset) (IKE header through the SK generic header, RFC 5282 §5; through Total
 * Fragments for SKF, RFC 7383 §2.5), and the encrypted body is bytes[bodyOffset .. end).
 */
export interface EncryptedSpan {
  readonly type: typeof PayloadType.SK | typeof PayloadType.SKF;
  /** Offset of the SK/SKF generic payload header. */
  readonly headerOffset: number;
  /** Offset of the IV (first byte of the encrypted body). */
  readonly bodyOffset: number;
  /** Length of the body (IV through ICV). */
  readonly bodyLength: number;
}

export interface DecodedMessage {
  readonly header: IkeHeader;
  readonly payloads: Payload[];
  readonly spans: PayloadSpan[];
  readonly encrypted?: EncryptedSpan;
}

export interface DecodedChain {
  readonly payloads: Payload[];
  /** Offsets within the chain's bytes (plus opts.baseOffset). */
  readonly spans: PayloadSpan[];
}

export interface DecodeOptions {
  readonly limits?: Partial<WireLimits>;
}

/**
 * Reads just the 28-octet header (to demultiplex by SPI before decoding the rest). Throws TRUNCATED or
 * BAD_VERSION.
 */
export function decodeHeader(bytes: Uint8Array): IkeHeader {
  return header.decode(new Reader(bytes, 0, bytes.length, "IKE header"));
}

/**
 * Decodes a whole message. Every length is checked against its container; the header Length must equal
 * the datagram size. SK/SKF bodies stay opaque (see `encrypted`). A WireError thrown after the header
 * was read carries it in `err.header`, so the engine can answer with the right SPIs and Message ID.
 */
export function decodeMessage(bytes: Uint8Array, opts: DecodeOptions = {}): DecodedMessage {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument("decodeMessage", "bytes must be a Uint8Array");
  const limits = opts.limits ? withLimits(opts.limits) : DEFAULT_LIMITS;
  const h = header.decode(new Reader(bytes, 0, bytes.length, "IKE header", undefined, limits));
  try {
    if (bytes.length > limits.maxMessageSize) {
      throw wireError("LIMIT_EXCEEDED", "IKE message", `${bytes.length} bytes, more than ${limits.maxMessageSize}`, 0);
    }
    if (h.length < IKE_HEADER_LENGTH) throw wireError("BAD_LENGTH", "IKE header", `Length ${h.length} < ${IKE_HEADER_LENGTH}`, 24);
    if (h.length > bytes.length) throw wireError("TRUNCATED", "IKE header", `Length ${h.length} but only ${bytes.length} bytes received`, 24);
    if (h.length < bytes.length) throw wireError("BAD_LENGTH", "IKE header", `Length ${h.length} but ${bytes.length} bytes received`, 24);
    const r = new Reader(bytes, IKE_HEADER_LENGTH, h.length, "IKE message", undefined, limits);
    const chain = decodeChain(r, h.nextPayload, false);
    return { header: h, ...chain };
  } catch (e) {
    if (e instanceof WireError) e.header = h;
    throw e;
  }
}

/**
 * Decodes the plaintext of an SK payload (or of reassembled SKF fragments): a chain of payloads
 * starting with `firstType` (the SK payload's `firstInner`). SK and SKF may not appear inside.
 * `baseOffset` shifts the offsets reported in errors and spans.
 */
export function decodePayloadChain(
  firstType: number,
  bytes: Uint8Array,
  opts: DecodeOptions & { readonly baseOffset?: number } = {},
): DecodedChain {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument("decodePayloadChain", "bytes must be a Uint8Array");
  const limits = opts.limits ? withLimits(opts.limits) : DEFAULT_LIMITS;
  const base = opts.baseOffset ?? 0;
  const r = new Reader(bytes, 0, bytes.length, "inner payloads", undefined, limits, base);
  const { payloads, spans } = decodeChain(r, firstType, true);
  return { payloads, spans };
}

function decodeChain(r: Reader, first: number, inner: boolean): { payloads: Payload[]; spans: PayloadSpan[]; encrypted?: EncryptedSpan } {
  const payloads: Payload[] = [];
  const spans: PayloadSpan[] = [];
  let encrypted: EncryptedSpan | undefined;
  let type = first;
  while (type !== PayloadType.NO_NEXT_PAYLOAD) {
    const label = payloadLabel(type);
    if (payloads.length >= r.limits.maxPayloads) throw r.error("LIMIT_EXCEEDED", `more than ${r.limits.maxPayloads} payloads`);
    const offset = r.offset;
    const g = generic.decode(r, label);
    const known = KNOWN_PAYLOAD_TYPES.has(type);
    if (!known && g.critical) {
      // RFC 7296 §2.5: refuse the whole message; the notify data is the one-octet payload type.
      throw wireError("UNSUPPORTED_CRITICAL_PAYLOAD", "IKE message",
        `payload type ${type} is not supported and has the critical bit set`, offset, type);
    }
    const isEncrypted = type === PayloadType.SK || type === PayloadType.SKF;
    if (isEncrypted && inner) throw r.error("BAD_VALUE", `${label} inside an encrypted payload`, offset);
    const body = r.sub(g.length - GENERIC_PAYLOAD_HEADER_LENGTH, label, label, type);
    payloads.push(decodeBody(type, body, g.nextPayload, g.critical));
    spans.push({ type, offset, length: g.length });
    if (isEncrypted) {
      // RFC 7296 §3.14 / RFC 7383 §2.5: "MUST be the last payload in the message"; its Next Payload
      // names the first inner payload, not a following outer one.
      if (r.remaining !== 0) {
        throw r.error("BAD_LENGTH", `${r.remaining} bytes after the ${label}, which MUST be last (RFC 7296 §3.14)`);
      }
      const bodyOffset = offset + GENERIC_PAYLOAD_HEADER_LENGTH + (type === PayloadType.SKF ? 4 : 0);
      encrypted = { type: type as EncryptedSpan["type"], headerOffset: offset, bodyOffset, bodyLength: offset + g.length - bodyOffset };
      break;
    }
    type = g.nextPayload;
  }
  if (r.remaining !== 0) throw r.error("BAD_LENGTH", `${r.remaining} bytes after the last payload`);
  return encrypted ? { payloads, spans, encrypted } : { payloads, spans };
}

export interface EncodedMessage {
  readonly bytes: Uint8Array;
  readonly spans: PayloadSpan[];
  readonly encrypted?: EncryptedSpan;
}

/** Encodes a message; every Length and Next Payload field is computed. */
export function encodeMessage(msg: IkeMessage): Uint8Array {
  return encodeMessageDetailed(msg).bytes;
}

/**
 * encodeMessage plus where each payload landed. The protection layer encodes with an SK body of the
 * final size (zeros), computes the AAD as bytes[0 .. encrypted.bodyOffset), and writes the body in place.
 */
export function encodeMessageDetailed(msg: IkeMessage): EncodedMessage {
  const payloads = msg.payloads;
  if (!Array.isArray(payloads)) throw invalidArgument("encodeMessage", "payloads must be an array");
  const w = new Writer("encodeMessage", 512);
  header.encode(w, msg.header, payloads.length ? wireType(payloads[0]) : PayloadType.NO_NEXT_PAYLOAD, 0);
  const { spans, encrypted } = encodeChain(w, payloads, false);
  w.patchU32(header.HEADER_LENGTH_OFFSET, w.length, "Length");
  const bytes = w.finish();
  return encrypted ? { bytes, spans, encrypted } : { bytes, spans };
}

/** Encodes payloads as the plaintext of an SK payload; `firstType` goes in the SK's Next Payload. */
export function encodePayloadChain(payloads: readonly Payload[]): { firstType: number; bytes: Uint8Array } {
  const w = new Writer("encodePayloadChain");
  encodeChain(w, payloads, true);
  return { firstType: payloads.length ? wireType(payloads[0]) : PayloadType.NO_NEXT_PAYLOAD, bytes: w.finish() };
}

function encodeChain(w: Writer, payloads: readonly Payload[], inner: boolean): { spans: PayloadSpan[]; encrypted?: EncryptedSpan } {
  const spans: PayloadSpan[] = [];
  let encrypted: EncryptedSpan | undefined;
  payloads.forEach((p, i) => {
    if (!p || typeof p !== "object") throw invalidArgument("encode", `payload ${i + 1} is not an object`);
    const type = wireType(p);
    const isEncrypted = p.type === PayloadType.SK || p.type === PayloadType.SKF;
    if (isEncrypted && inner) throw invalidArgument("encode", `${payloadLabel(type)} inside an encrypted payload`);
    if (isEncrypted && i !== payloads.length - 1) throw invalidArgument("encode", `${payloadLabel(type)} must be last (RFC 7296 §3.14)`);
    const next = isEncrypted ? (p as { firstInner: number }).firstInner
      : i + 1 < payloads.length ? wireType(payloads[i + 1]) : PayloadType.NO_NEXT_PAYLOAD;
    const offset = w.length;
    const lengthAt = generic.encode(w, next, p.critical === true);
    encodeBody(w, p);
    const length = w.length - offset;
    if (length > 0xffff) throw invalidArgument("encode", `${payloadLabel(type)} of ${length} bytes exceeds 65535`);
    w.patchU16(lengthAt, length, "Payload Length");
    spans.push({ type, offset, length });
    if (isEncrypted) {
      const bodyOffset = offset + GENERIC_PAYLOAD_HEADER_LENGTH + (p.type === PayloadType.SKF ? 4 : 0);
      encrypted = { type: p.type, headerOffset: offset, bodyOffset, bodyLength: offset + length - bodyOffset };
    }
  });
  return encrypted ? { spans, encrypted } : { spans };
}

/** Writes `length` (default: bytes.length) into the header's Length field (RFC 7296 §3.1). */
export function patchHeaderLength(bytes: Uint8Array, length: number = bytes.length): void {
  if (bytes.length < IKE_HEADER_LENGTH) throw invalidArgument("patchHeaderLength", `${bytes.length} bytes is shorter than the IKE header`);
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) throw invalidArgument("patchHeaderLength", `bad length ${length}`);
  const o = header.HEADER_LENGTH_OFFSET;
  bytes[o] = length >>> 24;
  bytes[o + 1] = (length >>> 16) & 0xff;
  bytes[o + 2] = (length >>> 8) & 0xff;
  bytes[o + 3] = length & 0xff;
}

/** Writes `length` into the Payload Length of the generic header at `payloadOffset` (RFC 7296 §3.2). */
export function patchPayloadLength(bytes: Uint8Array, payloadOffset: number, length: number): void {
  if (payloadOffset < 0 || payloadOffset + GENERIC_PAYLOAD_HEADER_LENGTH > bytes.length) {
    throw invalidArgument("patchPayloadLength", `no generic header at offset ${payloadOffset}`);
  }
  if (!Number.isInteger(length) || length < GENERIC_PAYLOAD_HEADER_LENGTH || length > 0xffff) {
    throw invalidArgument("patchPayloadLength", `bad length ${length}`);
  }
  bytes[payloadOffset + 2] = length >>> 8;
  bytes[payloadOffset + 3] = length & 0xff;
}
