// One signer/verifier API for every signature IKEv2 uses: RSA PKCS#1 v1.5 and RSASSA-PSS (ts/crypto/rsa.ts,
// wasm kernel), ECDSA on P-256/P-384/P-521 (@noble/curves; DER for RFC 7427, r||s for RFC 4754 AUTH
// methods 9/10/11), Ed25519/Ed448 (RFC 8032, used in IKEv2 by RFC 8420). Synchronous throughout.
import { ed25519 } from "@noble/curves/ed25519.js";
import { ed448 } from "@noble/curves/ed448.js";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { CryptoError, assertBytes, wipe } from "./errors.ts";
import { RsaPrivateKey, rsaVerifyPkcs1, rsaVerifyPss } from "./rsa.ts";
import type { HashAlg, RandomSource } from "./types.ts";
import { hash } from "./wasm/sha.ts";

export { algorithmIdentifier, parseAlgorithmIdentifier } from "./sig/algid.ts";

/** How a signature is computed; keyed by algorithm, independent of the key's bytes. */
export type SignatureScheme =
  | { kind: "rsa-pkcs1"; hash: HashAlg }
  /** RSASSA-PSS; MGF1 with mgfHash (default: hash). saltLength is exact on verify. */
  | { kind: "rsa-pss"; hash: HashAlg; saltLength: number; mgfHash?: HashAlg }
  /** "der": ECDSA-Sig-Value (RFC 7427, X.509); "p1363": r||s at the field length (RFC 4754). */
  | { kind: "ecdsa"; hash: HashAlg; format: "der" | "p1363" }
  | { kind: "ed25519" }
  | { kind: "ed448" };

export type EcCurve = "P-256" | "P-384" | "P-521";

export type SigPublicKey =
  | { type: "rsa"; n: Uint8Array; e: Uint8Array }
  /** point: SEC1 encoding (uncompressed 04||x||y or compressed). */
  | { type: "ecdsa"; curve: EcCurve; point: Uint8Array }
  | { type: "ed25519"; key: Uint8Array }
  | { type: "ed448"; key: Uint8Array };

export type SigPrivateKey =
  | { type: "rsa"; key: RsaPrivateKey }
  /** d: the scalar, big-endian at the curve's byte length. */
  | { type: "ecdsa"; curve: EcCurve; d: Uint8Array }
  /** seed: the 32-byte (Ed25519) or 57-byte (Ed448) private key of RFC 8032. */
  | { type: "ed25519"; seed: Uint8Array }
  | { type: "ed448"; seed: Uint8Array };

const CURVES = { "P-256": p256, "P-384": p384, "P-521": p521 } as const;

/** The key type a scheme needs. */
export function keyTypeOf(s: SignatureScheme): SigPublicKey["type"] {
  switch (s.kind) {
    case "rsa-pkcs1": case "rsa-pss": return "rsa";
    case "ecdsa": return "ecdsa";
    default: return s.kind;
  }
}

function checkScheme(fn: string, s: SignatureScheme, keyType: string): void {
  if (!s || typeof s !== "object") throw new CryptoError("INVALID_ARGUMENT", fn, "scheme must be a SignatureScheme");
  if (keyTypeOf(s) !== keyType) throw new CryptoError("INVALID_ARGUMENT", fn, `a ${keyType} key cannot be used with ${s.kind}`);
}

/**
 * Verifies `sig` over `msg`. Returns false for any invalid or malformed signature; throws
 * CryptoError only on caller errors (scheme and key of different types, malformed key).
 */
export function verify(scheme: SignatureScheme, key: SigPublicKey, msg: Uint8Array, sig: Uint8Array): boolean {
  const fn = "sig.verify";
  checkScheme(fn, scheme, key?.type);
  assertBytes(fn, "message", msg);
  assertBytes(fn, "signature", sig);
  switch (scheme.kind) {
    case "rsa-pkcs1": return rsaVerifyPkcs1(key as { n: Uint8Array; e: Uint8Array }, scheme.hash, msg, sig);
    case "rsa-pss": return rsaVerifyPss(key as { n: Uint8Array; e: Uint8Array }, scheme.hash, msg, sig,
      { saltLength: scheme.saltLength, mgfHash: scheme.mgfHash });
    case "ecdsa": {
      const k = key as Extract<SigPublicKey, { type: "ecdsa" }>;
      const curve = CURVES[k.curve];
      if (!curve) throw new CryptoError("UNSUPPORTED", fn, `curve ${String(k.curve)}`);
      try {
        return curve.verify(sig, hash(scheme.hash, msg), k.point,
          { prehash: false, lowS: false, format: scheme.format === "der" ? "der" : "compact" });
      } catch {
        return false; // malformed signature or point
      }
    }
    case "ed25519": case "ed448": {
      const k = (key as { key: Uint8Array }).key;
      try {
        return scheme.kind === "ed25519" ? ed25519.verify(sig, msg, k, { zip215: false }) : ed448.verify(sig, msg, k, { zip215: false });
      } catch {
        return false;
      }
    }
  }
  throw new CryptoError("UNSUPPORTED", fn, `scheme ${(scheme as { kind: string }).kind}`);
}

/**
 * Signs `msg`. `random` feeds RSA blinding and PSS salts and hedges ECDSA (RFC 6979 k with extra
 * entropy); EdDSA is deterministic and does not draw from it.
 */
export function sign(scheme: SignatureScheme, key: SigPrivateKey, msg: Uint8Array, random: RandomSource): Uint8Array {
  const fn = "sig.sign";
  checkScheme(fn, scheme, key?.type);
  assertBytes(fn, "message", msg);
  if (typeof random !== "function") throw new CryptoError("INVALID_ARGUMENT", fn, "random must be a RandomSource");
  switch (scheme.kind) {
    case "rsa-pkcs1": return (key as { key: RsaPrivateKey }).key.signPkcs1(scheme.hash, msg, random);
    case "rsa-pss": {
      if (scheme.mgfHash && scheme.mgfHash !== scheme.hash) throw new CryptoError("UNSUPPORTED", fn, "signing with an MGF1 hash other than the message hash");
      return (key as { key: RsaPrivateKey }).key.signPss(scheme.hash, msg, random, scheme.saltLength);
    }
    case "ecdsa": {
      const k = key as Extract<SigPrivateKey, { type: "ecdsa" }>;
      const curve = CURVES[k.curve];
      if (!curve) throw new CryptoError("UNSUPPORTED", fn, `curve ${String(k.curve)}`);
      const extraEntropy = new Uint8Array(32);
      random(extraEntropy);
      return curve.sign(hash(scheme.hash, msg), k.d,
        { prehash: false, lowS: false, extraEntropy, format: scheme.format === "der" ? "der" : "compact" });
    }
    case "ed25519": return ed25519.sign(msg, (key as { seed: Uint8Array }).seed);
    case "ed448": return ed448.sign(msg, (key as { seed: Uint8Array }).seed);
  }
  throw new CryptoError("UNSUPPORTED", fn, `scheme ${(scheme as { kind: string }).kind}`);
}

/** The public key of a private key (for the "key matches certificate" check). */
export function publicKeyOf(key: SigPrivateKey): SigPublicKey {
  switch (key.type) {
    case "rsa": return { type: "rsa", n: key.key.publicKey.n, e: key.key.publicKey.e };
    case "ecdsa": return { type: "ecdsa", curve: key.curve, point: CURVES[key.curve].getPublicKey(key.d, false) };
    case "ed25519": return { type: "ed25519", key: ed25519.getPublicKey(key.seed) };
    case "ed448": return { type: "ed448", key: ed448.getPublicKey(key.seed) };
  }
  throw new CryptoError("UNSUPPORTED", "sig.publicKeyOf", `key type ${(key as { type: string }).type}`);
}

/** Byte length of a scalar (and of r, s) on each curve. */
export const CURVE_BYTES: Record<EcCurve, number> = { "P-256": 32, "P-384": 48, "P-521": 66 };

/** True when a scheme can be used with a key of this type (AUTH methods 9-11 also fix the curve: ts/crypto/sig/auth.ts). */
export function schemeFitsKey(scheme: SignatureScheme, key: SigPublicKey | SigPrivateKey): boolean {
  return keyTypeOf(scheme) === key.type;
}

/** Wipes a private key (scalar or seed; an RSA key's primes and Montgomery contexts). */
export function disposePrivateKey(key: SigPrivateKey): void {
  switch (key.type) {
    case "rsa": key.key.dispose(); break;
    case "ecdsa": wipe(key.d); break;
    case "ed25519": case "ed448": wipe(key.seed); break;
  }
}
