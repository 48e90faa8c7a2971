// Typed errors for the crypto layer. Every public entry point validates its inputs and names itself
// in the message (noble style: "gcm: invalid nonce length"), so a failure says which function complained.

export type CryptoErrorCode =
  | "INVALID_KEY_LENGTH"
  | "INVALID_IV_LENGTH"
  | "INVALID_TAG_LENGTH"
  | "INVALID_INPUT_LENGTH"
  | "INVALID_OUTPUT"
  | "INVALID_PUBLIC_VALUE"
  | "INVALID_ARGUMENT"
  | "UNSUPPORTED";

export class CryptoError extends Error {
  override readonly name = "CryptoError";
  constructor(
    /** What kind of misuse or failure this is. */
    readonly code: CryptoErrorCode,
    /** The function that complained, e.g. "gcm.seal". */
    readonly fn: string,
    detail: string,
  ) {
    super(`${fn}: ${detail}`);
  }
}

/** Throws INVALID_ARGUMENT unless `v` is a Uint8Array. @internal */
export function assertBytes(fn: string, what: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new CryptoError("INVALID_ARGUMENT", fn, `${what} must be a Uint8Array`);
}

/** Compares two byte strings in time that depends only on their lengths (no early exit). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Overwrites key material in a temporary. */
export function wipe(...bufs: (Uint8Array | undefined | null)[]): void {
  for (const b of bufs) if (b) b.fill(0);
}
