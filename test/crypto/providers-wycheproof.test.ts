// Wycheproof through the CryptoProvider API of every provider: HMAC (via prf and integ), AES-GCM
// (12-byte IVs, as IKE's salt || iv; full and truncated ICVs), AES-CBC-PKCS5 (padding stripped here:
// the provider does none), X25519, X448 and ECDH on P-256/384/521 with the peer value converted to
// the IKE encoding. 'invalid' must raise INVALID_PUBLIC_VALUE; 'acceptable' may go either way but
// must not crash; an all-zero X25519/X448 result is always rejected (RFC 8031 §2.3).
import assert from "node:assert/strict";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { test, toHex, wycheproof } from "../lib/harness.ts";
import { CryptoError, createProvider } from "../../ts/crypto/index.ts";
import type { Aead, CryptoProvider } from "../../ts/crypto/index.ts";
import { GCM_OF, INTEG_OF, PRF_OF, concat, hex, providers, replay, cbcOf, aeadOf } from "./providers-lib.ts";

const ALL = providers();
/** KE groups do not depend on the AES build: wasm and wasm-scalar share them, so one wasm run covers both. */
const KE_NAMES = ["wasm", "native", "js"] as const;

/**
 * Which Wycheproof KE cases a provider runs, to keep this file to a few seconds per runtime.
 * Every case that is not 'valid' (those exercise our encoding, validation and zero checks) runs on
 * native and js. 'valid' cases mostly exercise the curve arithmetic (OpenSSL's or noble's, each
 * tested upstream with these same vectors) and cost 1-10 ms each: native runs all of them for
 * P-256 and X25519 and every 4th otherwise, js every 8th. wasm runs every 16th case of any kind:
 * its groups are the js provider's code (ts/crypto/groups/ecp.ts), which the last test checks.
 */
function runsCase(name: (typeof KE_NAMES)[number], group: number, result: string, tcId: number): boolean {
  if (name === "wasm") return tcId % 16 === 0;
  if (result !== "valid") return true;
  if (name === "js") return tcId % 8 === 0;
  return group === 19 || group === 31 || tcId % 4 === 0;
}

interface MacTest { tcId: number; key: string; msg: string; tag: string; result: string }
interface MacGroup { keySize: number; tagSize: number; tests: MacTest[] }

for (const alg of ["sha1", "sha256", "sha384", "sha512"] as const) {
  test(`Wycheproof hmac_${alg}: prf() full and truncated tags, integ().verify where sizes match, on every provider`, () => {
    const file = wycheproof<MacGroup>(`hmac_${alg}_test.json`);
    let n = 0, viaInteg = 0;
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        const key = hex(t.key), msg = hex(t.msg), tag = hex(t.tag);
        for (const { label, p } of ALL) {
          const mac = p.prf(PRF_OF[alg]).withKey(key).compute(msg).subarray(0, g.tagSize / 8);
          assert.equal(toHex(mac) === t.tag, t.result === "valid", `${label} tc ${t.tcId}`);
          // integ: RFC 4868 / RFC 2404 ICVs are the first icvLen bytes. A valid tag truncated still
          // verifies; an invalid one is only conclusive when it is exactly icvLen long.
          const integ = p.integ(INTEG_OF[alg]);
          if (key.length === integ.keyLen && (t.result === "valid" ? tag.length >= integ.icvLen : tag.length === integ.icvLen)) {
            assert.equal(integ.withKey(key).verify(msg, tag.subarray(0, integ.icvLen)), t.result === "valid", `${label} integ tc ${t.tcId}`);
            viaInteg++;
          }
        }
        n++;
      }
    }
    assert.equal(n, file.numberOfTests);
    assert.ok(viaInteg > 0);
  });
}

interface AeadTest { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string; flags: string[] }
interface AeadGroup { ivSize: number; keySize: number; tagSize: number; tests: AeadTest[] }

test("Wycheproof aes_gcm (96-bit IVs as salt || iv): seal, open, and every invalid tag gives null, on every provider", () => {
  const file = wycheproof<AeadGroup>("aes_gcm_test.json");
  let ran = 0, skipped = 0;
  for (const g of file.testGroups) {
    if (g.ivSize !== 96) { skipped += g.tests.length; continue; } // IKE's GCM nonce is always 12 bytes (RFC 4106 §4)
    for (const t of g.tests) {
      const key = hex(t.key), iv12 = hex(t.iv), aad = hex(t.aad), msg = hex(t.msg), ct = hex(t.ct), tag = hex(t.tag);
      const km = concat(key, iv12.subarray(0, 4)), iv = iv12.subarray(4);
      for (const { label, p } of ALL) {
        // Valid: every ICV length (a truncated GCM tag is the prefix). Invalid: the full 16-byte tag only.
        for (const icv of t.result === "valid" ? [8, 12, 16] : [g.tagSize / 8]) {
          const a = aeadOf(p, GCM_OF[icv], g.keySize).withKey(km);
          const wire = concat(ct, tag.subarray(0, icv));
          const opened = a.open(iv, aad, wire);
          if (t.result === "valid") {
            assert.equal(toHex(a.seal(iv, aad, msg)), toHex(wire), `${label} tc ${t.tcId} icv ${icv}`);
            assert.ok(opened && toHex(opened) === t.msg, `${label} tc ${t.tcId} icv ${icv} open`);
          } else {
            assert.equal(opened, null, `${label} tc ${t.tcId} (${t.flags.join(",")}) must not open`);
          }
          a.dispose();
        }
      }
      ran++;
    }
  }
  assert.ok(ran > 190, `ran ${ran}`);
  assert.equal(ran + skipped, file.numberOfTests);
});

interface CbcTest { tcId: number; key: string; iv: string; msg: string; ct: string; result: string; flags: string[] }
interface CbcGroup { keySize: number; tests: CbcTest[] }

/** PKCS#5 unpadding, done by the test: the provider's CBC has no padding (IKE pads itself, RFC 7296 §3.14). */
function unpad(b: Uint8Array): Uint8Array | null {
  const n = b.length ? b[b.length - 1] : 0;
  if (n < 1 || n > 16 || n > b.length) return null;
  for (let i = b.length - n; i < b.length; i++) if (b[i] !== n) return null;
  return b.subarray(0, b.length - n);
}
function pad(b: Uint8Array): Uint8Array {
  const n = 16 - (b.length % 16);
  return concat(b, new Uint8Array(n).fill(n));
}

test("Wycheproof aes_cbc_pkcs5: encrypt(pad(msg)) and decrypt then unpad; bad padding found by the unpadding, on every provider", () => {
  const file = wycheproof<CbcGroup>("aes_cbc_pkcs5_test.json");
  let n = 0;
  for (const g of file.testGroups) {
    for (const t of g.tests) {
      const key = hex(t.key), iv = hex(t.iv), ct = hex(t.ct);
      for (const { label, p } of ALL) {
        const k = cbcOf(p, g.keySize).withKey(key);
        if (t.result === "valid") {
          assert.equal(toHex(k.encrypt(iv, pad(hex(t.msg)))), t.ct, `${label} tc ${t.tcId}`);
          assert.equal(toHex(unpad(k.decrypt(iv, ct)) ?? new Uint8Array([0xee])), t.msg, `${label} tc ${t.tcId} decrypt`);
        } else if (ct.length % 16 !== 0) {
          assert.throws(() => k.decrypt(iv, ct), (e: unknown) => e instanceof CryptoError && e.code === "INVALID_INPUT_LENGTH");
        } else {
          assert.equal(unpad(k.decrypt(iv, ct)), null, `${label} tc ${t.tcId} (${t.flags.join(",")})`);
        }
      }
      n++;
    }
  }
  assert.equal(n, file.numberOfTests);
});

interface XdhTest { tcId: number; public: string; private: string; shared: string; result: string; flags: string[] }

/** Runs one peer value through computeShared; returns the shared secret, or the CryptoError code. */
function agree(p: CryptoProvider, group: number, pub: Uint8Array): string {
  try {
    return toHex(p.ke(group).generate().computeShared(pub));
  } catch (e) {
    if (e instanceof CryptoError) return `error ${e.code}`;
    throw e; // anything else is a crash
  }
}

for (const [file, group] of [["x25519_test.json", 31], ["x448_test.json", 32]] as const) {
  test(`Wycheproof ${file}: valid agree; all-zero results and wrong lengths rejected; acceptable does not crash (valid cases sampled)`, () => {
    const w = wycheproof<{ tests: XdhTest[] }>(file);
    const counts = { valid: 0, zeroRejected: 0, acceptable: 0, invalid: 0 };
    for (const g of w.testGroups) {
      for (const t of g.tests) {
        const zero = /^0+$/.test(t.shared);
        for (const n of KE_NAMES) {
          if (!runsCase(n, group, zero ? "zero" : t.result, t.tcId)) continue;
          const got = agree(createProvider(n, { random: replay(hex(t.private)) }), group, hex(t.public));
          const where = `${n} tc ${t.tcId} (${t.flags.join(",")})`;
          if (zero) assert.equal(got, "error INVALID_PUBLIC_VALUE", `${where}: an all-zero shared secret must be rejected (RFC 8031 §2.3)`);
          else if (t.result === "valid") assert.equal(got, t.shared, where);
          else if (t.result === "invalid") assert.equal(got, "error INVALID_PUBLIC_VALUE", where);
          else assert.ok(got === t.shared || got === "error INVALID_PUBLIC_VALUE", `${where}: ${got}`);
        }
        counts[zero ? "zeroRejected" : (t.result as "valid" | "acceptable" | "invalid")]++;
      }
    }
    assert.equal(counts.valid + counts.zeroRejected + counts.acceptable + counts.invalid, w.numberOfTests, JSON.stringify(counts));
  });
}

interface EcdhTest { tcId: number; public: string; private: string; shared: string; result: string; flags: string[] }
const CURVES = [
  ["ecdh_secp256r1_ecpoint_test.json", 19, 32, p256],
  ["ecdh_secp384r1_ecpoint_test.json", 20, 48, p384],
  ["ecdh_secp521r1_ecpoint_test.json", 21, 66, p521],
] as const;

/** The Wycheproof SEC1 point as IKE x || y (RFC 5903 §7); compressed points are decompressed; null if not expressible. */
function toIke(pub: Uint8Array, L: number, curve: typeof p256): Uint8Array | null {
  if (pub.length === 1 + 2 * L && pub[0] === 4) return pub.subarray(1);
  if (pub.length === 1 + L && (pub[0] === 2 || pub[0] === 3)) {
    try {
      return curve.Point.fromBytes(pub).toBytes(false).subarray(1);
    } catch {
      return null; // an invalid compressed point has no x || y form to send
    }
  }
  return pub[0] === 4 ? pub.subarray(1) : pub; // wrong length: passed on, must be rejected
}

for (const [file, group, L, curve] of CURVES) {
  test(`Wycheproof ${file.replace("_test.json", "")}: valid agree in IKE encoding, invalid raise INVALID_PUBLIC_VALUE (valid cases sampled)`, () => {
    const w = wycheproof<{ tests: EcdhTest[] }>(file);
    let ran = 0, notExpressible = 0;
    const n = curve.Point.CURVE().n;
    for (const g of w.testGroups) {
      for (const t of g.tests) {
        const d = BigInt("0x" + t.private);
        const ike = toIke(hex(t.public), L, curve);
        if (ike === null) {
          // A compressed point that does not decompress (e.g. on the twist) has no x || y form at all.
          assert.equal(t.result, "invalid", `tc ${t.tcId} cannot be sent in IKE but is ${t.result}`);
          notExpressible++;
          continue;
        }
        assert.ok(d > 0n && d < n, `tc ${t.tcId}: private value out of range`);
        const priv = hex(d.toString(16).padStart(2 * L, "0"));
        for (const name of KE_NAMES) {
          if (!runsCase(name, group, t.result, t.tcId)) continue;
          const got = agree(createProvider(name, { random: replay(priv) }), group, ike);
          const where = `${name} tc ${t.tcId} (${t.flags.join(",")})`;
          if (t.result === "valid") assert.equal(got, t.shared, where);
          else if (t.result === "invalid") assert.equal(got, "error INVALID_PUBLIC_VALUE", where);
          else assert.ok(got === t.shared || got === "error INVALID_PUBLIC_VALUE", `${where}: ${got}`);
        }
        ran++;
      }
    }
    assert.equal(ran + notExpressible, w.numberOfTests);
  });
}

test("wasm and js KE groups for 19-21, 31, 32 are the same implementation (so the sampled wasm run is enough)", () => {
  for (const id of [19, 20, 21, 31, 32]) {
    const a = createProvider("wasm", { random: replay(new Uint8Array(id <= 21 ? (id === 21 ? 66 : id === 20 ? 48 : 32) : id === 31 ? 32 : 56).fill(1)) }).ke(id).generate();
    const b = createProvider("js", { random: replay(new Uint8Array(id <= 21 ? (id === 21 ? 66 : id === 20 ? 48 : 32) : id === 31 ? 32 : 56).fill(1)) }).ke(id).generate();
    assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(b), `group ${id}`);
    assert.deepEqual(a.publicValue, b.publicValue);
  }
});
