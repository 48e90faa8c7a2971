// The engine's view of the wire layer: encode/decode of whole messages, inner payload chains, and the
// per-exchange rules. A thin facade over ts/wire so the engine reads in terms of IKE, not codecs.
import { checkRules as wireCheckRules } from "../wire/rules.ts";
import { decodeMessage, decodePayloadChain, encodeMessage, encodePayloadChain } from "../wire/message.ts";
import type { IkeHeader, IkeHeaderFields } from "../wire/payloads/header.ts";
import type { Payload } from "../wire/payload.ts";
import { PayloadType } from "../wire/iana.ts";

export type { IkeHeader, IkeHeaderFields, Payload };

export interface Outer {
  header: IkeHeader;
  /** Cleartext payloads (for protected messages: those before SK/SKF, normally none). */
  payloads: Payload[];
  /** The SK or SKF payload that ends a protected message. */
  protected?: { type: 46 | 53; offset: number; firstInner: number };
}

/** Decodes the header and the cleartext payload chain. Throws WireError. */
export function decodeOuter(bytes: Uint8Array): Outer {
  const m = decodeMessage(bytes);
  const payloads = m.payloads as Payload[];
  const last = payloads[payloads.length - 1];
  if (m.encrypted && last && (last.type === PayloadType.SK || last.type === PayloadType.SKF)) {
    return { header: m.header, payloads: payloads.slice(0, -1), protected: { type: m.encrypted.type, offset: m.encrypted.headerOffset, firstInner: last.firstInner } };
  }
  return { header: m.header, payloads };
}

/** A decrypted inner chain, with each payload's body bytes as received (for AUTH, §2.15). */
export interface Inner { payloads: Payload[]; bodies: Uint8Array[] }

/** Decodes a decrypted inner payload chain. Throws WireError. */
export function decodeInner(firstType: number, bytes: Uint8Array): Inner {
  const c = decodePayloadChain(firstType, bytes);
  return { payloads: c.payloads as Payload[], bodies: c.spans.map((s) => bytes.subarray(s.offset + 4, s.offset + s.length)) };
}

/** Encodes an unprotected message (IKE_SA_INIT, or an unprotected notify). */
export function encodePlain(h: IkeHeaderFields, payloads: Payload[]): Uint8Array {
  return encodeMessage({ header: h, payloads });
}

/** Encodes an inner payload chain: the first payload's type and the bytes. */
export function encodeInner(payloads: Payload[]): { first: number; bytes: Uint8Array } {
  const c = encodePayloadChain(payloads);
  return { first: c.firstType, bytes: c.bytes };
}

/** The 28-octet header whose Next Payload is SK or SKF; Length is patched by the protection layer. */
export function encodePrefix(h: IkeHeaderFields, skType: 46 | 53): Uint8Array {
  const b = encodeMessage({ header: h, payloads: [] });
  b[16] = skType;
  return b;
}

/** RFC 7296 §1.2-1.5 / §3 payload rules; throws WireError RULE_VIOLATION. */
export function checkRules(exchangeType: number, response: boolean, payloads: Payload[], encrypted: boolean): void {
  wireCheckRules(exchangeType, response, payloads, { encrypted });
}
