// Implementation limits of the wire decoder: what a hostile peer cannot push us past. These are our
// choices, not RFC rules (RFC constants live in constants.ts); exceeding one is a LIMIT_EXCEEDED WireError.

export interface WireLimits {
  /** Largest IKE message accepted, header included (RFC 7296 §3.1 allows 2^32-1; UDP and RFC 8229 TCP stop at 65535). */
  readonly maxMessageSize: number;
  /** Payloads in one chain (the outer message, or the decrypted inner chain). */
  readonly maxPayloads: number;
  /** Proposals in one SA payload. */
  readonly maxProposals: number;
  /** Transforms in one proposal. */
  readonly maxTransformsPerProposal: number;
  /** Attributes in one transform. */
  readonly maxAttributesPerTransform: number;
  /** Traffic selectors in one TSi/TSr payload. */
  readonly maxTrafficSelectors: number;
  /** Attributes in one CP payload. */
  readonly maxCpAttributes: number;
  /** SPIs in one Delete payload. */
  readonly maxDeleteSpis: number;
  /** Bytes of Certificate Data in one CERT payload. */
  readonly maxCertSize: number;
  /** Total Fragments an SKF payload may announce (RFC 7383 sets no bound). */
  readonly maxFragments: number;
}

export const DEFAULT_LIMITS: WireLimits = Object.freeze({
  maxMessageSize: 65535,
  maxPayloads: 64,
  maxProposals: 64,
  maxTransformsPerProposal: 64,
  maxAttributesPerTransform: 16,
  maxTrafficSelectors: 64,
  maxCpAttributes: 64,
  maxDeleteSpis: 1024,
  maxCertSize: 32768,
  maxFragments: 64,
});

/** DEFAULT_LIMITS with the given overrides. */
export function withLimits(overrides?: Partial<WireLimits>): WireLimits {
  return overrides ? { ...DEFAULT_LIMITS, ...overrides } : DEFAULT_LIMITS;
}
