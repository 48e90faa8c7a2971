// Wycheproof signature verification vectors against ts/crypto/sig.ts (RSA on the wasm modexp
// kernel, ECDSA and EdDSA via @noble/curves, hashes from the wasm SHA kernel). Files used, from
// ../shared/vectors/wycheproof/:
//   rsa_signature_2048_sha256_test.json, rsa_signature_2048_sha384_test.json,
//   rsa_signature_2048_sha512_test.json, rsa_signature_3072_sha256_test.json,
//   rsa_signature_4096_sha256_test.json        RSASSA-PKCS1-v1_5 (AUTH methods 1 and 14)
//   rsa_pss_2048_sha256_mgf1_32_test.json      RSASSA-PSS (the only PSS file in the shared set)
//   ecdsa_secp256r1_sha256_test.json (DER), ecdsa_secp256r1_sha256_p1363_test.json (r||s),
//   ecdsa_secp384r1_sha384_test.json, ecdsa_secp384r1_sha384_p1363_test.json,
//   ecdsa_secp521r1_sha512_test.json, ecdsa_secp521r1_sha512_p1363_test.json
//   ed25519_test.json, ed448_test.json
// Every file runs in full except P-384 (all valid cases and the invalid ones with an even tcId) and
// P-521 (the cases whose tcId is a multiple of 4), which cost a few seconds each on Node otherwise.
// Every valid case must verify, every invalid one must be rejected; "acceptable" ones must not throw.
import assert from "node:assert/strict";
import { hex, test, wycheproof } from "../lib/harness.ts";
import { verify, type EcCurve, type SignatureScheme, type SigPublicKey } from "../../ts/crypto/sig.ts";
import type { HashAlg } from "../../ts/crypto/types.ts";

const HASHES: Record<string, HashAlg> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
const CURVES: Record<string, EcCurve> = { secp256r1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

/** Sampling: the cases whose tcId is a multiple of `every` (all of them when 1); valid ones all unless sampleValid. */
function run(file: string, mk: (g: any) => { scheme: SignatureScheme; key: SigPublicKey }, every = 1, sampleValid = false): void {
  const note = every === 1 ? "" : ` (${sampleValid ? "cases" : "invalid cases"} 1 in ${every})`;
  test(`wycheproof ${file}${note}`, () => {
    const data = wycheproof(file);
    let valid = 0, invalid = 0, acceptable = 0, total = 0;
    const bad: string[] = [];
    for (const g of data.testGroups) {
      const { scheme, key } = mk(g);
      for (const t of g.tests) {
        total++;
        if ((sampleValid || t.result !== "valid") && t.tcId % every !== 0) continue;
        let ok: boolean;
        try { ok = verify(scheme, key, hex(t.msg), hex(t.sig)); } catch (e) { bad.push(`tcId ${t.tcId} threw ${e}`); continue; }
        if (t.result === "valid") { valid++; if (!ok) bad.push(`tcId ${t.tcId} (valid) rejected: ${t.comment}`); }
        else if (t.result === "invalid") { invalid++; if (ok) bad.push(`tcId ${t.tcId} (invalid) accepted: ${t.comment}`); }
        else acceptable++;
      }
    }
    assert.deepEqual(bad, []);
    assert.equal(total, data.numberOfTests, "every group was read");
    if (every === 1) assert.equal(valid + invalid + acceptable, data.numberOfTests, "every vector ran");
    assert.ok(valid > 0 && invalid > 0, `${valid} valid, ${invalid} invalid`);
  }, { timeoutMs: 60_000 });
}

const rsaKey = (g: any): SigPublicKey => ({ type: "rsa", n: hex(g.publicKey?.modulus ?? g.n), e: hex(g.publicKey?.publicExponent ?? g.e) });
for (const f of ["2048_sha256", "2048_sha384", "2048_sha512", "3072_sha256", "4096_sha256"]) {
  run(`rsa_signature_${f}_test.json`, (g) => ({ scheme: { kind: "rsa-pkcs1", hash: HASHES[g.sha] }, key: rsaKey(g) }));
}
run("rsa_pss_2048_sha256_mgf1_32_test.json", (g) => ({
  scheme: { kind: "rsa-pss", hash: HASHES[g.sha], mgfHash: HASHES[g.mgfSha], saltLength: g.sLen },
  key: rsaKey(g),
}));
for (const [curve, h, every, sampleValid] of [["secp256r1", "sha256", 1, false], ["secp384r1", "sha384", 2, false], ["secp521r1", "sha512", 4, true]] as const) {
  for (const p1363 of [false, true]) {
    run(`ecdsa_${curve}_${h}${p1363 ? "_p1363" : ""}_test.json`, (g) => ({
      scheme: { kind: "ecdsa", hash: HASHES[g.sha], format: p1363 ? "p1363" : "der" },
      key: { type: "ecdsa", curve: CURVES[g.publicKey.curve], point: hex(g.publicKey.uncompressed) },
    }), every, sampleValid);
  }
}
run("ed25519_test.json", (g) => ({ scheme: { kind: "ed25519" }, key: { type: "ed25519", key: hex(g.publicKey.pk) } }));
run("ed448_test.json", (g) => ({ scheme: { kind: "ed448" }, key: { type: "ed448", key: hex(g.publicKey.pk) } }));
