// Typed errors for the IKEv2 wire layer. Every decode failure says what was being read, where, and which
// IKE Notify the engine should answer with when the RFC asks for one (RFC 7296 §2.21, §3.10.1).
import type { IkeHeader } from "./payloads/header.ts";

export type WireErrorCode =
  /** A fixed-size field or structure runs past the end of its enclosing length. */
  | "TRUNCATED"
  /** A length field disagrees with its contents or with its enclosing length. */
  | "BAD_LENGTH"
  /** A field holds a value the RFC forbids (bad substructure marker, wrong SPI size, ...). */
  | "BAD_VALUE"
  /** An implementation limit from limits.ts (not an RFC rule) was exceeded. */
  | "LIMIT_EXCEEDED"
  /** An unrecognized payload with the critical bit set (RFC 7296 §2.5). */
  | "UNSUPPORTED_CRITICAL_PAYLOAD"
  /** The payloads of a message break the per-exchange rules of rules.ts. */
  | "RULE_VIOLATION"
  /** The IKE header carries a major version other than 2 (RFC 7296 §2.5, §3.1). */
  | "BAD_VERSION"
  /** The caller asked an encoder to write something unencodable (not the peer's fault). */
  | "INVALID_ARGUMENT";

/** The Notify an engine should send back (RFC 7296 §3.10.1); `data` is the Notification Data. */
export interface WireNotify {
  readonly type: number;
  readonly data: Uint8Array;
}

/** RFC 7296 §3.10.1 error types used by the wire layer (full registry in iana.ts). */
const UNSUPPORTED_CRITICAL_PAYLOAD = 1;
const INVALID_MAJOR_VERSION = 5;
const INVALID_SYNTAX = 7;

export class WireError extends Error {
  override readonly name = "WireError";
  /**
   * The IKE header of the message being decoded, when it was read before the failure; lets an engine
   * answer with the right SPIs, exchange type and Message ID. Set by decodeMessage.
   */
  header?: IkeHeader;

  constructor(
    readonly code: WireErrorCode,
    /** What was being decoded, e.g. "SA payload" or "IKE header". */
    readonly context: string,
    /** Words an operator can act on, e.g. "proposal 2 transform 3 length 4 < 8". */
    readonly detail: string,
    /** Byte offset of the offending field (in the message, or in the decrypted inner chain). */
    readonly offset: number,
    /** Payload type being decoded (IANA "IKEv2 Payload Types"), if any. */
    readonly payloadType: number | undefined,
    /** The Notify the engine should answer with, or undefined when none is due. */
    readonly notify: WireNotify | undefined,
  ) {
    super(`${context}: ${detail}${offset >= 0 ? ` at offset ${offset}` : ""}`);
  }
}

/** The Notify the RFC asks for with each error kind (RFC 7296 §2.21, §3.10.1). @internal */
export function notifyFor(code: WireErrorCode, payloadType: number | undefined, majorVersion?: number): WireNotify | undefined {
  switch (code) {
    case "UNSUPPORTED_CRITICAL_PAYLOAD":
      // RFC 7296 §3.10.1: "The Notification Data contains the one-octet payload type."
      return { type: UNSUPPORTED_CRITICAL_PAYLOAD, data: Uint8Array.of((payloadType ?? 0) & 0xff) };
    case "BAD_VERSION":
      // RFC 7296 §2.5: a higher major version gets INVALID_MAJOR_VERSION; a lower one (IKEv1) is not ours.
      return majorVersion !== undefined && majorVersion > 2 ? { type: INVALID_MAJOR_VERSION, data: new Uint8Array(0) } : undefined;
    case "INVALID_ARGUMENT":
      return undefined;
    default:
      // Malformed input, broken payload rules and our own limits are all answered as INVALID_SYNTAX
      // (RFC 7296 §3.10.1: "a field is out of range or ... the message is otherwise malformed").
      return { type: INVALID_SYNTAX, data: new Uint8Array(0) };
  }
}

/** Builds a WireError with the Notify that its code calls for. @internal */
export function wireError(
  code: WireErrorCode,
  context: string,
  detail: string,
  offset: number,
  payloadType?: number,
  majorVersion?: number,
): WireError {
  return new WireError(code, context, detail, offset, payloadType, notifyFor(code, payloadType, majorVersion));
}

/** Encoder misuse: the caller handed a value that cannot go on the wire. @internal */
export function invalidArgument(context: string, detail: string): WireError {
  return new WireError("INVALID_ARGUMENT", context, detail, -1, undefined, undefined);
}
