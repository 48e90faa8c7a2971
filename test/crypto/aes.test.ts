// The AES kernel (core-wasm/aes.ts via ts/crypto/wasm/aes.ts), on both builds (scalar and SIMD):
// known answers (SP 800-38A, FIPS-197, McGrew-Viega GCM 1-18), Wycheproof aes_gcm and aes_cbc_pkcs5,
// randomised cross-checks against node:crypto (noble for AES-192 on Deno, whose node:crypto lacks it),
// streaming sizes, bad input, and that a disposed key leaves nothing behind in the kernel's memory.
import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv } from "node:crypto";
import { cbc as nobleCbc, gcm as nobleGcm } from "@noble/ciphers/aes.js";
import { hex, seededBytes, test, toHex, vectorFile, wycheproof } from "../lib/harness.ts";
import { CryptoError } from "../../ts/crypto/errors.ts";
import * as embedded from "../../ts/crypto/wasm/gen/aes.gen.ts";
import { instantiate, simdSupported } from "../../ts/crypto/wasm/load.ts";
import { AesCbc, AesGcm, _kernelMemory, aesVariant, createAes } from "../../ts/crypto/wasm/aes.ts";

const VARIANTS = ["scalar", "simd"] as const;
type Variant = (typeof VARIANTS)[number];
const BUILDS = VARIANTS.map((v) => ({ v, ...createAes(v) }));
const TAG_LENS = [8, 12, 16] as const;

function throwsCrypto(fn: () => unknown, code: string, fnName?: string): void {
  assert.throws(fn, (e: unknown) => {
    if (!(e instanceof CryptoError)) throw new Error(`expected CryptoError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (fnName) assert.ok(e.message.startsWith(fnName + ": "), e.message);
    return true;
  });
}

/** Byte equality with a hex diff only on failure (toHex of every random case would dominate the run time). */
function same(got: Uint8Array | null, want: Uint8Array, label: string): void {
  if (got === null) throw new Error(`${label}: got null`);
  if (!Buffer.from(got.buffer, got.byteOffset, got.length).equals(Buffer.from(want.buffer, want.byteOffset, want.length))) {
    assert.equal(toHex(got), toHex(want), label);
  }
}

const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

/** Deno 2's node:crypto has no AES-192 ("Unknown cipher"): there the reference is @noble/ciphers. */
const NODE_AES192 = (() => {
  try { createCipheriv("aes-192-cbc", new Uint8Array(24), new Uint8Array(16)); return true; } catch { return false; }
})();

/** Reference AES-GCM: node:crypto, or noble for AES-192 where node:crypto lacks it (nonces >= 8 bytes there). */
function nodeGcm(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): { ct: Uint8Array; tag: Uint8Array } {
  if (key.length === 24 && !NODE_AES192) {
    const r = nobleGcm(key, nonce, aad).encrypt(pt);
    return { ct: r.subarray(0, pt.length), tag: r.subarray(pt.length) };
  }
  const c = createCipheriv(`aes-${key.length * 8}-gcm` as "aes-128-gcm", key, nonce);
  c.setAAD(aad);
  const ct = new Uint8Array(Buffer.concat([c.update(pt), c.final()]));
  return { ct, tag: new Uint8Array(c.getAuthTag()) };
}

function nodeCbc(enc: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length === 24 && !NODE_AES192) {
    const c = nobleCbc(key, iv, { disablePadding: true });
    return enc ? c.encrypt(data) : c.decrypt(data);
  }
  const alg = `aes-${key.length * 8}-cbc`;
  const c = enc ? createCipheriv(alg, key, iv) : createDecipheriv(alg, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

test("both builds load; the default classes use the SIMD build where the engine validates it", () => {
  assert.ok(simdSupported(embedded), "every supported runtime validates wasm SIMD");
  assert.equal(aesVariant, "simd");
  assert.deepEqual(BUILDS.map((b) => b.variant), ["scalar", "simd"]);
});

// ---- Known answers -----------------------------------------------------------------------------------

interface CbcCase { name: string; key: string; iv: string; plaintext: string; ciphertext: string }
interface GcmCase { name: string; key: string; iv: string; aad: string; plaintext: string; ciphertext: string; tag: string }

test("SP 800-38A F.2.1-F.2.6 and FIPS-197 appendix B/C (aes-cbc.json): encrypt, decrypt, Into at an offset, both builds", () => {
  const { cases } = JSON.parse(vectorFile("aes-cbc.json")) as { cases: CbcCase[] };
  assert.equal(cases.length, 10);
  for (const { v, AesCbc } of BUILDS) {
    for (const c of cases) {
      const k = new AesCbc(hex(c.key));
      const iv = hex(c.iv), pt = hex(c.plaintext), ct = hex(c.ciphertext);
      assert.equal(toHex(k.encrypt(iv, pt)), c.ciphertext, `${v} ${c.name} encrypt`);
      assert.equal(toHex(k.decrypt(iv, ct)), c.plaintext, `${v} ${c.name} decrypt`);
      const out = new Uint8Array(pt.length + 5).fill(0xee);
      k.encryptInto(iv, pt, out, 3);
      assert.equal(toHex(out.subarray(3, 3 + pt.length)), c.ciphertext);
      assert.deepEqual([out[2], out[out.length - 2]], [0xee, 0xee], "writes only its bytes");
      k.decryptInto(iv, ct, out, 3);
      assert.equal(toHex(out.subarray(3, 3 + pt.length)), c.plaintext);
      // In place: the output may be the input itself.
      const buf = ct.slice();
      k.decryptInto(iv, buf, buf);
      assert.equal(toHex(buf), c.plaintext, `${v} ${c.name} in place`);
      k.dispose();
    }
  }
});

test("McGrew-Viega GCM test cases 1-18 (aes-gcm.json, 8/12/60-byte IVs): seal, open, truncated tags, both builds", () => {
  const { cases } = JSON.parse(vectorFile("aes-gcm.json")) as { cases: GcmCase[] };
  assert.equal(cases.length, 18);
  for (const { v, AesGcm } of BUILDS) {
    for (const c of cases) {
      const g = new AesGcm(hex(c.key));
      const nonce = hex(c.iv), aad = hex(c.aad), pt = hex(c.plaintext);
      for (const tl of TAG_LENS) {
        const want = c.ciphertext + c.tag.slice(0, 2 * tl);
        const sealed = g.seal(nonce, aad, pt, tl);
        assert.equal(toHex(sealed), want, `${v} ${c.name} seal/${tl}`);
        assert.equal(toHex(g.open(nonce, aad, sealed, tl)!), c.plaintext, `${v} ${c.name} open/${tl}`);
        const out = new Uint8Array(pt.length + tl + 2);
        g.sealInto(nonce, aad, pt, tl, out, 1);
        assert.equal(toHex(out.subarray(1, 1 + pt.length + tl)), want);
        assert.equal(out[0] | out[out.length - 1], 0);
      }
      g.dispose();
    }
  }
});

// ---- Wycheproof ----------------------------------------------------------------------------------------

interface WpGcm { tcId: number; iv: string; key: string; aad: string; msg: string; ct: string; tag: string; result: string; flags: string[] }
interface WpCbc { tcId: number; key: string; iv: string; msg: string; ct: string; result: string; flags: string[] }

test("Wycheproof aes_gcm: every case on both builds; invalid ones fail open; valid ones also with 8/12-byte tags", () => {
  const file = wycheproof<{ ivSize: number; tagSize: number; tests: WpGcm[] }>("aes_gcm_test.json");
  let valid = 0, invalid = 0, rejectedIv = 0, truncated = 0;
  for (const { v, AesGcm } of BUILDS) {
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        const gc = new AesGcm(hex(t.key));
        const nonce = hex(t.iv), aad = hex(t.aad), msg = hex(t.msg), tag = hex(t.tag);
        const label = `${v} tc ${t.tcId} (${t.flags.join(",")})`;
        const tl = tag.length as 16;
        if (nonce.length === 0) {
          // A zero-length IV is not GCM (SP 800-38D §8.2): rejected, and Wycheproof marks it invalid.
          assert.equal(t.result, "invalid", label);
          throwsCrypto(() => gc.open(nonce, aad, cat(hex(t.ct), tag), tl), "INVALID_IV_LENGTH");
          throwsCrypto(() => gc.seal(nonce, aad, msg, tl), "INVALID_IV_LENGTH");
          rejectedIv++;
        } else if (t.result === "valid") {
          assert.equal(toHex(gc.seal(nonce, aad, msg, tl)), t.ct + t.tag, label);
          assert.equal(toHex(gc.open(nonce, aad, cat(hex(t.ct), tag), tl)!), t.msg, label);
          for (const short of [8, 12] as const) {
            assert.equal(toHex(gc.seal(nonce, aad, msg, short)), t.ct + t.tag.slice(0, 2 * short), label);
            assert.equal(toHex(gc.open(nonce, aad, cat(hex(t.ct), tag.subarray(0, short)), short)!), t.msg, label);
            truncated++;
          }
          valid++;
        } else {
          const out = new Uint8Array(hex(t.ct).length).fill(0x5a);
          assert.equal(gc.open(nonce, aad, cat(hex(t.ct), tag), tl), null, label);
          assert.equal(gc.openInto(nonce, aad, cat(hex(t.ct), tag), tl, out), false, label);
          assert.ok(out.every((b) => b === 0x5a), `${label}: no plaintext released`);
          invalid++;
        }
        gc.dispose();
      }
    }
  }
  assert.equal(valid + invalid + rejectedIv, 2 * file.numberOfTests);
  const count = (r: string) => file.testGroups.reduce((n, g) => n + g.tests.filter((t) => t.result === r && t.iv.length > 0).length, 0);
  assert.equal(rejectedIv, 2 * 6, "the six zero-length-IV cases, on each build");
  assert.deepEqual([valid, invalid, truncated], [2 * count("valid"), 2 * count("invalid"), 4 * count("valid")]);
});

/** PKCS#5/#7 padding (Wycheproof's CBC files use it; ESP pads differently, RFC 4303 §2.4). */
function pad(m: Uint8Array): Uint8Array {
  const n = 16 - (m.length % 16);
  return cat(m, new Uint8Array(n).fill(n));
}
function unpad(p: Uint8Array): Uint8Array | null {
  if (p.length === 0) return null;
  const n = p[p.length - 1];
  if (n < 1 || n > 16 || n > p.length) return null;
  for (let i = p.length - n; i < p.length; i++) if (p[i] !== n) return null;
  return p.subarray(0, p.length - n);
}

test("Wycheproof aes_cbc_pkcs5: encrypt(pad(msg)) and decrypt-then-unpad on both builds; every bad padding is caught", () => {
  const file = wycheproof<{ tests: WpCbc[] }>("aes_cbc_pkcs5_test.json");
  let valid = 0, invalid = 0;
  for (const { v, AesCbc } of BUILDS) {
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        const k = new AesCbc(hex(t.key));
        const iv = hex(t.iv), ct = hex(t.ct), label = `${v} tc ${t.tcId}`;
        if (t.result === "valid") {
          assert.equal(toHex(k.encrypt(iv, pad(hex(t.msg)))), t.ct, label);
          assert.equal(toHex(unpad(k.decrypt(iv, ct))!), t.msg, label);
          valid++;
        } else if (ct.length % 16 !== 0) {
          throwsCrypto(() => k.decrypt(iv, ct), "INVALID_INPUT_LENGTH");
          invalid++;
        } else {
          const raw = k.decrypt(iv, ct);
          assert.equal(toHex(raw), toHex(nodeCbc(false, hex(t.key), iv, ct)), label);
          assert.equal(unpad(raw), null, label);
          invalid++;
        }
        k.dispose();
      }
    }
  }
  assert.equal(valid + invalid, 2 * file.numberOfTests);
});

// ---- Randomised cross-checks -----------------------------------------------------------------------------

test("random AES-GCM against node:crypto: 1500 keys per build, nonces 12 or 1..40 bytes, data 0..4096, AAD 0..64, tags 8/12/16, tampering", () => {
  const rnd = seededBytes(0x6a7);
  const pick = (n: number) => rnd(4).reduce((a, b) => a * 256 + b, 0) % n;
  for (const { v, AesGcm } of BUILDS) {
    for (let i = 0; i < 1500; i++) {
      const key = rnd([16, 24, 32][i % 3]);
      const nonce = rnd(i % 7 === 0 ? (key.length === 24 && !NODE_AES192 ? 8 : 1) + pick(40) : 12);
      const aad = rnd(pick(65)), pt = rnd(i % 5 === 0 ? pick(64) : pick(4097));
      const tl = TAG_LENS[pick(3)];
      const label = `${v} #${i} key ${key.length} nonce ${nonce.length} aad ${aad.length} pt ${pt.length} tag ${tl}`;
      const g = new AesGcm(key);
      const want = nodeGcm(key, nonce, aad, pt);
      const sealed = g.seal(nonce, aad, pt, tl);
      const fromNode = cat(want.ct, want.tag.subarray(0, tl));
      same(sealed, fromNode, label);
      same(g.open(nonce, aad, fromNode, tl), pt, label);
      if (i % 4 === 0) {
        // One flipped bit anywhere (ciphertext, tag, AAD or nonce) must fail open.
        const where = pick(4);
        const bad = { ct: fromNode.slice(), aad: aad.slice(), nonce: nonce.slice() };
        const flip = (b: Uint8Array) => { if (b.length) b[pick(b.length)] ^= 1 << pick(8); else bad.ct[pick(bad.ct.length)] ^= 1; };
        if (where === 0) flip(bad.ct.subarray(0, pt.length));
        else if (where === 1) flip(bad.ct.subarray(pt.length));
        else if (where === 2) flip(bad.aad);
        else flip(bad.nonce);
        assert.equal(g.open(bad.nonce, bad.aad, bad.ct, tl), null, label + " tampered " + where);
      }
      g.dispose();
    }
  }
});

test("random AES-CBC against node:crypto: 1500 keys per build, 0..4096 bytes in whole blocks, both directions", () => {
  const rnd = seededBytes(0xcbc);
  const pick = (n: number) => rnd(4).reduce((a, b) => a * 256 + b, 0) % n;
  for (const { v, AesCbc } of BUILDS) {
    for (let i = 0; i < 1500; i++) {
      const key = rnd([16, 24, 32][i % 3]), iv = rnd(16), pt = rnd(16 * pick(257));
      const k = new AesCbc(key);
      const ct = nodeCbc(true, key, iv, pt);
      same(k.encrypt(iv, pt), ct, `${v} #${i} encrypt ${pt.length}`);
      same(k.decrypt(iv, ct), pt, `${v} #${i} decrypt ${pt.length}`);
      k.dispose();
    }
  }
});

test("long inputs stream through the kernel in chunks (CBC and GCM up to 300 KB, AAD over 64 KiB, region edges)", () => {
  const rnd = seededBytes(77);
  for (const { v, AesCbc, AesGcm } of BUILDS) {
    for (const [ptLen, aadLen, nonceLen] of [[100_000, 13, 12], [300_017, 0, 12], [65536, 0, 12], [65536 - 16, 16, 12],
      [65536 - 15, 16, 12], [65520, 17, 12], [1000, 70_000, 12], [131_072, 3, 60], [65537, 0, 1]]) {
      const key = rnd(ptLen % 2 ? 32 : 16), nonce = rnd(nonceLen), aad = rnd(aadLen), pt = rnd(ptLen);
      const label = `${v} pt ${ptLen} aad ${aadLen} nonce ${nonceLen}`;
      const g = new AesGcm(key);
      const want = nodeGcm(key, nonce, aad, pt);
      const sealed = g.seal(nonce, aad, pt, 16);
      same(sealed, cat(want.ct, want.tag), label);
      same(g.open(nonce, aad, sealed, 16), pt, label);
      const bad = sealed.slice();
      bad[ptLen >> 1] ^= 0x80;
      const out = new Uint8Array(ptLen).fill(7);
      assert.equal(g.openInto(nonce, aad, bad, 16, out), false, label);
      assert.ok(out.every((b) => b === 7), `${label}: nothing decrypted before the tag check`);
      g.dispose();
      const blocks = pt.subarray(0, ptLen & ~15), iv = rnd(16);
      const k = new AesCbc(key);
      const ct = k.encrypt(iv, blocks);
      same(ct, nodeCbc(true, key, iv, blocks), label + " cbc");
      same(k.decrypt(iv, ct), blocks, label + " cbc decrypt");
      k.dispose();
    }
  }
});

test("keys on one kernel interleave: each object reloads its own key state", () => {
  const rnd = seededBytes(5);
  for (const { v, AesCbc, AesGcm } of BUILDS) {
    const keys = [rnd(16), rnd(24), rnd(32)];
    const gcms = keys.map((k) => new AesGcm(k)), cbcs = keys.map((k) => new AesCbc(k));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) {
        const nonce = rnd(12), pt = rnd(100 + round), iv = rnd(16), blocks = rnd(48);
        const want = nodeGcm(keys[i], nonce, new Uint8Array(0), pt);
        assert.equal(toHex(gcms[i].seal(nonce, new Uint8Array(0), pt, 16)), toHex(want.ct) + toHex(want.tag), `${v} gcm ${i}`);
        assert.equal(toHex(cbcs[i].encrypt(iv, blocks)), toHex(nodeCbc(true, keys[i], iv, blocks)), `${v} cbc ${i}`);
      }
    }
    for (const o of [...gcms, ...cbcs]) o.dispose();
  }
});

// ---- Bad input -------------------------------------------------------------------------------------------

test("bad input: key, IV, nonce, tag and block lengths, short outputs, non-bytes, use after dispose", () => {
  for (const len of [0, 8, 15, 17, 20, 31, 33, 64]) {
    throwsCrypto(() => new AesCbc(new Uint8Array(len)), "INVALID_KEY_LENGTH", "aes-cbc");
    throwsCrypto(() => new AesGcm(new Uint8Array(len)), "INVALID_KEY_LENGTH", "aes-gcm");
  }
  throwsCrypto(() => new AesGcm("0123456789abcdef" as unknown as Uint8Array), "INVALID_ARGUMENT", "aes-gcm");
  throwsCrypto(() => new AesCbc([1, 2, 3] as unknown as Uint8Array), "INVALID_ARGUMENT", "aes-cbc");

  const k = new AesCbc(new Uint8Array(16)), iv = new Uint8Array(16);
  for (const n of [0, 15, 17, 32]) throwsCrypto(() => k.encrypt(new Uint8Array(n), new Uint8Array(16)), "INVALID_IV_LENGTH", "aes-cbc.encrypt");
  for (const n of [1, 15, 17, 33]) {
    throwsCrypto(() => k.encrypt(iv, new Uint8Array(n)), "INVALID_INPUT_LENGTH", "aes-cbc.encrypt");
    throwsCrypto(() => k.decrypt(iv, new Uint8Array(n)), "INVALID_INPUT_LENGTH", "aes-cbc.decrypt");
  }
  assert.equal(k.encrypt(iv, new Uint8Array(0)).length, 0);
  throwsCrypto(() => k.encryptInto(iv, new Uint8Array(32), new Uint8Array(31)), "INVALID_OUTPUT", "aes-cbc.encryptInto");
  throwsCrypto(() => k.decryptInto(iv, new Uint8Array(32), new Uint8Array(40), 9), "INVALID_OUTPUT", "aes-cbc.decryptInto");
  throwsCrypto(() => k.decryptInto(iv, new Uint8Array(16), new Uint8Array(40), -1), "INVALID_OUTPUT");
  throwsCrypto(() => k.decryptInto(iv, new Uint8Array(16), new Uint8Array(40), 1.5), "INVALID_OUTPUT");
  throwsCrypto(() => k.encrypt(iv, null as unknown as Uint8Array), "INVALID_ARGUMENT");
  k.dispose();
  k.dispose();
  throwsCrypto(() => k.encrypt(iv, new Uint8Array(16)), "INVALID_ARGUMENT", "aes-cbc.encrypt");

  const g = new AesGcm(new Uint8Array(32)), nonce = new Uint8Array(12), none = new Uint8Array(0);
  for (const tl of [0, 4, 10, 13, 15, 17, 32, "16"]) {
    throwsCrypto(() => g.seal(nonce, none, none, tl as 16), "INVALID_TAG_LENGTH", "aes-gcm.seal");
    throwsCrypto(() => g.open(nonce, none, new Uint8Array(32), tl as 16), "INVALID_TAG_LENGTH", "aes-gcm.open");
  }
  throwsCrypto(() => g.seal(none, none, none, 16), "INVALID_IV_LENGTH", "aes-gcm.seal");
  throwsCrypto(() => g.seal(new Uint8Array(65537), none, none, 16), "INVALID_IV_LENGTH", "aes-gcm.seal");
  throwsCrypto(() => g.open(nonce, none, new Uint8Array(15), 16), "INVALID_INPUT_LENGTH", "aes-gcm.open");
  throwsCrypto(() => g.openInto(nonce, none, new Uint8Array(7), 8, new Uint8Array(0)), "INVALID_INPUT_LENGTH", "aes-gcm.openInto");
  throwsCrypto(() => g.sealInto(nonce, none, new Uint8Array(10), 16, new Uint8Array(25)), "INVALID_OUTPUT", "aes-gcm.sealInto");
  throwsCrypto(() => g.openInto(nonce, none, new Uint8Array(26), 16, new Uint8Array(9)), "INVALID_OUTPUT", "aes-gcm.openInto");
  throwsCrypto(() => g.seal(nonce, "aad" as unknown as Uint8Array, none, 16), "INVALID_ARGUMENT", "aes-gcm.seal");
  // The empty message: a tag alone, which must verify and must not verify once changed.
  const sealed = g.seal(nonce, none, none, 16);
  assert.equal(sealed.length, 16);
  assert.deepEqual(g.open(nonce, none, sealed, 16), new Uint8Array(0));
  sealed[15] ^= 1;
  assert.equal(g.open(nonce, none, sealed, 16), null);
  g.dispose();
  throwsCrypto(() => g.seal(nonce, none, none, 16), "INVALID_ARGUMENT", "aes-gcm.seal");
  throwsCrypto(() => g.open(nonce, none, sealed, 16), "INVALID_ARGUMENT", "aes-gcm.open");
  throwsCrypto(() => createAes("sse" as "simd"), "INVALID_ARGUMENT");
});

// ---- Hygiene ---------------------------------------------------------------------------------------------

test("after dispose, each build's memory is byte for byte as instantiated (key state, data, counters, scratch wiped)", () => {
  const rnd = seededBytes(9);
  for (const { v, AesCbc, AesGcm } of BUILDS) {
    const fresh = new Uint8Array(instantiate<object>(embedded, v).memory.buffer).slice();
    const g = new AesGcm(rnd(32)), c = new AesCbc(rnd(16)), n = rnd(12), aad = rnd(9);
    const big = rnd(70_000);
    g.open(n, aad, g.seal(n, aad, rnd(1400), 16), 16);
    g.open(n, aad, g.seal(n, aad, big, 12), 12);
    g.open(rnd(20), aad, rnd(100), 16);
    c.decrypt(rnd(16), c.encrypt(rnd(16), big.subarray(0, 69_984)));
    g.dispose();
    c.dispose();
    const mem = _kernelMemory(v as Variant);
    assert.equal(mem.length, fresh.length);
    let diff = -1;
    for (let i = 0; i < mem.length; i++) if (mem[i] !== fresh[i]) { diff = i; break; }
    assert.equal(diff, -1, `${v}: byte ${diff} differs from a fresh instance`);
  }
});
