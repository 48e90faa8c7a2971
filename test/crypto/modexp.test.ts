// The wasm modexp kernel (both builds) against a BigInt square-and-multiply and node:crypto's
// DiffieHellman (OpenSSL, BoringSSL or Deno's own: all compute y^x mod p for any odd p).
import assert from "node:assert/strict";
import { createDiffieHellman } from "node:crypto";
import { seededBytes, test } from "../lib/harness.ts";
import { CryptoError } from "../../ts/crypto/errors.ts";
import { MODP_GROUPS } from "../../ts/crypto/modp.ts";
import * as embedded from "../../ts/crypto/wasm/gen/modexp.gen.ts";
import { simdSupported } from "../../ts/crypto/wasm/load.ts";
import { MontgomeryContext, modexp, modexpVariant, montgomeryContextFor } from "../../ts/crypto/wasm/modexp.ts";

const VARIANTS: [string, typeof MontgomeryContext][] = [["scalar", montgomeryContextFor("scalar")]];
if (simdSupported(embedded)) VARIANTS.push(["simd", montgomeryContextFor("simd")]);

const toBig = (b: Uint8Array): bigint => {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
};
const toBytes = (x: bigint, len: number): Uint8Array => {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
};
/** The reference: left-to-right square-and-multiply. */
function refPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n % m;
  const b = base % m;
  for (let i = exp.toString(2).length - 1; exp > 0n && i >= 0; i--) {
    r = (r * r) % m;
    if ((exp >> BigInt(i)) & 1n) r = (r * b) % m;
  }
  return r;
}

/** A deterministic source of sizes and numbers. */
function source(seed: number) {
  const bytes = seededBytes(seed);
  const int = (lo: number, hi: number): number => {
    const b = bytes(4);
    return lo + (((b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0) % (hi - lo + 1));
  };
  /** An odd modulus of exactly `bits` bits. */
  const modulus = (bits: number): Uint8Array => {
    const len = (bits + 7) >> 3;
    const m = bytes(len);
    const top = bits - (len - 1) * 8; // bits in the first byte, 1..8
    m[0] = (m[0] & ((1 << top) - 1)) | (1 << (top - 1));
    m[len - 1] |= 1;
    return m;
  };
  /** A number of exactly `bits` bits, odd or even. */
  const number = (bits: number): Uint8Array => {
    const x = modulus(bits);
    x[x.length - 1] ^= bytes(1)[0] & 1;
    return x;
  };
  return { bytes, int, modulus, number };
}

function checkOne(Ctx: typeof MontgomeryContext, m: Uint8Array, base: Uint8Array, exp: Uint8Array, what: string): void {
  const ctx = new Ctx(m);
  const got = ctx.pow(base, exp);
  assert.equal(got.length, ctx.byteLength, what + ": output length");
  const M = toBig(m);
  assert.equal(toBig(got), refPow(toBig(base), toBig(exp), M), what);
}

for (const [variant, Ctx] of VARIANTS) {
  test(`${variant}: random odd moduli of every MODP size and of random sizes 8..8192 bits match BigInt`, () => {
    const r = source(variant === "scalar" ? 1 : 2);
    const sizes: number[] = [];
    for (const bits of [768, 1024, 1536, 2048, 3072, 4096, 6144, 8192]) for (let i = 0; i < (bits > 4096 ? 6 : 12); i++) sizes.push(bits);
    for (let i = 0; i < 50; i++) sizes.push(r.int(8, 700));
    for (let i = 0; i < 20; i++) sizes.push(r.int(700, 8192));
    let checks = 0;
    for (const bits of sizes) {
      const m = r.modulus(bits);
      const M = toBig(m);
      const ctx = new Ctx(m);
      const len = ctx.byteLength;
      // The BigInt reference is the slow side: shorter exponents for the large moduli.
      const cap = bits <= 1100 ? bits : bits <= 2100 ? 384 : bits <= 4200 ? 160 : 64;
      for (let j = 0; j < 2; j++) {
        const base = r.bytes(r.int(0, 2 * len)); // empty, short, longer than m, up to 2 * len bytes
        const exp = r.number(r.int(1, cap));
        const got = ctx.pow(base, exp);
        assert.equal(got.length, len);
        assert.equal(toBig(got), refPow(toBig(base), toBig(exp), M), `${bits}-bit modulus, ${base.length}-byte base, ${exp.length}-byte exponent`);
        checks++;
      }
    }
    assert.ok(checks >= 300);
  });

  test(`${variant}: full-size exponents at 2048 and 4096 bits match node:crypto`, () => {
    const r = source(variant === "scalar" ? 3 : 4);
    for (const bits of [2048, 2048, 4096]) {
      const m = r.modulus(bits);
      const x = r.number(bits);
      const y = r.bytes(bits / 8 - 1);
      const dh = createDiffieHellman(m, 2);
      dh.setPrivateKey(x);
      const want = new Uint8Array(dh.computeSecret(y));
      assert.deepEqual(new Ctx(m).pow(y, x), want, `${bits}-bit modulus`);
    }
  });

  test(`${variant}: exponent 0, 1, all ones, leading zero bytes; bases 0, 1, m-1, m, m+1, 2^(16 len)-1`, () => {
    const r = source(5);
    for (const bits of [2, 9, 64, 521, 1024]) {
      const m = r.modulus(bits);
      const M = toBig(m);
      const ctx = new Ctx(m);
      const len = ctx.byteLength;
      const one = toBytes(1n % M, len);
      for (const e of [[], [0], [0, 0, 0, 0, 0]]) assert.deepEqual(ctx.pow(r.bytes(len), Uint8Array.from(e)), one, "x^0 = 1");
      const big = r.bytes(2 * len);
      assert.equal(toBig(ctx.pow(big, Uint8Array.of(1))), toBig(big) % M, "x^1 = x mod m");
      const ones = new Uint8Array(len).fill(0xff);
      assert.equal(toBig(ctx.pow(big, ones)), refPow(toBig(big), toBig(ones), M), "all-ones exponent");
      const e = r.bytes(8);
      const padded = new Uint8Array(40);
      padded.set(e, 32);
      assert.deepEqual(ctx.pow(big, padded), ctx.pow(big, e), "leading zero bytes of the exponent");
      const specials = [0n, 1n, M - 1n, M, M + 1n, (1n << BigInt(16 * len)) - 1n];
      for (const b of specials) {
        if (b < 0n) continue;
        const bb = toBytes(b, 2 * len);
        for (const ex of [Uint8Array.of(2), Uint8Array.of(3), r.bytes(len)]) {
          assert.equal(toBig(ctx.pow(bb, ex)), refPow(b, toBig(ex), M), `base ${b.toString(16).slice(0, 12)}, ${bits}-bit modulus`);
        }
        assert.deepEqual(ctx.pow(bb.subarray(skip(bb)), Uint8Array.of(7)), ctx.pow(bb, Uint8Array.of(7)), "leading zero bytes of the base");
      }
    }
  });

  test(`${variant}: smallest and largest moduli, small results padded to the modulus length`, () => {
    checkOne(Ctx, Uint8Array.of(3), Uint8Array.of(2), Uint8Array.of(5), "2^5 mod 3");
    for (let b = 0; b < 9; b++) for (let e = 0; e < 6; e++) checkOne(Ctx, Uint8Array.of(3), Uint8Array.of(b), Uint8Array.of(e), `${b}^${e} mod 3`);
    const allOnes = new Uint8Array(1024).fill(0xff); // 2^8192 - 1
    const r = source(6);
    checkOne(Ctx, allOnes, r.bytes(2048), r.bytes(8), "2^8192-1");
    checkOne(Ctx, allOnes, Uint8Array.of(2), Uint8Array.of(0xff, 0xff), "2^65535 mod 2^8192-1");
    const m = r.modulus(2048);
    const out = new Ctx(m).pow(Uint8Array.of(3), Uint8Array.of(2));
    assert.equal(out.length, 256);
    assert.deepEqual(out.subarray(0, 255), new Uint8Array(255));
    assert.equal(out[255], 9);
  });

  test(`${variant}: a modulus with leading zero bytes is the same modulus`, () => {
    const r = source(7);
    const m = r.modulus(1000);
    const padded = new Uint8Array(m.length + 3);
    padded.set(m, 3);
    const a = new Ctx(m), b = new Ctx(padded);
    assert.equal(b.byteLength, m.length);
    const base = r.bytes(100), exp = r.bytes(20);
    assert.deepEqual(b.pow(base, exp), a.pow(base, exp));
  });

  test(`${variant}: contexts used in turn keep their own modulus; powInto writes only its window`, () => {
    const r = source(8);
    const ms = [r.modulus(2048), r.modulus(1024), r.modulus(3072), r.modulus(17)];
    const ctxs = ms.map((m) => new Ctx(m));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < ctxs.length; i++) {
        const base = r.bytes(ms[i].length), exp = r.bytes(16);
        assert.equal(toBig(ctxs[i].pow(base, exp)), refPow(toBig(base), toBig(exp), toBig(ms[i])), `context ${i}, round ${round}`);
      }
    }
    const out = new Uint8Array(300).fill(0xaa);
    ctxs[0].powInto(Uint8Array.of(5), Uint8Array.of(3), out, 20);
    assert.deepEqual(out.subarray(0, 20), new Uint8Array(20).fill(0xaa));
    assert.deepEqual(out.subarray(276), new Uint8Array(24).fill(0xaa));
    assert.equal(toBig(out.subarray(20, 276)), 125n);
  });
}

test("modexp() matches BigInt across more moduli than its cache holds, and repeated ones", () => {
  const r = source(9);
  const ms = Array.from({ length: 20 }, (_, i) => r.modulus(256 + 64 * i));
  for (let round = 0; round < 2; round++) {
    for (const m of ms) {
      const base = r.bytes(m.length + 5), exp = r.bytes(24);
      assert.equal(toBig(modexp(base, exp, m)), refPow(toBig(base), toBig(exp), toBig(m)));
    }
  }
  const m = ms[3];
  for (let i = 0; i < 5; i++) {
    const base = r.bytes(10), exp = r.bytes(10);
    assert.equal(toBig(modexp(base, exp, m)), refPow(toBig(base), toBig(exp), toBig(m)));
  }
});

test("Diffie-Hellman over MODP-2048 with g = 2 agrees both ways and with node:crypto", () => {
  const { prime } = MODP_GROUPS[14];
  const r = source(10);
  const a = r.bytes(32), b = r.bytes(32);
  const g = Uint8Array.of(2);
  const A = modexp(g, a, prime), B = modexp(g, b, prime);
  const s1 = modexp(B, a, prime), s2 = modexp(A, b, prime);
  assert.deepEqual(s1, s2);
  const dh = createDiffieHellman(prime, 2);
  dh.setPrivateKey(a);
  assert.deepEqual(new Uint8Array(dh.computeSecret(g)), A);
  assert.deepEqual(new Uint8Array(dh.computeSecret(B)), s1);
});

test(`the default build is the SIMD one where the engine validates it (here: ${modexpVariant})`, () => {
  assert.equal(modexpVariant, simdSupported(embedded) ? "simd" : "scalar");
});

test("bad moduli, oversized inputs and short outputs throw CryptoError, never a wrong answer", () => {
  const isErr = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code && e.message.startsWith("modexp: ");
  const bad: [string, Uint8Array][] = [
    ["even", Uint8Array.of(0x01, 0x00)],
    ["one", Uint8Array.of(1)],
    ["one with a leading zero", Uint8Array.of(0, 1)],
    ["empty", new Uint8Array(0)],
    ["zero", new Uint8Array(4)],
    ["8193 bits", (() => { const m = new Uint8Array(1025).fill(0xff); m[0] = 1; return m; })()],
  ];
  for (const [what, m] of bad) {
    assert.throws(() => new MontgomeryContext(m), isErr("INVALID_ARGUMENT"), what);
    assert.throws(() => modexp(Uint8Array.of(2), Uint8Array.of(3), m), isErr("INVALID_ARGUMENT"), what);
  }
  assert.throws(() => new MontgomeryContext([1, 2, 3] as unknown as Uint8Array), isErr("INVALID_ARGUMENT"));
  // 8192 bits behind a leading zero byte is fine.
  const max = new Uint8Array(1025).fill(0xff);
  max[0] = 0;
  assert.equal(new MontgomeryContext(max).byteLength, 1024);

  const r = source(11);
  const m = r.modulus(512);
  const ctx = new MontgomeryContext(m);
  const longBase = r.bytes(129);
  longBase[0] |= 1;
  assert.throws(() => ctx.pow(longBase, Uint8Array.of(3)), isErr("INVALID_ARGUMENT"));
  const zeroPrefixed = new Uint8Array(140);
  zeroPrefixed.set(r.bytes(128), 12);
  assert.equal(toBig(ctx.pow(zeroPrefixed, Uint8Array.of(3))), refPow(toBig(zeroPrefixed), 3n, toBig(m)));
  const longExp = r.bytes(1025);
  longExp[0] |= 1;
  assert.throws(() => ctx.pow(Uint8Array.of(2), longExp), isErr("INVALID_ARGUMENT"));
  assert.throws(() => ctx.powInto(Uint8Array.of(2), Uint8Array.of(3), new Uint8Array(63)), isErr("INVALID_OUTPUT"));
  assert.throws(() => ctx.powInto(Uint8Array.of(2), Uint8Array.of(3), new Uint8Array(64), 1), isErr("INVALID_OUTPUT"));
  assert.throws(() => ctx.powInto(Uint8Array.of(2), Uint8Array.of(3), new Uint8Array(64), -1), isErr("INVALID_OUTPUT"));
  // After all that the context still computes correctly; a disposed one refuses.
  assert.equal(toBig(ctx.pow(Uint8Array.of(2), Uint8Array.of(10))), 1024n % toBig(m));
  ctx.dispose();
  assert.throws(() => ctx.pow(Uint8Array.of(2), Uint8Array.of(3)), isErr("INVALID_ARGUMENT"));
});

function skip(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return i;
}
