// IKEv2 AUTH payload signatures: what each Auth Method means (RFC 7296 §3.8, RFC 4754 §3 for
// 9/10/11), the Digital Signature method 14 (RFC 7427 §3: length, AlgorithmIdentifier, signature),
// EdDSA under method 14 (RFC 8420) and SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4). The signed octets
// (RFC 7296 §2.15 InitiatorSignedOctets / ResponderSignedOctets) are built by the caller.
import { CryptoError, assertBytes } from "../errors.ts";
import type { HashAlg, RandomSource } from "../types.ts";
import { keyTypeOf, sign, verify, type EcCurve, type SignatureScheme, type SigPrivateKey, type SigPublicKey } from "../sig.ts";
import { algorithmIdentifier, parseAlgorithmIdentifier } from "./algid.ts";
import { digestLength } from "../wasm/sha.ts";

/** RFC 7296 §3.8 and IANA "IKEv2 Authentication Method". */
export const AUTH_METHOD = {
  RSA_DIGITAL_SIGNATURE: 1,
  SHARED_KEY_MESSAGE_INTEGRITY_CODE: 2,
  DSS_DIGITAL_SIGNATURE: 3,
  ECDSA_SHA256_P256: 9,
  ECDSA_SHA384_P384: 10,
  ECDSA_SHA512_P521: 11,
  GENERIC_SECURE_PASSWORD: 12,
  NULL_AUTHENTICATION: 13,
  DIGITAL_SIGNATURE: 14,
} as const;

/** RFC 7427 §7 / IANA "IKEv2 Hash Algorithms", the values of SIGNATURE_HASH_ALGORITHMS (5 = Identity, RFC 8420). */
export const SIGNATURE_HASH = { SHA1: 1, SHA2_256: 2, SHA2_384: 3, SHA2_512: 4, IDENTITY: 5 } as const;

/** Notify Message Type of SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4). */
export const SIGNATURE_HASH_ALGORITHMS_NOTIFY = 16431;

const HASH_IDS: Record<HashAlg, number> = { sha1: 1, sha256: 2, sha384: 3, sha512: 4 };

/**
 * What we announce in SIGNATURE_HASH_ALGORITHMS and accept under method 14: SHA-2 and Identity
 * (for EdDSA). SHA-1 is left out (RFC 8247 §3.2: SHA-1 MUST NOT be used for signatures under
 * method 14); method 1 remains SHA-1 by definition.
 */
export const SUPPORTED_SIGNATURE_HASHES: readonly number[] = [SIGNATURE_HASH.SHA2_256, SIGNATURE_HASH.SHA2_384, SIGNATURE_HASH.SHA2_512, SIGNATURE_HASH.IDENTITY];

/** The hash of a SIGNATURE_HASH_ALGORITHMS value, "identity" for 5, null for values we do not know. */
export function hashOfId(id: number): HashAlg | "identity" | null {
  if (id === SIGNATURE_HASH.IDENTITY) return "identity";
  return (Object.keys(HASH_IDS) as HashAlg[]).find((h) => HASH_IDS[h] === id) ?? null;
}

/** The SIGNATURE_HASH_ALGORITHMS value of a hash. */
export function idOfHash(h: HashAlg): number {
  const id = HASH_IDS[h];
  if (!id) throw new CryptoError("INVALID_ARGUMENT", "auth.idOfHash", `unknown hash ${String(h)}`);
  return id;
}

/** Notification Data of SIGNATURE_HASH_ALGORITHMS: 16-bit hash identifiers (RFC 7427 §4). */
export function encodeSignatureHashAlgorithms(ids: readonly number[] = SUPPORTED_SIGNATURE_HASHES): Uint8Array {
  const out = new Uint8Array(ids.length * 2);
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new CryptoError("INVALID_ARGUMENT", "auth.encodeSignatureHashAlgorithms", `hash identifier ${id} is not 16-bit`);
    out[2 * i] = id >> 8;
    out[2 * i + 1] = id & 0xff;
  });
  return out;
}

/** The identifiers in SIGNATURE_HASH_ALGORITHMS Notification Data, unknown ones included; throws on an odd length. */
export function parseSignatureHashAlgorithms(data: Uint8Array): number[] {
  assertBytes("auth.parseSignatureHashAlgorithms", "data", data);
  if (data.length % 2) throw new CryptoError("INVALID_ARGUMENT", "auth.parseSignatureHashAlgorithms", `odd length ${data.length} (a list of 16-bit identifiers)`);
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 2) out.push((data[i] << 8) | data[i + 1]);
  return out;
}

/** An AUTH method together with the signature it carries. */
export interface AuthSignature {
  method: number;
  scheme: SignatureScheme;
}

/** The fixed scheme and curve of methods 1, 9, 10, 11 (method 1 is RSASSA-PKCS1-v1_5 with SHA-1, RFC 7296 §3.8); null for others. */
export function classicScheme(method: number): { scheme: SignatureScheme; keyType: "rsa" | "ecdsa"; curve?: EcCurve } | null {
  switch (method) {
    case AUTH_METHOD.RSA_DIGITAL_SIGNATURE: return { scheme: { kind: "rsa-pkcs1", hash: "sha1" }, keyType: "rsa" };
    case AUTH_METHOD.ECDSA_SHA256_P256: return { scheme: { kind: "ecdsa", hash: "sha256", format: "p1363" }, keyType: "ecdsa", curve: "P-256" };
    case AUTH_METHOD.ECDSA_SHA384_P384: return { scheme: { kind: "ecdsa", hash: "sha384", format: "p1363" }, keyType: "ecdsa", curve: "P-384" };
    case AUTH_METHOD.ECDSA_SHA512_P521: return { scheme: { kind: "ecdsa", hash: "sha512", format: "p1363" }, keyType: "ecdsa", curve: "P-521" };
  }
  return null;
}

const CURVE_HASH: Record<EcCurve, HashAlg> = { "P-256": "sha256", "P-384": "sha384", "P-521": "sha512" };
const CURVE_METHOD: Record<EcCurve, number> = { "P-256": 9, "P-384": 10, "P-521": 11 };

export interface AuthChoiceOptions {
  /** RSA under method 14: PKCS#1 v1.5 (default, what strongSwan sends unless configured otherwise) or PSS. */
  rsaPadding?: "pkcs1" | "pss";
  /** Use methods 1/9/10/11 even when the peer supports RFC 7427. */
  classic?: boolean;
}

/**
 * How to sign our AUTH payload with `key`. `peerHashes`: the peer's SIGNATURE_HASH_ALGORITHMS, or
 * null when it sent none. With a common SHA-2 hash we use method 14 (RFC 7427 §4: only hashes
 * the peer listed); otherwise the classic method of the key (1, or 9/10/11 by curve). EdDSA exists
 * only under method 14 with Identity (RFC 8420 §2); a peer whose list lacks Identity cannot verify it.
 */
export function chooseAuthSignature(key: SigPublicKey | SigPrivateKey, peerHashes: readonly number[] | null, opts: AuthChoiceOptions = {}): AuthSignature {
  const fn = "auth.chooseAuthSignature";
  const common = (prefs: HashAlg[]) => prefs.find((h) => peerHashes?.includes(HASH_IDS[h]));
  switch (key?.type) {
    case "ed25519": case "ed448":
      if (peerHashes && !peerHashes.includes(SIGNATURE_HASH.IDENTITY)) {
        throw new CryptoError("UNSUPPORTED", fn, `the peer's SIGNATURE_HASH_ALGORITHMS (${peerHashes.join(", ")}) lack Identity (5), so it cannot verify ${key.type} signatures`);
      }
      return { method: AUTH_METHOD.DIGITAL_SIGNATURE, scheme: { kind: key.type } };
    case "ecdsa": {
      const h = opts.classic ? undefined : common([CURVE_HASH[key.curve], "sha256", "sha384", "sha512"]);
      if (h) return { method: AUTH_METHOD.DIGITAL_SIGNATURE, scheme: { kind: "ecdsa", hash: h, format: "der" } };
      const method = CURVE_METHOD[key.curve];
      if (!method) throw new CryptoError("UNSUPPORTED", fn, `curve ${String(key.curve)}`);
      return { method, scheme: classicScheme(method)!.scheme };
    }
    case "rsa": {
      const h = opts.classic ? undefined : common(["sha256", "sha384", "sha512"]);
      if (!h) return { method: AUTH_METHOD.RSA_DIGITAL_SIGNATURE, scheme: classicScheme(1)!.scheme };
      return {
        method: AUTH_METHOD.DIGITAL_SIGNATURE,
        scheme: opts.rsaPadding === "pss" ? { kind: "rsa-pss", hash: h, saltLength: digestLength(h) } : { kind: "rsa-pkcs1", hash: h },
      };
    }
  }
  throw new CryptoError("INVALID_ARGUMENT", fn, "key must be a signature key");
}

/** Authentication Data for a signature (RFC 7427 §3 for method 14: ASN.1 length octet, AlgorithmIdentifier, signature). */
export function encodeAuthData(sel: AuthSignature, signature: Uint8Array): Uint8Array {
  assertBytes("auth.encodeAuthData", "signature", signature);
  if (sel.method !== AUTH_METHOD.DIGITAL_SIGNATURE) {
    if (!classicScheme(sel.method)) throw new CryptoError("UNSUPPORTED", "auth.encodeAuthData", `AUTH method ${sel.method} is not a signature method`);
    return signature.slice();
  }
  const algId = algorithmIdentifier(sel.scheme);
  if (algId.length > 255) throw new CryptoError("INVALID_ARGUMENT", "auth.encodeAuthData", "AlgorithmIdentifier longer than 255 bytes");
  const out = new Uint8Array(1 + algId.length + signature.length);
  out[0] = algId.length;
  out.set(algId, 1);
  out.set(signature, 1 + algId.length);
  return out;
}

/** Signs `signedOctets` and returns the Authentication Data of the AUTH payload. */
export function signAuth(key: SigPrivateKey, sel: AuthSignature, signedOctets: Uint8Array, random: RandomSource): Uint8Array {
  const classic = classicScheme(sel.method);
  if (classic) {
    if (key.type !== classic.keyType || (classic.curve && key.type === "ecdsa" && key.curve !== classic.curve)) {
      throw new CryptoError("INVALID_ARGUMENT", "auth.signAuth", `AUTH method ${sel.method} needs ${classic.curve ?? classic.keyType} key, not ${describeKey(key)}`);
    }
  } else if (sel.method !== AUTH_METHOD.DIGITAL_SIGNATURE) {
    throw new CryptoError("UNSUPPORTED", "auth.signAuth", `AUTH method ${sel.method} is not a signature method`);
  }
  const scheme = classic ? classic.scheme : sel.scheme;
  return encodeAuthData({ method: sel.method, scheme }, sign(scheme, key, signedOctets, random));
}

/** Decoded Authentication Data of a signature method. */
export interface DecodedAuth {
  scheme: SignatureScheme;
  signature: Uint8Array;
  /** For methods 9/10/11: the curve the signer's key must be on. */
  curve?: EcCurve;
}

/** Splits Authentication Data into scheme and signature; throws CryptoError (UNSUPPORTED or INVALID_ARGUMENT) naming the problem. */
export function decodeAuthData(method: number, data: Uint8Array): DecodedAuth {
  const fn = "auth.decodeAuthData";
  assertBytes(fn, "data", data);
  const classic = classicScheme(method);
  if (classic) return { scheme: classic.scheme, signature: data, curve: classic.curve };
  if (method !== AUTH_METHOD.DIGITAL_SIGNATURE) throw new CryptoError("UNSUPPORTED", fn, `AUTH method ${method} is not a signature method we support (1, 9, 10, 11, 14)`);
  if (data.length < 1 || data.length < 1 + data[0]) throw new CryptoError("INVALID_ARGUMENT", fn, "Digital Signature data shorter than its AlgorithmIdentifier length");
  const scheme = parseAlgorithmIdentifier(data.subarray(1, 1 + data[0]));
  return { scheme, signature: data.subarray(1 + data[0]) };
}

export interface AuthVerifyOptions {
  /** Hashes accepted under method 14 (default SHA-256/384/512; EdDSA needs none). Method 1 is SHA-1 regardless. */
  acceptedHashes?: readonly HashAlg[];
}

export type AuthVerifyResult = { ok: true; scheme: SignatureScheme } | { ok: false; reason: string };

function describeKey(k: SigPublicKey | SigPrivateKey): string {
  if (k.type === "ecdsa") return `an ECDSA ${k.curve} key`;
  return k.type === "rsa" ? "an RSA key" : `an ${k.type === "ed25519" ? "Ed25519" : "Ed448"} key`;
}

function describeScheme(s: SignatureScheme): string {
  switch (s.kind) {
    case "rsa-pkcs1": return `RSA PKCS#1 v1.5 with ${s.hash.toUpperCase()}`;
    case "rsa-pss": return `RSASSA-PSS with ${s.hash.toUpperCase()}`;
    case "ecdsa": return `ECDSA with ${s.hash.toUpperCase()}`;
    default: return s.kind === "ed25519" ? "Ed25519" : "Ed448";
  }
}

/**
 * Verifies a peer's signature AUTH payload against the public key of its certificate. Never throws
 * for anything the peer sent: the reason says in words what did not fit (method and key, algorithm,
 * hash, or the signature itself), for the AUTHENTICATION_FAILED log line.
 */
export function verifyAuth(method: number, authData: Uint8Array, key: SigPublicKey, signedOctets: Uint8Array, opts: AuthVerifyOptions = {}): AuthVerifyResult {
  let d: DecodedAuth;
  try {
    d = decodeAuthData(method, authData);
  } catch (e) {
    return { ok: false, reason: e instanceof CryptoError ? e.message.replace(/^auth\.decodeAuthData: /, "") : String(e) };
  }
  const needType = keyTypeOf(d.scheme);
  if (key.type !== needType || (d.curve && key.type === "ecdsa" && key.curve !== d.curve)) {
    return { ok: false, reason: `AUTH method ${method} with ${describeScheme(d.scheme)} needs ${d.curve ? `an ECDSA ${d.curve}` : needType === "rsa" ? "an RSA" : needType === "ecdsa" ? "an ECDSA" : `an ${needType}`} key; the certificate holds ${describeKey(key)}` };
  }
  if (method === AUTH_METHOD.DIGITAL_SIGNATURE && "hash" in d.scheme) {
    const accepted = opts.acceptedHashes ?? ["sha256", "sha384", "sha512"];
    if (!accepted.includes(d.scheme.hash) || (d.scheme.kind === "rsa-pss" && !accepted.includes(d.scheme.mgfHash ?? d.scheme.hash))) {
      return { ok: false, reason: `${describeScheme(d.scheme)} is not accepted (hashes accepted: ${accepted.join(", ")})` };
    }
  }
  try {
    if (verify(d.scheme, key, signedOctets, d.signature)) return { ok: true, scheme: d.scheme };
  } catch (e) {
    return { ok: false, reason: `the certificate's key cannot check the signature: ${(e as Error).message}` };
  }
  return { ok: false, reason: `${describeScheme(d.scheme)} signature (AUTH method ${method}) does not verify with the certificate's key` };
}
