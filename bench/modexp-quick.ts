// Quick modexp benchmark on one runtime: the wasm kernel (SIMD and scalar builds) against node:crypto's
// DiffieHellman (setPrivateKey + computeSecret is one modexp) and a BigInt square-and-multiply, in one
// process. Run through bench/modexp-quick.mjs, which runs it on Node, Deno and Bun.
import { createDiffieHellman } from "node:crypto";
import { MODP_GROUPS } from "../ts/crypto/modp.ts";
import { montgomeryContextFor, modexpVariant } from "../ts/crypto/wasm/modexp.ts";
import { measure, runtimeVersion } from "./lib.ts";

const full = (globalThis as any).__BENCH_ARGS__?.full ?? false;
const seeded = (seed: number) => {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; b[i] = s & 0xff; }
    return b;
  };
};
const rnd = seeded(42);
const toBig = (b: Uint8Array) => b.reduce((x, v) => (x << 8n) | BigInt(v), 0n);
function bigPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  const b = base % m;
  for (let i = exp.toString(2).length - 1; i >= 0; i--) {
    r = (r * r) % m;
    if ((exp >> BigInt(i)) & 1n) r = (r * b) % m;
  }
  return r;
}

const Simd = modexpVariant === "simd" ? montgomeryContextFor("simd") : null;
const Scalar = montgomeryContextFor("scalar");
const cases: [number, number][] = [[14, 256], [14, 2048], [16, 256], [16, 4096], [18, 256]];
if (full) cases.push([18, 8192]);
const fmt = (us: number) => (Number.isNaN(us) ? "-" : us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} us`);
console.log(`${runtimeVersion()}, wasm variant ${modexpVariant}`);
for (const [id, ebits] of cases) {
  const g = MODP_GROUPS[id];
  const base = rnd(g.prime.length);
  base[0] &= 0x7f;
  const exp = rnd(ebits / 8);
  exp[0] |= 0x80;
  const long = ebits > 256 && g.bits >= 4096;
  const opts = { roundMs: long ? 300 : 120, rounds: 5, warmMs: long ? 300 : 100 };
  const us = (fn: () => void) => 1e6 / measure(fn, opts).opsPerSec;
  const dh = createDiffieHellman(g.prime, 2);
  dh.setPrivateKey(exp);
  const native = us(() => { dh.computeSecret(base); });
  const simdCtx = Simd ? new Simd(g.prime) : null;
  const simd = simdCtx ? us(() => { simdCtx.pow(base, exp); }) : NaN;
  const scalarCtx = new Scalar(g.prime);
  const scalar = us(() => { scalarCtx.pow(base, exp); });
  const B = toBig(base), E = toBig(exp), P = toBig(g.prime);
  const js = long || g.bits > 4096 && ebits > 256 ? NaN : us(() => { bigPow(B, E, P); });
  const wasm = Simd ? simd : scalar;
  console.log(`MODP-${g.bits} e${ebits}: native ${fmt(native)}  wasm-simd ${fmt(simd)}  wasm-scalar ${fmt(scalar)}  js ${fmt(js)}` +
    `  | wasm/native ${(native / wasm).toFixed(2)}x  wasm/js ${Number.isNaN(js) ? "-" : (js / wasm).toFixed(1) + "x"}  scalar/native ${(native / scalar).toFixed(2)}x`);
}
