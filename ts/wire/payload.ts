// The payload union and the per-type dispatch to payloads/<name>.ts (RFC 7296 §3.2-§3.16, RFC 7383 §2.5).
import { Reader, Writer } from "./codec.ts";
import { invalidArgument } from "./errors.ts";
import { PayloadType } from "./iana.ts";
import { DEFAULT_LIMITS, withLimits, type WireLimits } from "./limits.ts";
import * as auth from "./payloads/auth.ts";
import * as cert from "./payloads/cert.ts";
import * as certreq from "./payloads/certreq.ts";
import * as cp from "./payloads/cp.ts";
import * as del from "./payloads/delete.ts";
import * as eap from "./payloads/eap.ts";
import * as id from "./payloads/id.ts";
import * as ke from "./payloads/ke.ts";
import * as nonce from "./payloads/nonce.ts";
import * as notify from "./payloads/notify.ts";
import * as sa from "./payloads/sa.ts";
import * as sk from "./payloads/sk.ts";
import * as skf from "./payloads/skf.ts";
import * as ts from "./payloads/ts.ts";
import * as unknown from "./payloads/unknown.ts";
import * as vendor from "./payloads/vendor.ts";

export type { AuthPayload } from "./payloads/auth.ts";
export type { CertPayload } from "./payloads/cert.ts";
export type { CertReqPayload } from "./payloads/certreq.ts";
export type { CpAttribute, CpPayload } from "./payloads/cp.ts";
export type { DeletePayload } from "./payloads/delete.ts";
export type { EapHeader, EapPayload } from "./payloads/eap.ts";
export type { IdPayload } from "./payloads/id.ts";
export type { KePayload } from "./payloads/ke.ts";
export type { NoncePayload } from "./payloads/nonce.ts";
export type { NotifyPayload } from "./payloads/notify.ts";
export type { Proposal, SaPayload, Transform, TransformAttribute } from "./payloads/sa.ts";
export type { SkPayload } from "./payloads/sk.ts";
export type { SkfPayload } from "./payloads/skf.ts";
export type { AddressRangeSelector, OpaqueSelector, TrafficSelector, TsPayload } from "./payloads/ts.ts";
export type { UnknownPayload } from "./payloads/unknown.ts";
export type { VendorIdPayload } from "./payloads/vendor.ts";

/** Every payload, discriminated by `type` (the IANA payload type, or "unknown"). */
export type Payload =
  | sa.SaPayload
  | ke.KePayload
  | id.IdPayload
  | cert.CertPayload
  | certreq.CertReqPayload
  | auth.AuthPayload
  | nonce.NoncePayload
  | notify.NotifyPayload
  | del.DeletePayload
  | vendor.VendorIdPayload
  | ts.TsPayload
  | sk.SkPayload
  | cp.CpPayload
  | eap.EapPayload
  | skf.SkfPayload
  | unknown.UnknownPayload;

/** The payload types this layer decodes (the rest are kept as UnknownPayload or refused if critical). */
export const KNOWN_PAYLOAD_TYPES: ReadonlySet<number> = new Set([
  PayloadType.SA, PayloadType.KE, PayloadType.IDi, PayloadType.IDr, PayloadType.CERT, PayloadType.CERTREQ,
  PayloadType.AUTH, PayloadType.NONCE, PayloadType.N, PayloadType.D, PayloadType.V, PayloadType.TSi,
  PayloadType.TSr, PayloadType.SK, PayloadType.CP, PayloadType.EAP, PayloadType.SKF,
]);

const DISPLAY: Readonly<Record<number, string>> = {
  [PayloadType.SA]: "SA", [PayloadType.KE]: "KE", [PayloadType.IDi]: "IDi", [PayloadType.IDr]: "IDr",
  [PayloadType.CERT]: "CERT", [PayloadType.CERTREQ]: "CERTREQ", [PayloadType.AUTH]: "AUTH",
  [PayloadType.NONCE]: "Nonce", [PayloadType.N]: "Notify", [PayloadType.D]: "Delete", [PayloadType.V]: "Vendor ID",
  [PayloadType.TSi]: "TSi", [PayloadType.TSr]: "TSr", [PayloadType.SK]: "SK", [PayloadType.CP]: "CP",
  [PayloadType.EAP]: "EAP", [PayloadType.SKF]: "SKF",
};

/** The name used in messages: "SA", "Notify", "payload type 99". */
export function payloadName(type: number): string {
  return DISPLAY[type] ?? `payload type ${type}`;
}

/** "SA payload", "Notify payload", "payload of type 99": the subject of an error message. */
export function payloadLabel(type: number): string {
  return DISPLAY[type] !== undefined ? `${DISPLAY[type]} payload` : `payload of type ${type}`;
}

/** The Payload Type number that goes on the wire for `p`. */
export function wireType(p: Payload): number {
  return p.type === "unknown" ? p.payloadType : p.type;
}

/**
 * Decodes one payload body (the bytes after the generic header) from `r`, which must span exactly the
 * body. `next` is the generic header's Next Payload (the first inner type for SK and SKF).
 * @internal
 */
export function decodeBody(type: number, r: Reader, next: number, critical: boolean): Payload {
  const len = r.remaining;
  let p: Payload;
  switch (type) {
    case PayloadType.SA: p = sa.decode(r, len); break;
    case PayloadType.KE: p = ke.decode(r, len); break;
    case PayloadType.IDi: case PayloadType.IDr: p = id.decode(r, len, type); break;
    case PayloadType.CERT: p = cert.decode(r, len); break;
    case PayloadType.CERTREQ: p = certreq.decode(r, len); break;
    case PayloadType.AUTH: p = auth.decode(r, len); break;
    case PayloadType.NONCE: p = nonce.decode(r, len); break;
    case PayloadType.N: p = notify.decode(r, len); break;
    case PayloadType.D: p = del.decode(r, len); break;
    case PayloadType.V: p = vendor.decode(r, len); break;
    case PayloadType.TSi: case PayloadType.TSr: p = ts.decode(r, len, type); break;
    case PayloadType.SK: p = sk.decode(r, len, next); break;
    case PayloadType.CP: p = cp.decode(r, len); break;
    case PayloadType.EAP: p = eap.decode(r, len); break;
    case PayloadType.SKF: p = skf.decode(r, len, next); break;
    default: return unknown.decode(r, len, type, critical);
  }
  r.expectEnd(`the ${payloadLabel(type)}`);
  return critical ? { ...p, critical: true } : p;
}

/** Encodes one payload body (no generic header). @internal */
export function encodeBody(w: Writer, p: Payload): void {
  switch (p.type) {
    case PayloadType.SA: return sa.encode(w, p);
    case PayloadType.KE: return ke.encode(w, p);
    case PayloadType.IDi: case PayloadType.IDr: return id.encode(w, p);
    case PayloadType.CERT: return cert.encode(w, p);
    case PayloadType.CERTREQ: return certreq.encode(w, p);
    case PayloadType.AUTH: return auth.encode(w, p);
    case PayloadType.NONCE: return nonce.encode(w, p);
    case PayloadType.N: return notify.encode(w, p);
    case PayloadType.D: return del.encode(w, p);
    case PayloadType.V: return vendor.encode(w, p);
    case PayloadType.TSi: case PayloadType.TSr: return ts.encode(w, p);
    case PayloadType.SK: return sk.encode(w, p);
    case PayloadType.CP: return cp.encode(w, p);
    case PayloadType.EAP: return eap.encode(w, p);
    case PayloadType.SKF: return skf.encode(w, p);
    case "unknown":
      if (KNOWN_PAYLOAD_TYPES.has(p.payloadType) || p.payloadType === 0) {
        throw invalidArgument("encode", `an unknown payload cannot carry type ${p.payloadType}`);
      }
      return unknown.encode(w, p);
    default:
      throw invalidArgument("encode", `not a payload: type ${(p as { type: unknown }).type}`);
  }
}

/**
 * The body of one payload as it goes on the wire, without the generic header: e.g. the
 * RestOfInitIDPayload / RestOfRespIDPayload that AUTH signs (RFC 7296 §2.15).
 */
export function encodePayloadBody(p: Payload): Uint8Array {
  const w = new Writer(`encode ${payloadLabel(wireType(p))}`);
  encodeBody(w, p);
  return w.finish();
}

/** Decodes one payload body of the given type (the bytes after its generic header). */
export function decodePayloadBody(type: number, body: Uint8Array, opts: { limits?: Partial<WireLimits> } = {}): Payload {
  const limits = opts.limits ? withLimits(opts.limits) : DEFAULT_LIMITS;
  const r = new Reader(body, 0, body.length, payloadLabel(type), type, limits);
  return decodeBody(type, r, 0, false);
}
