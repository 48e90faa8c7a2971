// Modular exponentiation over the wasm kernel core-wasm/modexp.ts: Montgomery arithmetic, fixed
// window, constant-time table scan. Serves the MODP groups (RFC 2409 §6, RFC 3526) and RSA.
//
// Precomputation per modulus (radix, -m^-1, R mod m, R^2, R^3) runs once in the constructor; the
// context keeps a copy of that wasm region and copies it back in only when another modulus was used in
// between, so repeated exponentiations with one modulus (the DH case) do no setup at all.
//
// Timing: nothing depends on the values of the base, the exponent or the modulus. Public are the
// modulus length in bits and the byte lengths of base and exponent; leading zero bytes of the exponent
// are processed, not skipped, so callers with secret exponents (DH private values, RSA CRT exponents)
// pass them at full length.
import { CryptoError, assertBytes } from "../errors.ts";
import * as embedded from "./gen/modexp.gen.ts";
import { instantiate } from "./load.ts";

interface ModexpExports {
  setup(len: number): number;
  pow(baseLen: number, expLen: number): number;
  ctxPtr(): number;
  ctxBytes(): number;
  ioPtr(): number;
  expPtr(): number;
  outPtr(): number;
  maxBytes(): number;
}

/** One instance of the kernel and the views into its memory (static regions; memory never grows). */
class Kernel {
  readonly exports: ModexpExports;
  readonly variant: "scalar" | "simd";
  readonly mem: Uint8Array;
  readonly ctx: number;
  readonly ctxBytes: number;
  readonly io: number;
  readonly exp: number;
  readonly out: number;
  readonly maxBytes: number;
  /** The context whose precomputation currently sits in wasm memory. */
  loaded: MontgomeryContext | null = null;

  constructor(variant: "auto" | "scalar" | "simd") {
    const k = instantiate<ModexpExports>(embedded, variant);
    const x = k.exports;
    this.exports = x;
    this.variant = k.variant;
    this.mem = new Uint8Array(k.memory.buffer);
    this.ctx = x.ctxPtr();
    this.ctxBytes = x.ctxBytes();
    this.io = x.ioPtr();
    this.exp = x.expPtr();
    this.out = x.outPtr();
    this.maxBytes = x.maxBytes();
  }
}

const defaultKernel = new Kernel("auto");
const KERNEL = Symbol("modexp kernel");

/** Which build of the kernel this process runs. */
export const modexpVariant: "scalar" | "simd" = defaultKernel.variant;

/** How many of the first `until` bytes of b are leading zero bytes. */
function skipZeros(b: Uint8Array, until: number): number {
  let i = 0;
  while (i < until && b[i] === 0) i++;
  return i;
}

/** base^exp mod m for one odd modulus m (1 < m < 2^8192), with the precomputation done once. */
export class MontgomeryContext {
  /** @internal The kernel instance new contexts bind to; a subclass may bind another build. */
  static [KERNEL]: Kernel = defaultKernel;

  /** Length of the modulus in bytes (without leading zero bytes); results are padded to it. */
  readonly byteLength: number;
  readonly #kernel: Kernel;
  /** Copy of the kernel's context region for this modulus. */
  readonly #state: Uint8Array;
  #disposed = false;

  constructor(modulus: Uint8Array) {
    assertBytes("modexp", "modulus", modulus);
    const k = (new.target as typeof MontgomeryContext)[KERNEL];
    const start = skipZeros(modulus, modulus.length);
    const len = modulus.length - start;
    if (len === 0) throw new CryptoError("INVALID_ARGUMENT", "modexp", "modulus must not be zero or empty");
    if (len > k.maxBytes) throw new CryptoError("INVALID_ARGUMENT", "modexp", `modulus longer than ${k.maxBytes * 8} bits`);
    if ((modulus[modulus.length - 1] & 1) === 0) throw new CryptoError("INVALID_ARGUMENT", "modexp", "modulus must be odd");
    if (len === 1 && modulus[start] === 1) throw new CryptoError("INVALID_ARGUMENT", "modexp", "modulus must be greater than 1");
    k.mem.set(modulus.subarray(start), k.io);
    const rc = k.exports.setup(len);
    k.mem.fill(0, k.io, k.io + len); // an RSA prime is a secret
    if (rc !== 0) throw new CryptoError("INVALID_ARGUMENT", "modexp", `modulus rejected by the kernel (${rc})`);
    this.byteLength = len;
    this.#kernel = k;
    this.#state = k.mem.slice(k.ctx, k.ctx + k.ctxBytes);
    k.loaded = this;
  }

  /** base^exp mod m as byteLength big-endian bytes. base may be >= m, at most 2 * byteLength bytes. */
  pow(base: Uint8Array, exp: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    this.powInto(base, exp, out, 0);
    return out;
  }

  /** Writes base^exp mod m to out[offset .. offset + byteLength). */
  powInto(base: Uint8Array, exp: Uint8Array, out: Uint8Array, offset = 0): void {
    assertBytes("modexp", "base", base);
    assertBytes("modexp", "exponent", exp);
    assertBytes("modexp", "output", out);
    if (this.#disposed) throw new CryptoError("INVALID_ARGUMENT", "modexp", "context was disposed");
    const k = this.#kernel, len = this.byteLength;
    if (!Number.isInteger(offset) || offset < 0 || offset + len > out.length) {
      throw new CryptoError("INVALID_OUTPUT", "modexp", `output needs ${len} bytes at offset ${offset}`);
    }
    // Longer inputs are accepted when the excess is leading zero bytes (their lengths are public).
    const b0 = base.length > 2 * len ? skipZeros(base, base.length - 2 * len) : 0;
    if (base.length - b0 > 2 * len) throw new CryptoError("INVALID_ARGUMENT", "modexp", `base longer than ${2 * len} bytes`);
    const e0 = exp.length > k.maxBytes ? skipZeros(exp, exp.length - k.maxBytes) : 0;
    if (exp.length - e0 > k.maxBytes) throw new CryptoError("INVALID_ARGUMENT", "modexp", `exponent longer than ${k.maxBytes * 8} bits`);
    if (k.loaded !== this) {
      k.mem.set(this.#state, k.ctx);
      k.loaded = this;
    }
    const baseLen = base.length - b0;
    k.mem.set(b0 ? base.subarray(b0) : base, k.io);
    k.mem.set(e0 ? exp.subarray(e0) : exp, k.exp);
    k.exports.pow(baseLen, exp.length - e0); // wipes the exponent and its work memory
    out.set(k.mem.subarray(k.out, k.out + len), offset);
    k.mem.fill(0, k.out, k.out + len);
    k.mem.fill(0, k.io, k.io + baseLen);
  }

  /** Wipes this modulus's precomputation (an RSA prime is a secret); the context is unusable after. */
  dispose(): void {
    this.#disposed = true;
    this.#state.fill(0);
    const k = this.#kernel;
    if (k.loaded === this) {
      k.mem.fill(0, k.ctx, k.ctx + k.ctxBytes);
      k.loaded = null;
    }
  }
}

/** @internal A MontgomeryContext class bound to a given build (tests run the scalar build too). */
export function montgomeryContextFor(variant: "scalar" | "simd"): typeof MontgomeryContext {
  const kernel = new Kernel(variant);
  return class extends MontgomeryContext {
    static override [KERNEL] = kernel;
  };
}

// Contexts for the last moduli seen, most recent last (Map keeps insertion order). Public moduli
// such as the MODP primes come back every exchange; secret ones (RSA primes) should use a
// MontgomeryContext of their own and dispose it.
const CACHE_SIZE = 16;
const cache = new Map<string, MontgomeryContext>();

/** base^exp mod mod, padded to mod's length (without leading zeros); contexts are cached per modulus. */
export function modexp(base: Uint8Array, exp: Uint8Array, mod: Uint8Array): Uint8Array {
  assertBytes("modexp", "modulus", mod);
  const key = latin1(mod);
  let ctx = cache.get(key);
  if (ctx) {
    cache.delete(key);
  } else {
    ctx = new MontgomeryContext(mod);
    if (cache.size >= CACHE_SIZE) {
      const [oldKey, oldCtx] = cache.entries().next().value as [string, MontgomeryContext];
      cache.delete(oldKey);
      oldCtx.dispose();
    }
  }
  cache.set(key, ctx);
  return ctx.pow(base, exp);
}

/** The bytes as a string of char codes 0..255 (a Map key). */
function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  return s;
}
