// The one crypto interface of skeyseed. Everything IKEv2 and ESP do with secrets goes through a
// CryptoProvider; providers are `wasm` (default; kernels in core-wasm/), `native` (node:crypto, which
// Node, Deno and Bun all have) and `js` (pure JS reference: @noble/hashes, @noble/ciphers, BigInt).
// Algorithms are keyed by IANA IKEv2 transform IDs (RFC 7296 §3.3.2, IANA "IKEv2 Parameters").
// Keyed objects (withKey) do their key setup once, so per-message work never rebuilds key state.

/** Fills `out` with random bytes. Injected: system randomness in runtimes/, a seeded DRBG in tests. */
export type RandomSource = (out: Uint8Array) => void;

/** Transform Type 1 - Encryption Algorithm Transform IDs (RFC 7296 §3.3.2, RFC 5282). */
export const ENCR = {
  ENCR_AES_CBC: 12,
  ENCR_AES_GCM_8: 18,
  ENCR_AES_GCM_12: 19,
  ENCR_AES_GCM_16: 20,
} as const;
/** Transform Type 2 - Pseudorandom Function Transform IDs (RFC 7296 §3.3.2, RFC 4868). */
export const PRF = {
  PRF_HMAC_SHA1: 2,
  PRF_AES128_XCBC: 4,
  PRF_HMAC_SHA2_256: 5,
  PRF_HMAC_SHA2_384: 6,
  PRF_HMAC_SHA2_512: 7,
  PRF_AES128_CMAC: 8,
} as const;
/** Transform Type 3 - Integrity Algorithm Transform IDs (RFC 7296 §3.3.2, RFC 4868). */
export const INTEG = {
  NONE: 0,
  AUTH_HMAC_SHA1_96: 2,
  AUTH_HMAC_SHA2_256_128: 12,
  AUTH_HMAC_SHA2_384_192: 13,
  AUTH_HMAC_SHA2_512_256: 14,
} as const;
/** Transform Type 4 - Key Exchange Method Transform IDs (RFC 7296, RFC 3526, RFC 5903, RFC 8031). */
export const KE = {
  MODP_768: 1,
  MODP_1024: 2,
  MODP_1536: 5,
  MODP_2048: 14,
  MODP_3072: 15,
  MODP_4096: 16,
  MODP_6144: 17,
  MODP_8192: 18,
  ECP_256: 19,
  ECP_384: 20,
  ECP_521: 21,
  CURVE25519: 31,
  CURVE448: 32,
} as const;

export type HashAlg = "sha1" | "sha256" | "sha384" | "sha512";

/** A PRF with a bound key: prf(K, S) computed many times without redoing key setup. */
export interface KeyedPrf {
  readonly outLen: number;
  compute(data: Uint8Array): Uint8Array;
  /** Writes outLen bytes at out[offset..]. Does not allocate on the wasm path. */
  computeInto(data: Uint8Array, out: Uint8Array, offset?: number): void;
  /** Wipes the key state held by this object. */
  dispose(): void;
}

export interface Prf {
  readonly id: number;
  readonly name: string;
  /** Output length in bytes. */
  readonly outLen: number;
  /** Preferred key length in bytes (RFC 7296 §2.13: the output length for HMAC PRFs). */
  readonly keyLen: number;
  withKey(key: Uint8Array): KeyedPrf;
  /** prf+ (RFC 7296 §2.13): T1 | T2 | ... truncated to `length` bytes (at most 255 * outLen). */
  prfPlus(key: Uint8Array, seed: Uint8Array, length: number): Uint8Array;
}

/** An integrity transform with a bound key. ICVs are truncated per RFC 4868 / RFC 2404. */
export interface KeyedInteg {
  readonly icvLen: number;
  compute(data: Uint8Array): Uint8Array;
  computeInto(data: Uint8Array, out: Uint8Array, offset?: number): void;
  /** Constant-time check of `icv` (no early exit); false on any mismatch or wrong length. */
  verify(data: Uint8Array, icv: Uint8Array): boolean;
  dispose(): void;
}

export interface Integ {
  readonly id: number;
  readonly name: string;
  readonly keyLen: number;
  readonly icvLen: number;
  withKey(key: Uint8Array): KeyedInteg;
}

/** A block cipher mode with a bound key: AES-CBC (RFC 3602), whole blocks, no padding. */
export interface KeyedCipher {
  encrypt(iv: Uint8Array, plaintext: Uint8Array): Uint8Array;
  encryptInto(iv: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset?: number): void;
  decrypt(iv: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  decryptInto(iv: Uint8Array, ciphertext: Uint8Array, out: Uint8Array, offset?: number): void;
  dispose(): void;
}

/** An AEAD with bound key material (key || 4-byte salt): AES-GCM with the IPsec nonce (RFC 4106, RFC 5282). */
export interface KeyedAead {
  readonly icvLen: number;
  /** Returns ciphertext || ICV. Nonce = salt || iv (8 bytes). */
  seal(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  sealInto(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset?: number): void;
  /** Returns the plaintext, or null when the ICV does not verify (checked without early exit). */
  open(iv: Uint8Array, aad: Uint8Array, ciphertextAndIcv: Uint8Array): Uint8Array | null;
  dispose(): void;
}

interface EncrBase {
  readonly id: number;
  readonly name: string;
  /** Cipher key length in bytes (16, 24, 32). */
  readonly keyLen: number;
  /** Bytes of keying material taken from KEYMAT / SK_e: keyLen (+ 4 salt bytes for GCM). */
  readonly keyMaterialLen: number;
  readonly blockSize: number;
  /** IV length on the wire: 16 for CBC, 8 for GCM. */
  readonly ivLen: number;
}
export interface Cipher extends EncrBase { readonly aead: false; withKey(key: Uint8Array): KeyedCipher }
export interface Aead extends EncrBase {
  readonly aead: true;
  readonly icvLen: number;
  readonly saltLen: number;
  withKey(keyMaterial: Uint8Array): KeyedAead;
}
export type Encr = Cipher | Aead;

/** One side's ephemeral key for a key exchange method. */
export interface KeyShare {
  readonly group: number;
  /** The KE payload's Key Exchange Data (RFC 7296 §3.4; RFC 5903 x||y; RFC 8031 u-coordinate). */
  readonly publicValue: Uint8Array;
  /**
   * The shared secret g^ir (§2.14), after validating the peer's value (RFC 6989, §2.12):
   * throws CryptoError INVALID_PUBLIC_VALUE for a value of the wrong length, 0, 1, p-1, >= p,
   * a point not on the curve, the identity, or an all-zero X25519/X448 result.
   */
  computeShared(peerPublic: Uint8Array): Uint8Array;
  /** Wipes the private value. */
  dispose(): void;
}

export interface KeGroup {
  readonly id: number;
  readonly name: string;
  /** Length of the public value in bytes. */
  readonly publicLen: number;
  /** Draws a private value from the provider's injected random source. */
  generate(): KeyShare;
  /** Checks a peer public value without computing (throws INVALID_PUBLIC_VALUE). */
  validatePublic(peerPublic: Uint8Array): void;
}

export interface CryptoProvider {
  readonly name: "wasm" | "native" | "js";
  random(length: number): Uint8Array;
  randomInto(out: Uint8Array): void;
  hash(alg: HashAlg, data: Uint8Array): Uint8Array;
  /** Throws CryptoError UNSUPPORTED naming the transform when unknown. */
  prf(id: number): Prf;
  integ(id: number): Integ;
  /** `keyBits` is the Key Length attribute (RFC 7296 §3.3.5): 128, 192 or 256 for AES. */
  encr(id: number, keyBits: number): Encr;
  ke(id: number): KeGroup;
  /** General modular exponentiation base^exp mod m over big-endian bytes, result padded to m's length. m odd. */
  modexp(base: Uint8Array, exp: Uint8Array, mod: Uint8Array): Uint8Array;
  /** Which transform IDs this provider implements. */
  readonly supported: { readonly prf: readonly number[]; readonly integ: readonly number[]; readonly encr: readonly number[]; readonly ke: readonly number[] };
}

export interface ProviderOptions {
  random: RandomSource;
}
