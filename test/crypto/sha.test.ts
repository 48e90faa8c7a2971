// The SHA/HMAC/prf+ kernel (core-wasm/sha.ts via ts/crypto/wasm/sha.ts): known answers (FIPS 180-4,
// RFC 2202, RFC 4231, RFC 4868), Wycheproof, randomised cross-checks against node:crypto, bad input,
// and that no export leaves key material or data behind in the kernel's memory.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { hex, seededBytes, test, toHex, vectorFile, wycheproof } from "../lib/harness.ts";
import { CryptoError } from "../../ts/crypto/errors.ts";
import type { HashAlg } from "../../ts/crypto/types.ts";
import * as embedded from "../../ts/crypto/wasm/gen/sha.gen.ts";
import { instantiate } from "../../ts/crypto/wasm/load.ts";
import {
  Hmac, _kernelMemory, digestLength, hash, hashInto, hmac, prfPlus, prfPlusInto,
} from "../../ts/crypto/wasm/sha.ts";

const ALGS: HashAlg[] = ["sha1", "sha256", "sha384", "sha512"];
const BLOCK: Record<HashAlg, number> = { sha1: 64, sha256: 64, sha384: 128, sha512: 128 };

function repeatBytes(unit: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(unit.length * n);
  for (let i = 0; i < n; i++) out.set(unit, i * unit.length);
  return out;
}

const nodeHash = (alg: HashAlg, d: Uint8Array) => new Uint8Array(createHash(alg).update(d).digest());
const nodeHmac = (alg: HashAlg, k: Uint8Array, d: Uint8Array) => new Uint8Array(createHmac(alg, k).update(d).digest());

/** RFC 7296 §2.13 written out plainly on node:crypto. */
function nodePrfPlus(alg: HashAlg, key: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let t = new Uint8Array(0);
  for (let n = 1, done = 0; done < length; n++) {
    t = new Uint8Array(createHmac(alg, key).update(t).update(seed).update(new Uint8Array([n])).digest());
    const take = Math.min(t.length, length - done);
    out.set(t.subarray(0, take), done);
    done += take;
  }
  return out;
}

function throwsCrypto(fn: () => unknown, code: string, fnName: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CryptoError, `expected CryptoError, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.fn, fnName, e.message);
    assert.ok(e.message.startsWith(fnName + ": "), e.message);
    return true;
  });
}

// ---- Known answers --------------------------------------------------------------------------------

interface ShaCase { name: string; alg: HashAlg; data: string; repeat?: number; digest: string }
interface HmacCase { name: string; alg: HashAlg; key: string; data: string; mac: string }

test("FIPS 180-4 known answers for SHA-1/256/384/512 (sha.json, incl. one million 'a' streamed in chunks)", () => {
  const { cases } = JSON.parse(vectorFile("sha.json")) as { cases: ShaCase[] };
  assert.ok(cases.length >= 16);
  for (const c of cases) {
    const data = c.repeat ? repeatBytes(hex(c.data), c.repeat) : hex(c.data);
    assert.equal(toHex(hash(c.alg, data)), c.digest, c.name);
    const out = new Uint8Array(digestLength(c.alg) + 3).fill(0xee);
    hashInto(c.alg, data, out, 2);
    assert.equal(toHex(out.subarray(2, 2 + digestLength(c.alg))), c.digest, c.name + " (hashInto)");
    assert.equal(out[0], 0xee); assert.equal(out[1], 0xee); assert.equal(out[out.length - 1], 0xee);
  }
});

test("RFC 2202 / RFC 4231 / RFC 4868 HMAC known answers (hmac.json), truncated ICVs included", () => {
  const { cases } = JSON.parse(vectorFile("hmac.json")) as { cases: HmacCase[] };
  assert.ok(cases.length >= 50);
  for (const c of cases) {
    const key = hex(c.key), data = hex(c.data), want = hex(c.mac);
    assert.equal(toHex(hmac(c.alg, key, data).subarray(0, want.length)), c.mac, c.name + " (hmac)");
    const h = new Hmac(c.alg, key);
    assert.equal(toHex(h.mac(data).subarray(0, want.length)), c.mac, c.name + " (Hmac.mac)");
    const out = new Uint8Array(want.length + 2);
    h.macInto(data, out, 1, want.length);
    assert.equal(toHex(out.subarray(1, 1 + want.length)), c.mac, c.name + " (macInto truncate)");
    assert.equal(out[0] | out[out.length - 1], 0, "macInto writes only its bytes");
    assert.ok(h.verify(data, want), c.name + " (verify)");
    const bad = want.slice(); bad[bad.length - 1] ^= 1;
    assert.ok(!h.verify(data, bad), c.name + " (verify rejects a flipped bit)");
    h.dispose();
  }
});

test("Wycheproof hmac_sha1/256/384/512: valid tags match (truncated too), invalid ones never verify", () => {
  let valid = 0, invalid = 0;
  for (const alg of ALGS) {
    const file = wycheproof<{ keySize: number; tagSize: number; tests: { tcId: number; key: string; msg: string; tag: string; result: string }[] }>(`hmac_${alg}_test.json`);
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        const key = hex(t.key), msg = hex(t.msg), tag = hex(t.tag);
        const h = new Hmac(alg, key);
        const ok = tag.length === g.tagSize / 8 && h.verify(msg, tag);
        if (t.result === "valid") {
          valid++;
          assert.ok(ok, `${alg} tcId ${t.tcId} should verify`);
          const out = new Uint8Array(g.tagSize / 8);
          h.macInto(msg, out, 0, out.length);
          assert.equal(toHex(out), t.tag, `${alg} tcId ${t.tcId}`);
        } else {
          invalid++;
          assert.ok(!ok, `${alg} tcId ${t.tcId} (${t.result}) must not verify`);
        }
        h.dispose();
      }
    }
  }
  assert.ok(valid > 250 && invalid > 400, `ran ${valid} valid, ${invalid} invalid`);
});

// ---- Randomised cross-checks against node:crypto ----------------------------------------------------

/** Lengths around every block and length-field boundary, then seeded random ones. */
function lengths(rnd: (n: number) => Uint8Array, count: number, max: number): number[] {
  const out = [0, 1, 55, 56, 57, 63, 64, 65, 111, 112, 113, 119, 120, 127, 128, 129, 255, 256, 257];
  const r = rnd(count * 4);
  for (let i = 0; i < count; i++) out.push((r[4 * i] | (r[4 * i + 1] << 8) | (r[4 * i + 2] << 16)) % (max + 1));
  return out;
}

test("hash matches node:crypto on 0..4096-byte inputs for every algorithm", () => {
  const rnd = seededBytes(1);
  const pool = rnd(4096);
  for (const alg of ALGS) {
    for (const n of lengths(rnd, 1000, 4096)) {
      const d = pool.subarray(4096 - n);
      assert.equal(toHex(hash(alg, d)), toHex(nodeHash(alg, d)), `${alg} length ${n}`);
    }
  }
});

test("hash and HMAC stream inputs larger than the kernel's input region (64 KiB) correctly", () => {
  const rnd = seededBytes(2);
  const big = rnd(300_000);
  const key = rnd(100);
  for (const alg of ALGS) {
    for (const n of [65_535, 65_536, 65_537, 65_536 + BLOCK[alg] - 1, 131_072 + 7, 300_000]) {
      const d = big.subarray(0, n);
      assert.equal(toHex(hash(alg, d)), toHex(nodeHash(alg, d)), `hash ${alg} ${n}`);
      const want = toHex(nodeHmac(alg, key, d));
      assert.equal(toHex(hmac(alg, key, d)), want, `hmac ${alg} ${n}`);
      const h = new Hmac(alg, key);
      assert.equal(toHex(h.mac(d)), want, `Hmac ${alg} ${n}`);
      assert.ok(h.verify(d, hex(want)));
      h.dispose();
    }
    // A key longer than the input region is hashed through the same streaming path.
    const longKey = big.subarray(0, 70_000);
    assert.equal(toHex(hmac(alg, longKey, key)), toHex(nodeHmac(alg, longKey, key)), `hmac ${alg} 70000-byte key`);
  }
});

test("HMAC matches node:crypto for random keys of 0..300 bytes (longer than a block too) and 0..4096-byte data", () => {
  const rnd = seededBytes(3);
  const pool = rnd(4096), keys = rnd(300);
  for (const alg of ALGS) {
    const lens = lengths(rnd, 1000, 4096);
    const keyLens = lengths(rnd, lens.length, 300);
    lens.forEach((n, i) => {
      const key = keys.subarray(0, keyLens[i]), d = pool.subarray(0, n);
      const want = toHex(nodeHmac(alg, key, d));
      assert.equal(toHex(hmac(alg, key, d)), want, `hmac ${alg} key ${key.length} data ${n}`);
      const h = new Hmac(alg, key);
      assert.equal(toHex(h.mac(d)), want, `Hmac ${alg} key ${key.length} data ${n}`);
      h.dispose();
    });
  }
});

test("one keyed Hmac gives the same MAC on every call, interleaved with other keys and algorithms", () => {
  const rnd = seededBytes(4);
  const objs = ALGS.map((alg) => ({ alg, key: rnd(40), h: undefined as unknown as Hmac }));
  for (const o of objs) o.h = new Hmac(o.alg, o.key);
  for (let i = 0; i < 50; i++) {
    const d = rnd(i * 37);
    for (const o of objs) {
      assert.equal(toHex(o.h.mac(d)), toHex(nodeHmac(o.alg, o.key, d)));
      hash("sha256", d); // unrelated kernel use between MACs
    }
  }
  for (const o of objs) assert.equal(o.h.outLen, digestLength(o.alg));
});

test("prf+ matches RFC 7296 §2.13 on node:crypto: typical IKE sizes, up to 255 blocks, long keys", () => {
  const rnd = seededBytes(5);
  for (const alg of ALGS) {
    const L = digestLength(alg);
    const r = rnd(400);
    for (let i = 0; i < 100; i++) {
      const key = rnd(16 + (r[4 * i] % 49));             // SKEYSEED / SK_d sizes
      const seed = rnd(r[4 * i + 1] * 3);                // Ni | Nr | SPIs (| g^ir)
      const length = 1 + ((r[4 * i + 2] | (r[4 * i + 3] << 8)) % 600);
      assert.equal(toHex(prfPlus(alg, key, seed, length)), toHex(nodePrfPlus(alg, key, seed, length)), `${alg} key ${key.length} seed ${seed.length} length ${length}`);
    }
    for (const length of [L - 1, L, L + 1, 255 * L - 1, 255 * L]) {
      const key = rnd(BLOCK[alg] + 5), seed = rnd(80);
      assert.equal(toHex(prfPlus(alg, key, seed, length)), toHex(nodePrfPlus(alg, key, seed, length)), `${alg} length ${length}`);
    }
    const key = rnd(32), seed = rnd(64), out = new Uint8Array(230).fill(0xee);
    prfPlusInto(alg, key, seed, out, 3, 224);
    assert.equal(toHex(out.subarray(3, 227)), toHex(nodePrfPlus(alg, key, seed, 224)));
    assert.ok(out[2] === 0xee && out[227] === 0xee, "prfPlusInto writes only its range");
    const rest = new Uint8Array(100);
    prfPlusInto(alg, key, seed, rest, 10);
    assert.equal(toHex(rest.subarray(10)), toHex(nodePrfPlus(alg, key, seed, 90)), "length defaults to the rest of out");
  }
});

test("prf+ with a seed too large for one kernel call falls back to streamed HMACs with the same result", () => {
  const rnd = seededBytes(6);
  const seed = rnd(70_000), key = rnd(48);
  for (const alg of ["sha256", "sha512"] as const) {
    assert.equal(toHex(prfPlus(alg, key, seed, 150)), toHex(nodePrfPlus(alg, key, seed, 150)));
  }
});

// ---- Bad input --------------------------------------------------------------------------------------

test("bad input throws CryptoError naming the function", () => {
  const k32 = new Uint8Array(32), d = new Uint8Array(10);
  const any = (v: unknown) => v as Uint8Array;
  throwsCrypto(() => prfPlus("sha256", k32, d, 0), "INVALID_ARGUMENT", "prfPlus");
  throwsCrypto(() => prfPlus("sha256", k32, d, 255 * 32 + 1), "INVALID_ARGUMENT", "prfPlus");
  throwsCrypto(() => prfPlus("sha1", k32, d, 255 * 20 + 1), "INVALID_ARGUMENT", "prfPlus");
  throwsCrypto(() => prfPlus("sha256", k32, d, 1.5), "INVALID_ARGUMENT", "prfPlus");
  throwsCrypto(() => prfPlus("sha256", any("key"), d, 32), "INVALID_ARGUMENT", "prfPlus");
  throwsCrypto(() => prfPlus("sha256", k32, any([1, 2]), 32), "INVALID_ARGUMENT", "prfPlus");
  throwsCrypto(() => prfPlusInto("sha256", k32, d, new Uint8Array(10), 0, 11), "INVALID_OUTPUT", "prfPlusInto");
  throwsCrypto(() => prfPlusInto("sha256", k32, d, new Uint8Array(10), 0, 0), "INVALID_ARGUMENT", "prfPlusInto");
  throwsCrypto(() => prfPlusInto("sha256", k32, d, any(null), 0, 8), "INVALID_ARGUMENT", "prfPlusInto");
  throwsCrypto(() => hash("sha256", any("abc")), "INVALID_ARGUMENT", "hash");
  throwsCrypto(() => hash("md5" as HashAlg, d), "UNSUPPORTED", "hash");
  throwsCrypto(() => hashInto("sha256", d, new Uint8Array(31)), "INVALID_OUTPUT", "hashInto");
  throwsCrypto(() => hashInto("sha512", d, new Uint8Array(64), 1), "INVALID_OUTPUT", "hashInto");
  throwsCrypto(() => hashInto("sha256", d, new Uint8Array(40), -1), "INVALID_OUTPUT", "hashInto");
  throwsCrypto(() => hashInto("sha256", d, any(new ArrayBuffer(32))), "INVALID_ARGUMENT", "hashInto");
  throwsCrypto(() => hmac("sha384", any(undefined), d), "INVALID_ARGUMENT", "hmac");
  throwsCrypto(() => hmac("sha384", k32, any("data")), "INVALID_ARGUMENT", "hmac");
  throwsCrypto(() => digestLength("sha3" as HashAlg), "UNSUPPORTED", "digestLength");
  throwsCrypto(() => new Hmac("sha256", any(new Uint16Array(4))), "INVALID_ARGUMENT", "Hmac");
  const h = new Hmac("sha256", k32);
  throwsCrypto(() => h.mac(any("x")), "INVALID_ARGUMENT", "Hmac.mac");
  throwsCrypto(() => h.macInto(d, new Uint8Array(15), 0, 16), "INVALID_OUTPUT", "Hmac.macInto");
  throwsCrypto(() => h.macInto(d, new Uint8Array(64), 0, 33), "INVALID_ARGUMENT", "Hmac.macInto");
  throwsCrypto(() => h.macInto(d, new Uint8Array(64), 0, 0), "INVALID_ARGUMENT", "Hmac.macInto");
  throwsCrypto(() => h.verify(d, any("tag")), "INVALID_ARGUMENT", "Hmac.verify");
  const full = h.mac(d);
  assert.equal(h.verify(d, new Uint8Array(0)), false, "an empty ICV never verifies");
  assert.equal(h.verify(d, new Uint8Array([...full, 0])), false, "an ICV longer than the MAC never verifies");
  assert.equal(h.verify(d, full.subarray(0, 12)), true, "a truncated ICV verifies on its leading bytes");
  h.dispose();
  throwsCrypto(() => h.mac(d), "INVALID_ARGUMENT", "Hmac.mac");
  throwsCrypto(() => h.verify(d, full), "INVALID_ARGUMENT", "Hmac.verify");
  // A failed call leaves the kernel usable and correct.
  assert.equal(toHex(hash("sha256", d)), toHex(nodeHash("sha256", d)));
});

// ---- Hygiene ------------------------------------------------------------------------------------------

test("after hashing, MACing and prf+ the kernel memory is back to its initial image (keys, states and data wiped)", () => {
  const fresh = new Uint8Array(instantiate<object>(embedded, "scalar").memory.buffer).slice();
  const rnd = seededBytes(7);
  const key = rnd(200), data = rnd(70_000);
  for (const alg of ALGS) {
    hash(alg, data.subarray(0, 1000));
    hash(alg, data);
    hmac(alg, key, data.subarray(0, 333));
    hmac(alg, key.subarray(0, 20), data);
    const h = new Hmac(alg, key);
    h.mac(data.subarray(0, 64));
    h.macInto(data, new Uint8Array(64), 0, 12);
    h.verify(data.subarray(0, 5), new Uint8Array(16));
    h.dispose();
    prfPlus(alg, key.subarray(0, 32), data.subarray(0, 100), 200);
    prfPlus(alg, key, data.subarray(0, 100), 255 * digestLength(alg));
  }
  const mem = _kernelMemory();
  assert.equal(mem.length, fresh.length, "the kernel memory never grows");
  let firstDiff = -1;
  for (let i = 0; i < mem.length; i++) if (mem[i] !== fresh[i]) { firstDiff = i; break; }
  assert.equal(firstDiff, -1, `kernel memory differs from its initial image at byte ${firstDiff}`);
});
