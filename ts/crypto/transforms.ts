// The IKEv2 transform table (IANA IDs to algorithm parameters: RFC 7296 §3.3.2, RFC 4868, RFC 3602,
// RFC 5282) and the one place that turns a provider's raw primitives into a CryptoProvider. Every
// length check, error message, dispose rule and prf+ loop lives here, so the wasm, native and js
// providers accept, reject and name things identically; they differ only in the primitives. @internal
import { CryptoError, assertBytes, equalBytes, wipe } from "./errors.ts";
import { ENCR, INTEG, KE, PRF } from "./types.ts";
import type {
  Aead, Cipher, CryptoProvider, Encr, HashAlg, Integ, KeGroup, KeyedAead, KeyedCipher, KeyedInteg, KeyedPrf, Prf,
  ProviderOptions,
} from "./types.ts";

export interface PrfSpec { readonly id: number; readonly name: string; readonly alg: HashAlg; readonly outLen: number }
export interface IntegSpec { readonly id: number; readonly name: string; readonly alg: HashAlg; readonly keyLen: number; readonly icvLen: number }

/** RFC 7296 §3.3.2, RFC 4868 §3: HMAC PRFs; output length = preferred key length. */
export const PRF_SPECS: Readonly<Record<number, PrfSpec>> = {
  [PRF.PRF_HMAC_SHA1]: { id: 2, name: "PRF_HMAC_SHA1", alg: "sha1", outLen: 20 },
  [PRF.PRF_HMAC_SHA2_256]: { id: 5, name: "PRF_HMAC_SHA2_256", alg: "sha256", outLen: 32 },
  [PRF.PRF_HMAC_SHA2_384]: { id: 6, name: "PRF_HMAC_SHA2_384", alg: "sha384", outLen: 48 },
  [PRF.PRF_HMAC_SHA2_512]: { id: 7, name: "PRF_HMAC_SHA2_512", alg: "sha512", outLen: 64 },
};

/** RFC 2404 (SHA1-96), RFC 4868 §2.1-§2.3: key = full HMAC output, ICV = half of it. */
export const INTEG_SPECS: Readonly<Record<number, IntegSpec>> = {
  [INTEG.AUTH_HMAC_SHA1_96]: { id: 2, name: "AUTH_HMAC_SHA1_96", alg: "sha1", keyLen: 20, icvLen: 12 },
  [INTEG.AUTH_HMAC_SHA2_256_128]: { id: 12, name: "AUTH_HMAC_SHA2_256_128", alg: "sha256", keyLen: 32, icvLen: 16 },
  [INTEG.AUTH_HMAC_SHA2_384_192]: { id: 13, name: "AUTH_HMAC_SHA2_384_192", alg: "sha384", keyLen: 48, icvLen: 24 },
  [INTEG.AUTH_HMAC_SHA2_512_256]: { id: 14, name: "AUTH_HMAC_SHA2_512_256", alg: "sha512", keyLen: 64, icvLen: 32 },
};

/** AES-GCM with an 8, 12 or 16 octet ICV (RFC 5282 §7, RFC 4106 §8). */
const GCM_ICV: Readonly<Record<number, 8 | 12 | 16>> = {
  [ENCR.ENCR_AES_GCM_8]: 8, [ENCR.ENCR_AES_GCM_12]: 12, [ENCR.ENCR_AES_GCM_16]: 16,
};
const GCM_NAME: Readonly<Record<number, string>> = {
  [ENCR.ENCR_AES_GCM_8]: "ENCR_AES_GCM_8", [ENCR.ENCR_AES_GCM_12]: "ENCR_AES_GCM_12", [ENCR.ENCR_AES_GCM_16]: "ENCR_AES_GCM_16",
};

export const HASH_LEN: Readonly<Record<HashAlg, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** Name of a transform ID in the types.ts registries ("PRF_AES128_XCBC"), or "transform <id>". */
function idName(registry: Record<string, number>, id: number): string {
  for (const [k, v] of Object.entries(registry)) if (v === id) return `${k} (${id})`;
  return `transform ${String(id)}`;
}

/** An HMAC with its key set up once. Inputs are already checked. */
export interface RawMac {
  /** Writes the first n bytes of HMAC(key, data) at out[off..]. Reads all of data first: prf+ passes overlapping buffers. */
  macInto(data: Uint8Array, out: Uint8Array, off: number, n: number): void;
  /** Optional fast path: constant-time compare of the first icv.length bytes (1..outLen). */
  verify?(data: Uint8Array, icv: Uint8Array): boolean;
  dispose(): void;
}
/** AES-CBC with its key expanded once. Inputs are whole blocks, iv 16 bytes, output space checked. */
export interface RawCbc {
  encryptInto(iv: Uint8Array, pt: Uint8Array, out: Uint8Array, off: number): void;
  decryptInto(iv: Uint8Array, ct: Uint8Array, out: Uint8Array, off: number): void;
  dispose(): void;
}
/** AES-GCM with its key and ICV length bound. Nonces are 12 bytes; ctTag.length >= tagLen. */
export interface RawGcm {
  /** Writes ct || tag (pt.length + tagLen bytes) at out[off..]. */
  sealInto(nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array, out: Uint8Array, off: number): void;
  /** Writes the plaintext at out[off..] and returns true, or returns false (and writes nothing that stays). */
  openInto(nonce: Uint8Array, aad: Uint8Array, ctTag: Uint8Array, out: Uint8Array, off: number): boolean;
  dispose(): void;
}

/**
 * What a provider implements; everything else comes from buildProvider. Constructors (hmac, cbc, gcm)
 * must copy any key bytes they keep: the caller may wipe its key right after withKey(). @internal
 */
export interface Primitives {
  readonly name: "wasm" | "native" | "js";
  hash(alg: HashAlg, data: Uint8Array): Uint8Array;
  hmac(alg: HashAlg, key: Uint8Array): RawMac;
  /** Optional one-call prf+ (RFC 7296 §2.13) writing `length` bytes at out[off..]. */
  prfPlusInto?(alg: HashAlg, key: Uint8Array, seed: Uint8Array, out: Uint8Array, off: number, length: number): void;
  cbc(key: Uint8Array): RawCbc;
  gcm(key: Uint8Array, tagLen: 8 | 12 | 16): RawGcm;
  /** base^exp mod m, m odd and > 1 (checked). Any length; buildProvider pads to m's length. */
  modexp(base: Uint8Array, exp: Uint8Array, mod: Uint8Array): Uint8Array;
  /** The group for a KE ID, or undefined when this provider does not implement it. */
  ke(id: number): KeGroup | undefined;
  readonly keIds: readonly number[];
}

function checkOut(fn: string, out: unknown, offset: number, n: number): asserts out is Uint8Array {
  assertBytes(fn, "out", out);
  if (!Number.isInteger(offset) || offset < 0 || offset + n > out.length) {
    throw new CryptoError("INVALID_OUTPUT", fn, `out needs ${n} bytes at offset ${String(offset)} but has length ${out.length}`);
  }
}

function disposedError(fn: string, name: string): CryptoError {
  return new CryptoError("INVALID_ARGUMENT", fn, `${name} object used after dispose()`);
}

/** prf+ over a keyed MAC: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) (RFC 7296 §2.13). */
function genericPrfPlus(mac: RawMac, outLen: number, seed: Uint8Array, out: Uint8Array, off: number, length: number): void {
  const buf = new Uint8Array(outLen + seed.length + 1);
  buf.set(seed, outLen);
  const t = buf.subarray(0, outLen);
  try {
    for (let n = 1, done = 0; done < length; n++) {
      buf[buf.length - 1] = n;
      mac.macInto(n === 1 ? buf.subarray(outLen) : buf, t, 0, outLen);
      const take = Math.min(outLen, length - done);
      out.set(take === outLen ? t : t.subarray(0, take), off + done);
      done += take;
    }
  } finally {
    wipe(buf);
  }
}

function checkPrfPlusLength(fn: string, spec: PrfSpec, length: number): void {
  const max = 255 * spec.outLen;
  if (!Number.isInteger(length) || length < 1 || length > max) {
    throw new CryptoError("INVALID_ARGUMENT", fn, `${spec.name} length must be 1..${max} (255 * output length, RFC 7296 §2.13), got ${String(length)}`);
  }
}

function makePrf(p: Primitives, spec: PrfSpec): Prf {
  const { name, alg, outLen } = spec;
  return {
    id: spec.id, name, outLen, keyLen: outLen,
    withKey(key: Uint8Array): KeyedPrf {
      assertBytes("prf", "key", key);
      let mac: RawMac | null = p.hmac(alg, key);
      const live = (fn: string): RawMac => mac ?? (() => { throw disposedError(fn, name); })();
      return {
        outLen,
        compute(data) {
          assertBytes("prf.compute", "data", data);
          const out = new Uint8Array(outLen);
          live("prf.compute").macInto(data, out, 0, outLen);
          return out;
        },
        computeInto(data, out, offset = 0) {
          assertBytes("prf.computeInto", "data", data);
          checkOut("prf.computeInto", out, offset, outLen);
          live("prf.computeInto").macInto(data, out, offset, outLen);
        },
        dispose() { mac?.dispose(); mac = null; },
      };
    },
    prfPlus(key: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
      assertBytes("prf+", "key", key);
      assertBytes("prf+", "seed", seed);
      checkPrfPlusLength("prf+", spec, length);
      const out = new Uint8Array(length);
      if (p.prfPlusInto) {
        p.prfPlusInto(alg, key, seed, out, 0, length);
        return out;
      }
      const mac = p.hmac(alg, key);
      try {
        genericPrfPlus(mac, outLen, seed, out, 0, length);
      } finally {
        mac.dispose();
      }
      return out;
    },
  };
}

function makeInteg(p: Primitives, spec: IntegSpec): Integ {
  const { name, alg, keyLen, icvLen } = spec;
  return {
    id: spec.id, name, keyLen, icvLen,
    withKey(key: Uint8Array): KeyedInteg {
      assertBytes("integ", "key", key);
      if (key.length !== keyLen) throw new CryptoError("INVALID_KEY_LENGTH", "integ", `${name} key must be ${keyLen} bytes, got ${key.length}`);
      let mac: RawMac | null = p.hmac(alg, key);
      const scratch = new Uint8Array(icvLen);
      const live = (fn: string): RawMac => mac ?? (() => { throw disposedError(fn, name); })();
      return {
        icvLen,
        compute(data) {
          assertBytes("integ.compute", "data", data);
          const out = new Uint8Array(icvLen);
          live("integ.compute").macInto(data, out, 0, icvLen);
          return out;
        },
        computeInto(data, out, offset = 0) {
          assertBytes("integ.computeInto", "data", data);
          checkOut("integ.computeInto", out, offset, icvLen);
          live("integ.computeInto").macInto(data, out, offset, icvLen);
        },
        verify(data, icv) {
          assertBytes("integ.verify", "data", data);
          assertBytes("integ.verify", "icv", icv);
          const m = live("integ.verify");
          // A wrong-length ICV still costs one MAC, so timing does not reveal the length check.
          if (m.verify && icv.length === icvLen) return m.verify(data, icv);
          m.macInto(data, scratch, 0, icvLen);
          const ok = equalBytes(scratch, icv);
          wipe(scratch);
          return ok;
        },
        dispose() { mac?.dispose(); mac = null; },
      };
    },
  };
}

const CBC_BLOCK = 16;

function makeCbc(p: Primitives, keyLen: number): Cipher {
  const name = "ENCR_AES_CBC";
  const check = (fn: string, iv: Uint8Array, data: Uint8Array, what: string) => {
    assertBytes(fn, "iv", iv);
    assertBytes(fn, what, data);
    if (iv.length !== CBC_BLOCK) throw new CryptoError("INVALID_IV_LENGTH", fn, `${name} iv must be 16 bytes, got ${iv.length}`);
    if (data.length % CBC_BLOCK !== 0) {
      throw new CryptoError("INVALID_INPUT_LENGTH", fn, `${name} ${what} must be a multiple of 16 bytes (RFC 3602 §2.4, no padding here), got ${data.length}`);
    }
  };
  return {
    id: ENCR.ENCR_AES_CBC, name, aead: false, keyLen, keyMaterialLen: keyLen, blockSize: CBC_BLOCK, ivLen: CBC_BLOCK,
    withKey(key: Uint8Array): KeyedCipher {
      assertBytes("encr", "key", key);
      if (key.length !== keyLen) throw new CryptoError("INVALID_KEY_LENGTH", "encr", `${name} key must be ${keyLen} bytes, got ${key.length}`);
      let raw: RawCbc | null = p.cbc(key);
      const live = (fn: string): RawCbc => raw ?? (() => { throw disposedError(fn, name); })();
      const into = (fn: string, dir: "encryptInto" | "decryptInto", iv: Uint8Array, data: Uint8Array, out: Uint8Array, off: number) => {
        check(fn, iv, data, dir === "encryptInto" ? "plaintext" : "ciphertext");
        checkOut(fn, out, off, data.length);
        const r = live(fn);
        if (data.length > 0) r[dir](iv, data, out, off);
      };
      return {
        encrypt(iv, pt) { const out = new Uint8Array(pt?.length ?? 0); into("encr.encrypt", "encryptInto", iv, pt, out, 0); return out; },
        encryptInto(iv, pt, out, offset = 0) { into("encr.encryptInto", "encryptInto", iv, pt, out, offset); },
        decrypt(iv, ct) { const out = new Uint8Array(ct?.length ?? 0); into("encr.decrypt", "decryptInto", iv, ct, out, 0); return out; },
        decryptInto(iv, ct, out, offset = 0) { into("encr.decryptInto", "decryptInto", iv, ct, out, offset); },
        dispose() { raw?.dispose(); raw = null; },
      };
    },
  };
}

const GCM_SALT = 4, GCM_IV = 8;

function makeGcm(p: Primitives, id: number, keyLen: number): Aead {
  const icvLen = GCM_ICV[id];
  const name = GCM_NAME[id];
  const checkIv = (fn: string, iv: Uint8Array, aad: Uint8Array) => {
    assertBytes(fn, "iv", iv);
    assertBytes(fn, "aad", aad);
    if (iv.length !== GCM_IV) throw new CryptoError("INVALID_IV_LENGTH", fn, `${name} iv must be 8 bytes (RFC 5282 §3), got ${iv.length}`);
  };
  return {
    id, name, aead: true, keyLen, keyMaterialLen: keyLen + GCM_SALT,
    // RFC 5282 §3: the Encrypted payload needs no alignment for AES-GCM (CTR mode). ESP's 4-octet
    // trailer alignment (RFC 4106 §3.2, RFC 4303 §2.4) is the ESP layer's rule, not this cipher's.
    blockSize: 1,
    ivLen: GCM_IV, icvLen, saltLen: GCM_SALT,
    withKey(keyMaterial: Uint8Array): KeyedAead {
      assertBytes("encr", "key material", keyMaterial);
      if (keyMaterial.length !== keyLen + GCM_SALT) {
        throw new CryptoError("INVALID_KEY_LENGTH", "encr", `${name} key material must be ${keyLen + GCM_SALT} bytes (${keyLen} key + 4 salt, RFC 5282 §7.1), got ${keyMaterial.length}`);
      }
      const key = keyMaterial.slice(0, keyLen);
      let raw: RawGcm | null;
      try {
        raw = p.gcm(key, icvLen);
      } finally {
        wipe(key);
      }
      // RFC 4106 §4: nonce = salt (from the key material) || the 8-octet IV from the wire.
      const nonce = new Uint8Array(12);
      nonce.set(keyMaterial.subarray(keyLen));
      const live = (fn: string): RawGcm => raw ?? (() => { throw disposedError(fn, name); })();
      const sealInto = (fn: string, iv: Uint8Array, aad: Uint8Array, pt: Uint8Array, out: Uint8Array, off: number) => {
        checkIv(fn, iv, aad);
        assertBytes(fn, "plaintext", pt);
        checkOut(fn, out, off, pt.length + icvLen);
        const r = live(fn);
        nonce.set(iv, GCM_SALT);
        r.sealInto(nonce, aad, pt, out, off);
      };
      return {
        icvLen,
        seal(iv, aad, pt) {
          const out = new Uint8Array((pt?.length ?? 0) + icvLen);
          sealInto("encr.seal", iv, aad, pt, out, 0);
          return out;
        },
        sealInto(iv, aad, pt, out, offset = 0) { sealInto("encr.sealInto", iv, aad, pt, out, offset); },
        open(iv, aad, ctIcv) {
          const fn = "encr.open";
          checkIv(fn, iv, aad);
          assertBytes(fn, "ciphertext", ctIcv);
          if (ctIcv.length < icvLen) {
            throw new CryptoError("INVALID_INPUT_LENGTH", fn, `${name} input must hold the ${icvLen}-byte ICV, got ${ctIcv.length} bytes`);
          }
          const r = live(fn);
          nonce.set(iv, GCM_SALT);
          const out = new Uint8Array(ctIcv.length - icvLen);
          return r.openInto(nonce, aad, ctIcv, out, 0) ? out : null;
        },
        dispose() { raw?.dispose(); raw = null; wipe(nonce); },
      };
    },
  };
}

const AES_KEY_BITS = [128, 192, 256];
/** Largest modulus and exponent modexp takes (the wasm kernel's: 8192 bits, the largest MODP group). */
const MODEXP_MAX_BYTES = 1024;

/** Length of b without its leading zero bytes (lengths are public; values are not inspected beyond that). */
function significantLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.length - i;
}

/** The CryptoProvider over a provider's primitives: all checks and errors are made here. */
export function buildProvider(p: Primitives, opts: ProviderOptions): CryptoProvider {
  if (!opts || typeof opts.random !== "function") {
    throw new CryptoError("INVALID_ARGUMENT", `${p.name} provider`, "options.random (a RandomSource) is required");
  }
  const random = opts.random;
  const groups = new Map<number, KeGroup>();
  const supported = {
    prf: Object.keys(PRF_SPECS).map(Number),
    integ: Object.keys(INTEG_SPECS).map(Number),
    encr: [ENCR.ENCR_AES_CBC, ENCR.ENCR_AES_GCM_8, ENCR.ENCR_AES_GCM_12, ENCR.ENCR_AES_GCM_16],
    ke: [...p.keIds].sort((a, b) => a - b),
  };
  return {
    name: p.name,
    supported,
    random(length: number): Uint8Array {
      if (!Number.isInteger(length) || length < 0) throw new CryptoError("INVALID_ARGUMENT", "random", `length must be a non-negative integer, got ${String(length)}`);
      const out = new Uint8Array(length);
      random(out);
      return out;
    },
    randomInto(out: Uint8Array): void {
      assertBytes("randomInto", "out", out);
      random(out);
    },
    hash(alg: HashAlg, data: Uint8Array): Uint8Array {
      if (!Object.hasOwn(HASH_LEN, alg)) throw new CryptoError("UNSUPPORTED", "hash", `unknown hash algorithm ${String(alg)}`);
      assertBytes("hash", "data", data);
      return p.hash(alg, data);
    },
    prf(id: number): Prf {
      const spec = PRF_SPECS[id];
      if (!spec) throw new CryptoError("UNSUPPORTED", "prf", `${idName(PRF, id)} is not supported`);
      return makePrf(p, spec);
    },
    integ(id: number): Integ {
      const spec = INTEG_SPECS[id];
      if (!spec) throw new CryptoError("UNSUPPORTED", "integ", `${idName(INTEG, id)} is not supported`);
      return makeInteg(p, spec);
    },
    encr(id: number, keyBits: number): Encr {
      if (id !== ENCR.ENCR_AES_CBC && !GCM_ICV[id]) throw new CryptoError("UNSUPPORTED", "encr", `${idName(ENCR, id)} is not supported`);
      if (!AES_KEY_BITS.includes(keyBits)) {
        throw new CryptoError("INVALID_KEY_LENGTH", "encr", `${idName(ENCR, id)} Key Length must be 128, 192 or 256 bits (RFC 7296 §3.3.5), got ${String(keyBits)}`);
      }
      return id === ENCR.ENCR_AES_CBC ? makeCbc(p, keyBits / 8) : makeGcm(p, id, keyBits / 8);
    },
    ke(id: number): KeGroup {
      let g = groups.get(id);
      if (!g) {
        g = supported.ke.includes(id) ? p.ke(id) : undefined;
        if (!g) throw new CryptoError("UNSUPPORTED", "ke", `${idName(KE, id)} is not supported`);
        groups.set(id, g);
      }
      return g;
    },
    modexp(base: Uint8Array, exp: Uint8Array, mod: Uint8Array): Uint8Array {
      assertBytes("modexp", "base", base);
      assertBytes("modexp", "exp", exp);
      assertBytes("modexp", "mod", mod);
      const mLen = significantLength(mod);
      if (mLen === 0 || (mod[mod.length - 1] & 1) === 0 || (mLen === 1 && mod[mod.length - 1] === 1)) {
        throw new CryptoError("INVALID_ARGUMENT", "modexp", "modulus must be odd and greater than 1");
      }
      // The wasm kernel's limits, applied to every provider so they accept the same inputs.
      if (mLen > MODEXP_MAX_BYTES) throw new CryptoError("INVALID_ARGUMENT", "modexp", `modulus longer than ${MODEXP_MAX_BYTES * 8} bits`);
      if (significantLength(base) > 2 * mLen) throw new CryptoError("INVALID_ARGUMENT", "modexp", `base longer than twice the modulus (${2 * mLen} bytes)`);
      if (significantLength(exp) > MODEXP_MAX_BYTES) throw new CryptoError("INVALID_ARGUMENT", "modexp", `exponent longer than ${MODEXP_MAX_BYTES * 8} bits`);
      const r = p.modexp(base, exp, mod);
      if (r.length === mod.length) return r;
      // Left-pad (or strip leading zeros) to the modulus length.
      const out = new Uint8Array(mod.length);
      let s = 0;
      while (s < r.length - mod.length && r[s] === 0) s++;
      out.set(r.subarray(s), mod.length - (r.length - s));
      return out;
    },
  };
}
