// Cross-provider checks: the same random inputs through wasm (default and scalar AES), native and js
// give the same outputs (prf, prf+, integ, AES-CBC, AES-GCM: every key size, lengths 0..4096), what
// one seals another opens, and key shares from different providers agree (MODP g^a^b == g^b^a,
// ECP, X25519/X448). Also the MODP public-value checks of RFC 6989 §2.1 on every provider.
import assert from "node:assert/strict";
import { test, toHex, seededBytes, runtime } from "../lib/harness.ts";
import { CryptoError, createProvider, seededRandom } from "../../ts/crypto/index.ts";
import type { Aead, CryptoProvider } from "../../ts/crypto/index.ts";
import { MODP_GROUPS } from "../../ts/crypto/modp.ts";
import { providers, cbcOf, aeadOf } from "./providers-lib.ts";

const ALL = providers();
const bytes = seededBytes(20240601);
const rnd = (() => { const b = seededBytes(99); return (n: number) => { const v = b(4); return ((v[0] | (v[1] << 8) | (v[2] << 16)) >>> 0) % n; }; })();

/** Asserts every provider returns the same bytes for f; returns them. */
function same(what: string, f: (p: CryptoProvider) => Uint8Array): Uint8Array {
  const outs = ALL.map(({ p }) => toHex(f(p)));
  for (let i = 1; i < outs.length; i++) {
    if (outs[i] !== outs[0]) assert.fail(`${what}: ${ALL[i].label} differs from ${ALL[0].label} (${outs[i].slice(0, 32)}... vs ${outs[0].slice(0, 32)}...)`);
  }
  return f(ALL[0].p);
}

test("prf, prf+ and integ give the same bytes on every provider (random keys 0..200 bytes, data 0..4096)", () => {
  let n = 0;
  for (let it = 0; it < 400; it++) {
    const prfId = [2, 5, 6, 7][it % 4], integId = [2, 12, 13, 14][it % 4];
    const key = bytes(rnd(201)), data = bytes(rnd(4097)), seed = bytes(rnd(300));
    same(`prf ${prfId} key ${key.length} data ${data.length}`, (p) => p.prf(prfId).withKey(key).compute(data));
    const len = 1 + rnd(Math.min(1000, 255 * [20, 32, 48, 64][it % 4]));
    same(`prf+ ${prfId} len ${len}`, (p) => p.prf(prfId).prfPlus(key, seed, len));
    const ik = bytes([20, 32, 48, 64][it % 4]);
    const icv = same(`integ ${integId} data ${data.length}`, (p) => p.integ(integId).withKey(ik).compute(data));
    for (const { label, p } of ALL) assert.ok(p.integ(integId).withKey(ik).verify(data, icv), `${label} verify`);
    n += 3;
  }
  // prf+ at its limit (255 blocks) and an Into form at an offset.
  const k32 = bytes(32), s80 = bytes(80), k48 = bytes(48), d33 = bytes(33);
  same("prf+ 255 blocks", (p) => p.prf(5).prfPlus(k32, s80, 255 * 32));
  same("computeInto offset", (p) => { const o = new Uint8Array(70); p.prf(6).withKey(k48).computeInto(d33, o, 22); return o; });
  assert.ok(n > 0);
});

test("AES-CBC (128/192/256) gives the same ciphertext on every provider and decrypts across providers", () => {
  for (let it = 0; it < 300; it++) {
    const bits = [128, 192, 256][it % 3];
    const key = bytes(bits / 8), iv = bytes(16), pt = bytes(16 * rnd(257));
    const ct = same(`cbc ${bits} len ${pt.length}`, (p) => cbcOf(p, bits).withKey(key).encrypt(iv, pt));
    for (const { label, p } of ALL) assert.deepEqual(cbcOf(p, bits).withKey(key).decrypt(iv, ct), pt, label);
    same("cbc encryptInto offset", (p) => { const o = new Uint8Array(pt.length + 5); cbcOf(p, bits).withKey(key).encryptInto(iv, pt, o, 5); return o; });
  }
});

test("AES-GCM (ICV 8/12/16 x 128/192/256) gives the same output on every provider; each opens the others' and rejects tampering", () => {
  for (let it = 0; it < 300; it++) {
    const id = [18, 19, 20][it % 3], bits = [128, 192, 256][Math.floor(it / 3) % 3];
    const km = bytes(bits / 8 + 4), iv = bytes(8), aad = bytes(rnd(65)), pt = bytes(rnd(4097));
    const sealed = same(`gcm ${id}/${bits} len ${pt.length}`, (p) => aeadOf(p, id, bits).withKey(km).seal(iv, aad, pt));
    const bad = sealed.slice();
    bad[rnd(bad.length)] ^= 1 << rnd(8);
    for (const { label, p } of ALL) {
      const a = aeadOf(p, id, bits).withKey(km);
      assert.deepEqual(a.open(iv, aad, sealed), pt, `${label} open`);
      assert.equal(a.open(iv, aad, bad), null, `${label} tampered`);
    }
  }
});

// ---- Key exchange across providers ---------------------------------------------------------------

/** a's share against b's share: both sides compute the same secret, of the group's length. */
function agreeAcross(a: CryptoProvider, b: CryptoProvider, id: number): void {
  const sa = a.ke(id).generate(), sb = b.ke(id).generate();
  const k1 = sa.computeShared(sb.publicValue), k2 = sb.computeShared(sa.publicValue);
  assert.equal(toHex(k1), toHex(k2), `group ${id}: ${a.name} vs ${b.name}`);
  assert.equal(sa.publicValue.length, a.ke(id).publicLen);
  sa.dispose(); sb.dispose();
}

const P = { wasm: createProvider("wasm", { random: seededRandom(11) }), native: createProvider("native", { random: seededRandom(12) }), js: createProvider("js", { random: seededRandom(13) }) };
const PAIRS: [CryptoProvider, CryptoProvider][] = [[P.wasm, P.native], [P.native, P.js], [P.js, P.wasm]];

test("MODP groups 1, 2, 5, 14, 15: g^a^b == g^b^a between every pair of providers", () => {
  for (const id of [2, 14, 15]) for (const [a, b] of PAIRS) agreeAcross(a, b, id);
  for (const id of [1, 5]) agreeAcross(P.wasm, P.native, id);
});

test("MODP groups 16, 17, 18 (slow): a wasm share against a js share, and native where DiffieHellman setup is cheap", () => {
  for (const id of [16, 17, 18]) {
    agreeAcross(P.wasm, P.js, id);
    // Bun checks the prime on createDiffieHellman: 3-26 s for these groups (see native/provider.ts).
    if (runtime !== "bun") agreeAcross(P.native, P.wasm, id);
  }
}, { timeoutMs: 300_000 });

test("ECP 19-21 and Curve25519/448: shares agree between every pair of providers", () => {
  for (const id of [19, 20, 21, 31, 32]) for (const [a, b] of PAIRS) agreeAcross(a, b, id);
});

function bigBytes(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n; }
  return out;
}

test("MODP peer values 0, 1, p-1, p, >= p and wrong lengths raise INVALID_PUBLIC_VALUE on every provider", () => {
  for (const idStr of Object.keys(MODP_GROUPS)) {
    const id = Number(idStr);
    const prime = MODP_GROUPS[id].prime, L = prime.length;
    let p = 0n;
    for (const b of prime) p = (p << 8n) | BigInt(b);
    const bad: [string, Uint8Array][] = [
      ["0", new Uint8Array(L)], ["1", bigBytes(1n, L)], ["p-1", bigBytes(p - 1n, L)], ["p", prime.slice()],
      ["p+1", bigBytes(p + 1n, L)], ["all ones", new Uint8Array(L).fill(0xff)], ["empty", new Uint8Array(0)],
      ["short", bigBytes(2n, L - 1)], ["long", bigBytes(2n, L + 1)],
    ];
    // Computing needs a share; that builds the group's engine (seconds for 16-18 on Bun): groups <= 15 only.
    const compute = id <= 15;
    for (const [what, v] of bad) {
      const msgs = new Set<string>();
      for (const { label, p: prov } of ALL) {
        const g = prov.ke(id);
        for (const f of compute ? [() => g.validatePublic(v), () => g.generate().computeShared(v)] : [() => g.validatePublic(v)]) {
          assert.throws(f, (e: unknown) => {
            if (!(e instanceof CryptoError) || e.code !== "INVALID_PUBLIC_VALUE") return false;
            msgs.add(e.message);
            return true;
          }, `${label} group ${id} ${what}`);
        }
      }
      assert.equal(msgs.size, 1, `group ${id} ${what}: messages differ: ${[...msgs].join(" | ")}`);
    }
    // 2 and p-2 are the extreme acceptable values.
    for (const { p: prov } of ALL) {
      prov.ke(id).validatePublic(bigBytes(2n, L));
      prov.ke(id).validatePublic(bigBytes(p - 2n, L));
    }
  }
});

test("modexp gives the same result on every provider for random odd moduli up to 4096 bits", () => {
  for (let it = 0; it < 40; it++) {
    const mlen = 1 + rnd(it < 30 ? 64 : 512);
    const m = bytes(mlen); m[mlen - 1] |= 1; if (mlen === 1 && m[0] === 1) m[0] = 3;
    const base = bytes(rnd(2 * mlen + 1)), exp = bytes(rnd(40));
    const r = same(`modexp m ${mlen}`, (p) => p.modexp(base, exp, m));
    assert.equal(r.length, mlen);
  }
});
