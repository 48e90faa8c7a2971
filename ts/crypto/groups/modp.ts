// MODP key exchange groups 1, 2, 5, 14-18 (RFC 7296 App. B, RFC 3526) over any modular
// exponentiation engine: the wasm Montgomery kernel, node:crypto DiffieHellman, or JS BigInt.
// RFC 7296 §3.4 / §2.14: the public value g^x and the shared secret g^xy are big-endian and padded
// with zeros to the length of the prime. The peer's value is checked per RFC 6989 §2.1 / §2.12 by
// validateModpPublic (ts/crypto/modp.ts): right length, 1 < y < p-1.
import { MODP_GROUPS, validateModpPublic, type ModpGroup } from "../modp.ts";
import { CryptoError, wipe } from "../errors.ts";
import type { KeGroup, KeyShare, RandomSource } from "../types.ts";
import { bigToBytes, bytesToBig } from "./ecp.ts";

/** One MODP group's parameters as ts/crypto/modp.ts publishes them. */
export type ModpGroupSpec = ModpGroup;

/** What a provider supplies for one group: exponentiations modulo that group's prime. */
export interface ModpEngine {
  /** g^x mod p, padded to the prime's length. */
  publicValue(x: Uint8Array): Uint8Array;
  /** y^x mod p, padded to the prime's length. `y` has already passed validateModpPublic. */
  shared(y: Uint8Array, x: Uint8Array): Uint8Array;
}

/** Builds a group's engine; called once, on the group's first generate(). */
export type ModpEngineFactory = (spec: ModpGroupSpec) => ModpEngine;

/** An engine from a `pow(base, exp)` bound to the group's prime (the shape of a Montgomery context). */
export function powEngine(spec: ModpGroupSpec, pow: (base: Uint8Array, exp: Uint8Array) => Uint8Array): ModpEngine {
  const g = new Uint8Array([spec.generator]);
  const L = spec.prime.length;
  return {
    publicValue: (x) => padTo(pow(g, x), L),
    shared: (y, x) => padTo(pow(y, x), L),
  };
}

/** Left-pads `v` with zeros to `len` bytes (returns `v` when it already has that length). @internal */
export function padTo(v: Uint8Array, len: number): Uint8Array {
  if (v.length === len) return v;
  let start = 0;
  while (start < v.length - len && v[start] === 0) start++;
  if (v.length - start > len) throw new CryptoError("INVALID_OUTPUT", "modp", `value of ${v.length} bytes does not fit in ${len}`);
  const out = new Uint8Array(len);
  out.set(v.subarray(start), len - (v.length - start));
  wipe(v);
  return out;
}

/** Every MODP group ID the shared parameter table knows. */
export function modpGroupIds(): number[] {
  return Object.keys(MODP_GROUPS).map(Number).sort((a, b) => a - b);
}

/** The parameters of MODP group `id`, or undefined. */
export function modpSpec(id: number): ModpGroupSpec | undefined {
  return Object.hasOwn(MODP_GROUPS, id) ? MODP_GROUPS[id] : undefined;
}

/**
 * A private exponent of exactly spec.exponentBits random bits (the top bits of the first octet
 * cleared), never zero. RFC 7296 §2.12 leaves the length to the implementation; ts/crypto/modp.ts
 * sets it per group from its security strength.
 */
export function drawModpExponent(spec: ModpGroupSpec, random: RandomSource): Uint8Array {
  const bytes = Math.ceil(spec.exponentBits / 8);
  const topMask = 0xff >>> (bytes * 8 - spec.exponentBits);
  const x = new Uint8Array(bytes);
  for (let attempt = 0; attempt < 128; attempt++) {
    random(x);
    x[0] &= topMask;
    let any = 0;
    for (let i = 0; i < x.length; i++) any |= x[i];
    if (any !== 0) return x;
  }
  throw new CryptoError("INVALID_ARGUMENT", "ke.generate", `${spec.name}: the random source gave 128 zero exponents`);
}

class ModpShare implements KeyShare {
  readonly group: number;
  readonly publicValue: Uint8Array;
  #x: Uint8Array | null;
  constructor(private readonly spec: ModpGroupSpec, private readonly engine: ModpEngine, x: Uint8Array) {
    this.group = spec.id;
    this.#x = x;
    this.publicValue = engine.publicValue(x);
  }
  computeShared(peerPublic: Uint8Array): Uint8Array {
    if (!this.#x) throw new CryptoError("INVALID_ARGUMENT", "ke.computeShared", `${this.spec.name} key share used after dispose()`);
    validateModpPublic(this.spec, peerPublic);
    return this.engine.shared(peerPublic, this.#x);
  }
  dispose(): void {
    wipe(this.#x);
    this.#x = null;
  }
}

/**
 * MODP group `id` over the engine that `engineFor` builds. The engine is built on the first
 * generate() and kept, so per-exchange work never rebuilds per-prime state.
 */
export function createModpGroup(id: number, engineFor: ModpEngineFactory, random: RandomSource): KeGroup | undefined {
  const spec = modpSpec(id);
  if (!spec) return undefined;
  let engine: ModpEngine | undefined;
  return {
    id, name: spec.name, publicLen: spec.prime.length,
    generate: () => new ModpShare(spec, engine ??= engineFor(spec), drawModpExponent(spec, random)),
    validatePublic: (v) => validateModpPublic(spec, v),
  };
}

/**
 * base^exp mod m over big-endian bytes with JS BigInt (left-to-right, fixed 4-bit windows), padded to
 * m's length. Not constant time: BigInt operations take data-dependent time and the window table is
 * indexed by exponent bits. The js provider is a reference; the wasm kernel is the constant-time path.
 * The caller has checked that m is odd and greater than 1.
 */
export function modexpBigInt(base: Uint8Array, exp: Uint8Array, mod: Uint8Array): Uint8Array {
  const m = bytesToBig(mod);
  const table: bigint[] = [1n % m, bytesToBig(base) % m];
  for (let i = 2; i < 16; i++) table[i] = (table[i - 1] * table[1]) % m;
  let r = table[0];
  for (let i = 0; i < exp.length; i++) {
    const e = exp[i];
    r = (r * r) % m; r = (r * r) % m; r = (r * r) % m; r = (r * r) % m;
    r = (r * table[e >>> 4]) % m;
    r = (r * r) % m; r = (r * r) % m; r = (r * r) % m; r = (r * r) % m;
    r = (r * table[e & 15]) % m;
  }
  return bigToBytes(r, mod.length);
}
