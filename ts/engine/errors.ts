// Engine errors say who is at fault (STYLE: rustls error/mod.rs): the peer broke the protocol, the
// peer's offer is incompatible with our policy, authentication failed, or the caller misused the API.
// Those that reach the wire carry the IKE Notify type to answer with (RFC 7296 §3.10.1).
import { NotifyType } from "../wire/iana.ts";

export type EngineErrorKind =
  /** The peer sent something the RFC forbids (→ INVALID_SYNTAX and friends). */
  | "peer-misbehaved"
  /** No common proposal, selectors outside policy, unsupported method (→ NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE...). */
  | "incompatible"
  /** AUTH did not verify or the identity is not one we accept (→ AUTHENTICATION_FAILED). */
  | "auth-failed"
  /** We cannot do it now (→ TEMPORARY_FAILURE), e.g. a rekey collides with an exchange in progress. */
  | "temporary"
  /** The caller asked for something impossible (unknown SA, wrong state): never sent to the peer. */
  | "api-misuse";

export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    /** The notify to answer with, when this error answers a request. */
    readonly notify?: number,
    readonly notifyData: Uint8Array = new Uint8Array(0),
  ) {
    super(message);
  }
}

export const peerError = (msg: string, notify: number = NotifyType.INVALID_SYNTAX) => new EngineError("peer-misbehaved", msg, notify);
export const noProposal = (msg: string) => new EngineError("incompatible", msg, NotifyType.NO_PROPOSAL_CHOSEN);
export const tsUnacceptable = (msg: string) => new EngineError("incompatible", msg, NotifyType.TS_UNACCEPTABLE);
export const authFailed = (msg: string) => new EngineError("auth-failed", msg, NotifyType.AUTHENTICATION_FAILED);
export const misuse = (msg: string) => new EngineError("api-misuse", msg);
