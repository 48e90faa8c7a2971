// bench:crypto — every kernel on this runtime for the wasm, native and js providers, side by side.
// Run through bench/run.mjs (which runs it on Node, Deno and Bun and writes bench/out/crypto.json).
// Prints one `@@BENCH {...}` line per measurement: {runtime, op, bytes, impl, opsPerSec, min, max}.
import { createDiffieHellman } from "node:crypto";
import { createJsProvider } from "../ts/crypto/js/provider.ts";
import { createNativeProvider } from "../ts/crypto/native/provider.ts";
import { createWasmProvider } from "../ts/crypto/wasm/provider.ts";
import { MODP_GROUPS } from "../ts/crypto/modp.ts";
import { seededRandom } from "../ts/crypto/random.ts";
import type { CryptoProvider } from "../ts/crypto/types.ts";
import { measure, runtime } from "./lib.ts";

const quick = (globalThis as any).__BENCH_ARGS__?.quick ?? false;
const only = ((globalThis as any).__BENCH_ARGS__?.only ?? "") as string;
// --core (npm run bench -- --quick): one size (1400 B), SHA-256/HMAC-SHA256, AES-128, MODP-2048 and two ECDH groups.
const core = !!(globalThis as any).__BENCH_ARGS__?.core;
const roundMs = quick ? 40 : 120, rounds = quick ? 3 : 5, warmMs = quick ? 20 : 60;

const random = seededRandom(42);
const providers: Record<string, CryptoProvider> = {
  wasm: createWasmProvider({ random }),
  native: createNativeProvider({ random }),
  js: createJsProvider({ random }),
};
const rnd = (n: number) => { const b = new Uint8Array(n); random(b); return b; };

function emit(op: string, bytes: number, impl: string, fn: () => void) {
  if (only && !op.includes(only)) return;
  const m = measure(fn, { roundMs, rounds, warmMs });
  console.log("@@BENCH " + JSON.stringify({ runtime, op, bytes, impl, opsPerSec: +m.opsPerSec.toPrecision(5), min: +m.min.toPrecision(5), max: +m.max.toPrecision(5) }));
}

const SIZES = core ? [1400] : [64, 1400, 16384];
for (const bytes of SIZES) {
  const data = rnd(bytes);
  for (const alg of core ? ["sha256"] as const : ["sha1", "sha256", "sha384", "sha512"] as const)
    for (const [impl, p] of Object.entries(providers)) emit(alg, bytes, impl, () => { p.hash(alg, data); });
  for (const [alg, id] of core ? [["sha256", 5]] as const : [["sha1", 2], ["sha256", 5], ["sha384", 6], ["sha512", 7]] as const)
    for (const [impl, p] of Object.entries(providers)) {
      const prf = p.prf(id);
      const k = prf.withKey(rnd(prf.keyLen));
      const out = new Uint8Array(prf.outLen);
      emit(`hmac-${alg}`, bytes, impl, () => { k.computeInto(data, out); });
    }
  for (const keyBits of core ? [128] : [128, 256]) {
    for (const [impl, p] of Object.entries(providers)) {
      const cbc = p.encr(12, keyBits);
      if (cbc.aead) throw new Error("cbc is not aead");
      const k = cbc.withKey(rnd(cbc.keyMaterialLen));
      const iv = rnd(16);
      // CBC takes whole blocks: 64 and 16384 are aligned, 1400 becomes 1408 (as an ESP packet would be padded).
      const blocks = rnd(Math.ceil(bytes / 16) * 16);
      const ct = k.encrypt(iv, blocks);
      const out = new Uint8Array(blocks.length);
      emit(`aes-${keyBits}-cbc-enc`, bytes, impl, () => { k.encryptInto(iv, blocks, out); });
      emit(`aes-${keyBits}-cbc-dec`, bytes, impl, () => { k.decryptInto(iv, ct, out); });
      const gcm = p.encr(20, keyBits);
      if (!gcm.aead) throw new Error("gcm is aead");
      const g = gcm.withKey(rnd(gcm.keyMaterialLen));
      const gi = rnd(8), aad = rnd(8);
      const sealed = g.seal(gi, aad, data);
      const gout = new Uint8Array(bytes + 16);
      emit(`aes-${keyBits}-gcm-seal`, bytes, impl, () => { g.sealInto(gi, aad, data, gout); });
      emit(`aes-${keyBits}-gcm-open`, bytes, impl, () => { if (!g.open(gi, aad, sealed)) throw new Error("open failed"); });
    }
  }
}

// prf+: 224 bytes from a 32-byte key and an 80-byte seed, as IKE_SA_INIT does (§2.14).
{
  const key = rnd(32), seed = rnd(80);
  for (const [impl, p] of Object.entries(providers)) {
    const prf = p.prf(5);
    emit("prf+-sha256-224", 224, impl, () => { prf.prfPlus(key, seed, 224); });
  }
}

// modexp: every MODP group, 256-bit and full-size exponents. native = OpenSSL through node:crypto's
// DiffieHellman (setPrivateKey + computeSecret is one modexp); js = BigInt square-and-multiply.
for (const g of Object.values(MODP_GROUPS).filter((g) => !core || g.bits === 2048)) {
  const plen = g.prime.length;
  const base = rnd(plen); base[0] &= 0x7f; base[0] |= 0x01;
  for (const ebits of [256, g.bits]) {
    if (quick && g.bits > 4096 && ebits === g.bits) continue;
    if (core && ebits === g.bits) continue;
    const exp = rnd(ebits / 8); exp[0] |= 0x80;
    const op = `modexp-modp${g.bits}-e${ebits === g.bits ? "full" : ebits}`;
    emit(op, plen, "wasm", () => { providers.wasm.modexp(base, exp, g.prime); });
    const dh = createDiffieHellman(g.prime, 2);
    dh.setPrivateKey(exp);
    emit(op, plen, "native", () => { dh.computeSecret(base); });
    if (!(g.bits >= 6144 && ebits === g.bits)) emit(op, plen, "js", () => { providers.js.modexp(base, exp, g.prime); });
  }
}

// ECDH: keypair + shared secret per op, every ECP and Curve group.
for (const [name, id] of (core ? [["ecp256", 19], ["x25519", 31]] as const : [["ecp256", 19], ["ecp384", 20], ["ecp521", 21], ["x25519", 31], ["x448", 32]] as const)) {
  for (const [impl, p] of Object.entries(providers)) {
    const grp = p.ke(id);
    const peer = grp.generate().publicValue;
    emit(`ecdh-${name}`, grp.publicLen, impl, () => { grp.generate().computeShared(peer); });
  }
}
console.log("@@BENCH-DONE");
