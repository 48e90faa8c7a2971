/**
 * skeyseed/wire: the IKEv2 wire format, RFC 7296 §3 plus RFC 7383 fragments. Pure functions, no IO.
 *
 * Shape
 * - `decodeMessage(bytes)` → `{ header, payloads, spans, encrypted? }`. The payloads are a discriminated
 *   union on `type` (the IANA payload type: `{ type: PayloadType.SA, proposals }`), in wire order.
 *   Payload types we do not implement come back as `{ type: "unknown", payloadType, critical: false,
 *   body }` and re-encode identically; with the critical bit set they make the decode throw
 *   UNSUPPORTED_CRITICAL_PAYLOAD (RFC 7296 §2.5).
 * - SK and SKF stay opaque: `{ type: SK, firstInner, body }`. The protection layer takes the AAD as
 *   `bytes.subarray(0, encrypted.bodyOffset)` (RFC 5282 §5, RFC 7383 §2.5), checks and decrypts `body`,
 *   then calls `decodePayloadChain(firstInner, plaintext)` for the inner payloads.
 * - `encodeMessage({ header, payloads })` computes every Length and Next Payload field;
 *   `encodeMessageDetailed` also says where SK's body landed so it can be encrypted in place;
 *   `encodePayloadChain(payloads)` builds an SK plaintext; `patchHeaderLength` fixes the header Length.
 * - `spans` give each payload's offset and length in the input (e.g. the IDi body that AUTH signs).
 * - `checkRules(exchange, isResponse, payloads, { encrypted })` applies the per-exchange table of
 *   rules.ts (which payloads, how many, inside or outside SK, RFC ordering rules).
 * - Registries (iana.ts) are open numeric enums: fields are `number`, names are for code and logs
 *   (`nameOf(NotifyType, 14)` = "NO_PROPOSAL_CHOSEN"), so unknown and private-use values survive.
 *
 * Errors: every failure is a `WireError` with `code` (TRUNCATED, BAD_LENGTH, BAD_VALUE, LIMIT_EXCEEDED,
 * UNSUPPORTED_CRITICAL_PAYLOAD, RULE_VIOLATION, BAD_VERSION, INVALID_ARGUMENT), `offset`, `payloadType`,
 * `notify` (what to answer with: INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD + type, INVALID_MAJOR_VERSION)
 * and, from decodeMessage, the `header` when it was readable. Nothing else is ever thrown on peer input.
 *
 * Limits (limits.ts) bound what a peer can make us parse: message size, payload count, proposals,
 * transforms, attributes, selectors, CP attributes, Delete SPIs, certificate size, fragments. Decoding
 * never allocates from a length field before checking it against the bytes actually present.
 */
export * from "./errors.ts";
export * from "./iana.ts";
export * from "./constants.ts";
export * from "./limits.ts";
export { Reader, Writer } from "./codec.ts";
export type { IkeHeader, IkeHeaderFields } from "./payloads/header.ts";
export * from "./payload.ts";
export * from "./message.ts";
export * from "./rules.ts";
export * from "./build.ts";
export { isAddressRange } from "./payloads/ts.ts";
export { idDataProblem } from "./payloads/id.ts";
export { caHashes } from "./payloads/certreq.ts";
export { cpAttributeProblem } from "./payloads/cp.ts";
export { eapHeader, eapProblem } from "./payloads/eap.ts";
export { invalidKeGroup, signatureHashAlgorithms, u16List, unsupportedCriticalPayloadType } from "./payloads/notify.ts";
