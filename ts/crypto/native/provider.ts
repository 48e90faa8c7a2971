// The `native` provider: node:crypto (OpenSSL on Node and Deno's node compat, BoringSSL on Bun) behind
// the CryptoProvider interface. The only file in ts/ that imports node:crypto. Keyed objects build
// their KeyObject once in withKey; MODP groups build their DiffieHellman object once and keep it.
// Private values still come from the injected RandomSource, so seeded runs are reproducible.
//
// Where a runtime lacks something, the gap is detected by trying it once, and the group falls back
// to @noble/curves (ts/crypto/groups/ecp.ts):
//   - Deno 2 has no secp521r1 in createECDH: group 21 runs on noble there.
//   - Bun (BoringSSL) has no X448 key type: group 32 runs on noble there.
//   - Deno 2 has no aes-192-cbc / aes-192-gcm: 192-bit AES keys use the js provider's noble AES there.
// Hash, HMAC, AES-128/256 CBC and GCM, P-256/P-384, X25519 and MODP are native on all three.
import * as nc from "node:crypto";
import { Buffer } from "node:buffer";
import { CryptoError, wipe } from "../errors.ts";
import type { CryptoProvider, HashAlg, KeGroup, KeyShare, ProviderOptions, RandomSource } from "../types.ts";
import { buildProvider, type Primitives, type RawCbc, type RawGcm, type RawMac } from "../transforms.ts";
import {
  CURVE_GROUP_IDS, ECP_SPECS, XDH_SPECS, createCurveGroup, drawEcpPrivate, rejectZeroShared, validateEcpPublic,
  validateXdhPublic, zeroSharedError, type EcpSpec, type XdhSpec,
} from "../groups/ecp.ts";
import { createModpGroup, modexpBigInt, modpGroupIds, padTo, powEngine, type ModpEngine, type ModpGroupSpec } from "../groups/modp.ts";
import { cbcPrim as jsCbc, gcmPrim as jsGcm } from "../js/provider.ts";

/**
 * A plain Uint8Array over a fresh Buffer's bytes: no copy when the Buffer owns its whole ArrayBuffer;
 * otherwise (a slice of Node's pool) a copy, and the pooled bytes are zeroed. Only for Buffers that
 * node:crypto just returned to us.
 */
function u8(b: Uint8Array): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return new Uint8Array(b.buffer as ArrayBuffer);
  const copy = new Uint8Array(b);
  b.fill(0);
  return copy;
}

function hmacPrim(alg: HashAlg, key: Uint8Array): RawMac {
  // One KeyObject per keyed object (the rule: no key rebuild per call). OpenSSL holds the key
  // bytes inside it; they are freed with the object and cannot be wiped from JS.
  let k: nc.KeyObject | null = nc.createSecretKey(key);
  return {
    macInto(data, out, off, n) {
      const d = nc.createHmac(alg, k!).update(data).digest();
      out.set(n === d.length ? d : d.subarray(0, n), off);
      d.fill(0);
    },
    dispose() { k = null; },
  };
}

/** Whether this runtime's node:crypto has the cipher (Deno 2 has no AES-192: aes-192-cbc/gcm are "Unknown cipher"). */
const cipherAvailable = new Map<string, boolean>();
function hasCipher(name: string, keyLen: number, ivLen: number): boolean {
  let ok = cipherAvailable.get(name);
  if (ok === undefined) {
    try {
      nc.createCipheriv(name, new Uint8Array(keyLen), new Uint8Array(ivLen));
      ok = true;
    } catch {
      ok = false;
    }
    cipherAvailable.set(name, ok);
  }
  return ok;
}

function cbcPrim(key: Uint8Array): RawCbc {
  const name = `aes-${key.length * 8}-cbc`;
  let k: nc.KeyObject | null = nc.createSecretKey(key);
  const run = (decrypt: boolean, iv: Uint8Array, data: Uint8Array, out: Uint8Array, off: number) => {
    const c = decrypt ? nc.createDecipheriv(name, k!, iv) : nc.createCipheriv(name, k!, iv);
    c.setAutoPadding(false);
    const a = c.update(data);
    out.set(a, off);
    const b = c.final();
    if (b.length) out.set(b, off + a.length);
    if (decrypt) { a.fill(0); b.fill(0); }
  };
  return {
    encryptInto: (iv, pt, out, off) => run(false, iv, pt, out, off),
    decryptInto: (iv, ct, out, off) => run(true, iv, ct, out, off),
    dispose() { k = null; },
  };
}

function gcmPrim(key: Uint8Array, tagLen: 8 | 12 | 16): RawGcm {
  const name = `aes-${key.length * 8}-gcm`;
  let k: nc.KeyObject | null = nc.createSecretKey(key);
  const opts = { authTagLength: tagLen };
  return {
    sealInto(nonce, aad, pt, out, off) {
      const c = nc.createCipheriv(name as nc.CipherGCMTypes, k!, nonce, opts);
      c.setAAD(aad);
      const ct = c.update(pt);
      out.set(ct, off);
      const rest = c.final();
      if (rest.length) out.set(rest, off + ct.length);
      out.set(c.getAuthTag(), off + pt.length);
    },
    openInto(nonce, aad, ctTag, out, off) {
      const ctLen = ctTag.length - tagLen;
      const d = nc.createDecipheriv(name as nc.CipherGCMTypes, k!, nonce, opts);
      d.setAAD(aad);
      d.setAuthTag(ctTag.subarray(ctLen));
      const pt = d.update(ctTag.subarray(0, ctLen));
      try {
        d.final(); // throws when the tag does not verify (OpenSSL compares in constant time)
      } catch {
        pt.fill(0);
        return false;
      }
      out.set(pt, off);
      pt.fill(0);
      return true;
    },
    dispose() { k = null; },
  };
}

// ---- MODP: one DiffieHellman per group per process ----------------------------------------------
// createDiffieHellman(prime, 2) is built once and reused: per exchange, setPrivateKey + generateKeys
// (g^x) or setPrivateKey + computeSecret (y^x), then the private key is overwritten with 1 so OpenSSL
// does not keep it. Building it is cheap on Node and Deno, but Bun runs a safe-prime check on
// construction (measured: 0.5 s for MODP_2048, 1.4 s for 3072, 3.4 s 4096, 11 s 6144, 26 s 8192).
// Caching per process pays that once; the group's first generate() is where it lands.
const dhCache = new Map<number, nc.DiffieHellman>();
const ONE = new Uint8Array([1]);

function dhEngine(spec: ModpGroupSpec): ModpEngine {
  let dh = dhCache.get(spec.id);
  if (!dh) {
    dh = nc.createDiffieHellman(spec.prime, spec.generator);
    dhCache.set(spec.id, dh);
  }
  const L = spec.prime.length;
  const d = dh;
  return {
    publicValue(x) {
      d.setPrivateKey(x);
      try {
        return padTo(u8(d.generateKeys()), L);
      } finally {
        d.setPrivateKey(ONE);
      }
    },
    shared(y, x) {
      d.setPrivateKey(x);
      try {
        return padTo(u8(d.computeSecret(y)), L);
      } finally {
        d.setPrivateKey(ONE);
      }
    },
  };
}

// ---- ECP groups 19/20/21 via createECDH --------------------------------------------------------
const ECDH_CURVE: Readonly<Record<19 | 20 | 21, string>> = { 19: "prime256v1", 20: "secp384r1", 21: "secp521r1" };

class NativeEcpShare implements KeyShare {
  readonly group: number;
  readonly publicValue: Uint8Array;
  #ecdh: nc.ECDH | null;
  /** The private value handed to setPrivateKey. Deno keeps a reference to it (Node and Bun copy), so it is ours to wipe on dispose. */
  #d: Uint8Array;
  constructor(private readonly spec: EcpSpec, random: RandomSource) {
    this.group = spec.id;
    // One ECDH object per share: createECDH costs microseconds (measured ~8 us Node, ~0 on Bun/Deno
    // beyond setPrivateKey), and it saves a second setPrivateKey (a base-point multiply) per exchange.
    this.#d = drawEcpPrivate(spec, random);
    const ecdh = nc.createECDH(ECDH_CURVE[spec.id]);
    ecdh.setPrivateKey(this.#d);
    this.#ecdh = ecdh;
    this.publicValue = u8(ecdh.getPublicKey()).slice(1); // drop SEC1's 0x04: RFC 5903 §7 is x || y
  }
  computeShared(peerPublic: Uint8Array): Uint8Array {
    const fn = "ke.computeShared";
    if (!this.#ecdh) throw new CryptoError("INVALID_ARGUMENT", fn, `${this.spec.name} key share used after dispose()`);
    validateEcpPublic(this.spec, fn, peerPublic);
    const sec1 = new Uint8Array(1 + peerPublic.length);
    sec1[0] = 4;
    sec1.set(peerPublic, 1);
    return padTo(u8(this.#ecdh.computeSecret(sec1)), this.spec.fieldLen);
  }
  dispose(): void {
    // On Node and Bun, OpenSSL's copy of the private key is freed with the object (not wipeable from JS).
    wipe(this.#d);
    this.#ecdh = null;
  }
}

function nativeEcpGroup(id: 19 | 20 | 21, random: RandomSource): KeGroup | undefined {
  try {
    nc.createECDH(ECDH_CURVE[id]);
  } catch {
    return undefined; // Deno: no secp521r1
  }
  const spec = ECP_SPECS[id];
  return {
    id, name: spec.name, publicLen: 2 * spec.fieldLen,
    generate: () => new NativeEcpShare(spec, random),
    validatePublic: (v) => { validateEcpPublic(spec, "ke.validatePublic", v); },
  };
}

// ---- X25519 / X448 via key objects and crypto.diffieHellman -------------------------------------
// A raw private key is imported as a JWK (the runtime recomputes the public key from `d` and ignores
// the placeholder `x`; measured 38 us on Node against 350 us for the PKCS#8 DER import). That
// behaviour is checked once per group against RFC 7748 §6.1 / §6.2 (Alice's keys) before use.
const XDH_CRV: Readonly<Record<31 | 32, "X25519" | "X448">> = { 31: "X25519", 32: "X448" };
const XDH_SELF_TEST: Readonly<Record<31 | 32, { priv: string; pub: string }>> = {
  31: {
    priv: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
    pub: "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
  },
  32: {
    priv: "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
    pub: "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
  },
};

function b64u(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64url");
}

function importXdhPrivate(spec: XdhSpec, k: Uint8Array): nc.KeyObject {
  const jwk = { kty: "OKP", crv: XDH_CRV[spec.id], d: b64u(k), x: b64u(new Uint8Array(spec.len)) };
  return nc.createPrivateKey({ key: jwk, format: "jwk" });
}

function xdhPublicOf(key: nc.KeyObject): Uint8Array {
  const jwk = nc.createPublicKey(key).export({ format: "jwk" }) as { x?: string };
  return u8(Buffer.from(jwk.x ?? "", "base64url"));
}

function xdhSupported(spec: XdhSpec): boolean {
  try {
    const t = XDH_SELF_TEST[spec.id];
    const pub = xdhPublicOf(importXdhPrivate(spec, u8(Buffer.from(t.priv, "hex"))));
    return Buffer.from(pub).toString("hex") === t.pub;
  } catch {
    return false; // Bun: no X448
  }
}

class NativeXdhShare implements KeyShare {
  readonly group: number;
  readonly publicValue: Uint8Array;
  #key: nc.KeyObject | null;
  constructor(private readonly spec: XdhSpec, random: RandomSource) {
    this.group = spec.id;
    const k = new Uint8Array(spec.len);
    random(k);
    try {
      this.#key = importXdhPrivate(spec, k);
    } finally {
      wipe(k);
    }
    this.publicValue = xdhPublicOf(this.#key);
  }
  computeShared(peerPublic: Uint8Array): Uint8Array {
    const fn = "ke.computeShared";
    if (!this.#key) throw new CryptoError("INVALID_ARGUMENT", fn, `${this.spec.name} key share used after dispose()`);
    validateXdhPublic(this.spec, fn, peerPublic);
    let s: Uint8Array;
    try {
      const pub = nc.createPublicKey({ key: { kty: "OKP", crv: XDH_CRV[this.spec.id], x: b64u(peerPublic) }, format: "jwk" });
      // OpenSSL and BoringSSL fail the derivation when the result is all zero (RFC 7748 §6.1).
      s = u8(nc.diffieHellman({ privateKey: this.#key, publicKey: pub }));
    } catch {
      throw zeroSharedError(this.spec, fn);
    }
    rejectZeroShared(this.spec, fn, s);
    return s;
  }
  dispose(): void {
    this.#key = null;
  }
}

function nativeXdhGroup(id: 31 | 32, random: RandomSource): KeGroup | undefined {
  const spec = XDH_SPECS[id];
  if (!xdhSupported(spec)) return undefined;
  return {
    id, name: spec.name, publicLen: spec.len,
    generate: () => new NativeXdhShare(spec, random),
    validatePublic: (v) => validateXdhPublic(spec, "ke.validatePublic", v),
  };
}

/**
 * The node:crypto provider. `modexp` (the general operation, not the MODP groups) uses JS BigInt:
 * the DiffieHellman trick would need a new DiffieHellman per modulus, which costs a primality check
 * (230 ms on Node, 440 ms on Bun for 2048 bits) and Deno rejects generators other than 2.
 */
export interface NativeProviderOptions extends ProviderOptions {
  /**
   * MODP groups larger than this many bits use BigInt instead of node:crypto's DiffieHellman. Bun
   * checks the prime when a DiffieHellman is built (11 s for 6144 bits, 26 s for 8192, blocking), so a
   * Bun host sets 4096. Default: every MODP group on DiffieHellman.
   */
  modpDhMaxBits?: number;
}

export function createNativeProvider(opts: NativeProviderOptions): CryptoProvider {
  const random = opts?.random;
  const maxDhBits = opts?.modpDhMaxBits ?? Infinity;
  const prims: Primitives = {
    name: "native",
    hash: (alg, data) => u8(nc.createHash(alg).update(data).digest()),
    hmac: hmacPrim,
    // AES-192 falls back to the js provider's noble AES where node:crypto lacks it (Deno).
    cbc: (key) => hasCipher(`aes-${key.length * 8}-cbc`, key.length, 16) ? cbcPrim(key) : jsCbc(key),
    gcm: (key, tagLen) => hasCipher(`aes-${key.length * 8}-gcm`, key.length, 12) ? gcmPrim(key, tagLen) : jsGcm(key, tagLen),
    modexp: modexpBigInt,
    keIds: [...modpGroupIds(), ...CURVE_GROUP_IDS],
    ke(id: number): KeGroup | undefined {
      if (id === 19 || id === 20 || id === 21) return nativeEcpGroup(id, random) ?? createCurveGroup(id, random);
      if (id === 31 || id === 32) return nativeXdhGroup(id, random) ?? createCurveGroup(id, random);
      return createModpGroup(id, (spec) => spec.bits <= maxDhBits ? dhEngine(spec) : powEngine(spec, (b, e) => modexpBigInt(b, e, spec.prime)), random);
    },
  };
  return buildProvider(prims, opts);
}

/** Which KE groups run on node:crypto in this runtime (the others fall back to noble). For tests and bench. */
export function nativeKeCoverage(): { native: number[]; noble: number[] } {
  const r: RandomSource = () => { throw new Error("unused"); };
  const native: number[] = [], noble: number[] = [];
  for (const id of [19, 20, 21] as const) (nativeEcpGroup(id, r) ? native : noble).push(id);
  for (const id of [31, 32] as const) (nativeXdhGroup(id, r) ? native : noble).push(id);
  return { native, noble };
}

/** Which AES ciphers use the noble fallback in this runtime (empty where node:crypto has them all). For tests and bench. */
export function nativeAesFallbacks(): string[] {
  const out: string[] = [];
  for (const bits of [128, 192, 256]) {
    if (!hasCipher(`aes-${bits}-cbc`, bits / 8, 16)) out.push(`aes-${bits}-cbc`);
    if (!hasCipher(`aes-${bits}-gcm`, bits / 8, 12)) out.push(`aes-${bits}-gcm`);
  }
  return out;
}
