// IKEv2 AUTH signatures (ts/crypto/sig/auth.ts): the method chosen for each key and peer
// SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4), the Authentication Data layout of methods 1, 9-11 and 14
// (RFC 7427 §3), verification with reasons, and node:crypto checking what we sign.
import assert from "node:assert/strict";
import * as nc from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hex, projectRoot, test } from "../lib/harness.ts";
import { CryptoError } from "../../ts/crypto/errors.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import { publicKeyOf, type SigPrivateKey, type SigPublicKey } from "../../ts/crypto/sig.ts";
import {
  AUTH_METHOD, SIGNATURE_HASH, chooseAuthSignature, decodeAuthData, encodeAuthData, encodeSignatureHashAlgorithms,
  hashOfId, parseSignatureHashAlgorithms, signAuth, verifyAuth, type AuthSignature,
} from "../../ts/crypto/sig/auth.ts";
import { parsePrivateKey } from "../../ts/pki/keys.ts";

const pem = (name: string) => readFileSync(join(projectRoot, "test", "fixtures", "pki", name), "utf8");
const keys = {
  rsa: parsePrivateKey(pem("leaf-rsa.key")),
  p256: parsePrivateKey(pem("leaf-p256.key")),
  p384: parsePrivateKey(pem("inter.key")),
  ed25519: parsePrivateKey(pem("leaf-ed25519.key")),
};
const OCTETS = new TextEncoder().encode("RealMessage1 | NonceRData | prf(SK_pi, IDi')");
const random = seededRandom(42);

test("SIGNATURE_HASH_ALGORITHMS: we announce SHA2-256/384/512 and Identity; parsing keeps unknown values", () => {
  assert.deepEqual(encodeSignatureHashAlgorithms(), hex("0002000300040005"));
  assert.deepEqual(parseSignatureHashAlgorithms(hex("0001000200ff")), [1, 2, 255]);
  assert.deepEqual(parseSignatureHashAlgorithms(new Uint8Array(0)), []);
  assert.throws(() => parseSignatureHashAlgorithms(hex("000200")), (e: unknown) => e instanceof CryptoError && /odd length 3/.test(e.message));
  assert.equal(hashOfId(3), "sha384");
  assert.equal(hashOfId(5), "identity");
  assert.equal(hashOfId(9), null);
});

test("the AUTH method follows the key and the peer's SIGNATURE_HASH_ALGORITHMS", () => {
  const pub = (k: SigPrivateKey) => publicKeyOf(k);
  const cases: [string, SigPublicKey, number[] | null, object, AuthSignature][] = [
    ["RSA, peer without RFC 7427", pub(keys.rsa), null, {}, { method: 1, scheme: { kind: "rsa-pkcs1", hash: "sha1" } }],
    ["RSA, peer with SHA-2", pub(keys.rsa), [2, 3, 4], {}, { method: 14, scheme: { kind: "rsa-pkcs1", hash: "sha256" } }],
    ["RSA PSS", pub(keys.rsa), [4, 3], { rsaPadding: "pss" }, { method: 14, scheme: { kind: "rsa-pss", hash: "sha384", saltLength: 48 } }],
    ["RSA, peer offers SHA-1 only", pub(keys.rsa), [1], {}, { method: 1, scheme: { kind: "rsa-pkcs1", hash: "sha1" } }],
    ["RSA, classic forced", pub(keys.rsa), [2], { classic: true }, { method: 1, scheme: { kind: "rsa-pkcs1", hash: "sha1" } }],
    ["P-256, no RFC 7427", pub(keys.p256), null, {}, { method: 9, scheme: { kind: "ecdsa", hash: "sha256", format: "p1363" } }],
    ["P-384 prefers its own hash", pub(keys.p384), [2, 3, 4], {}, { method: 14, scheme: { kind: "ecdsa", hash: "sha384", format: "der" } }],
    ["P-256 with the peer's only hash", pub(keys.p256), [4], {}, { method: 14, scheme: { kind: "ecdsa", hash: "sha512", format: "der" } }],
    ["P-384, classic forced", pub(keys.p384), [3], { classic: true }, { method: 10, scheme: { kind: "ecdsa", hash: "sha384", format: "p1363" } }],
    ["Ed25519 without the notify", pub(keys.ed25519), null, {}, { method: 14, scheme: { kind: "ed25519" } }],
    ["Ed25519 with Identity", pub(keys.ed25519), [2, 5], {}, { method: 14, scheme: { kind: "ed25519" } }],
  ];
  for (const [name, key, peer, opts, want] of cases) assert.deepEqual(chooseAuthSignature(key, peer, opts), want, name);
  assert.throws(() => chooseAuthSignature(pub(keys.ed25519), [2, 3]), /lack Identity \(5\)/);
});

test("method 14 Authentication Data is length, AlgorithmIdentifier, signature (RFC 7427 §3)", () => {
  const sel = chooseAuthSignature(keys.rsa, [2]);
  const data = signAuth(keys.rsa, sel, OCTETS, random);
  assert.equal(data[0], 15);
  assert.deepEqual(data.subarray(1, 16), hex("300d06092a864886f70d01010b0500"));
  assert.equal(data.length, 16 + 256);
  const d = decodeAuthData(14, data);
  assert.deepEqual(d.scheme, { kind: "rsa-pkcs1", hash: "sha256" });
  // The signature part is plain PKCS#1 v1.5 SHA-256 over the signed octets: node:crypto agrees.
  const rsaPub = nc.createPublicKey(nc.createPrivateKey(pem("leaf-rsa.key")));
  assert.ok(nc.verify("sha256", OCTETS, rsaPub, d.signature));
  assert.deepEqual(encodeAuthData(sel, d.signature), data);
});

test("classic methods carry the bare signature: method 1 is PKCS#1 SHA-1, method 9 r||s over SHA-256", () => {
  const m1 = signAuth(keys.rsa, { method: 1, scheme: { kind: "rsa-pkcs1", hash: "sha1" } }, OCTETS, random);
  assert.equal(m1.length, 256);
  assert.ok(nc.verify("sha1", OCTETS, nc.createPublicKey(nc.createPrivateKey(pem("leaf-rsa.key"))), m1));
  const m9 = signAuth(keys.p256, chooseAuthSignature(keys.p256, null), OCTETS, random);
  assert.equal(m9.length, 64);
  assert.ok(nc.verify("sha256", OCTETS, { key: nc.createPublicKey(nc.createPrivateKey(pem("leaf-p256.key"))), dsaEncoding: "ieee-p1363" }, m9));
  // The scheme in `sel` cannot override what methods 1/9/10/11 define.
  const m9b = signAuth(keys.p256, { method: 9, scheme: { kind: "ecdsa", hash: "sha512", format: "der" } }, OCTETS, random);
  assert.equal(m9b.length, 64);
  assert.throws(() => signAuth(keys.p256, { method: 10, scheme: { kind: "ecdsa", hash: "sha384", format: "p1363" } }, OCTETS, random), /method 10 needs P-384 key/);
  assert.throws(() => signAuth(keys.rsa, { method: 2, scheme: { kind: "rsa-pkcs1", hash: "sha1" } }, OCTETS, random), /not a signature method/);
});

test("every key signs and verifies under every method it can use", () => {
  for (const [name, key] of Object.entries(keys)) {
    const pub = publicKeyOf(key);
    for (const peer of [null, [2, 3, 4, 5]]) {
      for (const opts of [{}, { rsaPadding: "pss" as const }]) {
        const sel = chooseAuthSignature(key, peer, opts);
        const data = signAuth(key, sel, OCTETS, random);
        const r = verifyAuth(sel.method, data, pub, OCTETS);
        assert.ok(r.ok, `${name} method ${sel.method}: ${r.ok ? "" : r.reason}`);
        assert.deepEqual(r.ok && r.scheme, sel.method === 14 ? sel.scheme : decodeAuthData(sel.method, data).scheme);
        const bad = data.slice();
        bad[bad.length - 1] ^= 0x40;
        const rb = verifyAuth(sel.method, bad, pub, OCTETS);
        assert.ok(!rb.ok && /does not verify/.test(rb.reason), `${name}: a changed signature`);
        const ro = verifyAuth(sel.method, data, pub, OCTETS.subarray(1));
        assert.ok(!ro.ok, `${name}: other signed octets`);
      }
    }
  }
});

test("verifyAuth says why it refuses: key and method, hash policy, malformed data, unsupported method", () => {
  const reason = (method: number, data: Uint8Array, key: SigPublicKey) => {
    const r = verifyAuth(method, data, key, OCTETS);
    if (r.ok) throw new Error(`method ${method} was accepted`);
    return r.reason;
  };
  const p256 = publicKeyOf(keys.p256), p384 = publicKeyOf(keys.p384), rsa = publicKeyOf(keys.rsa);
  const m9 = signAuth(keys.p256, { method: 9, scheme: { kind: "ecdsa", hash: "sha256", format: "p1363" } }, OCTETS, random);
  assert.match(reason(9, m9, p384), /needs an ECDSA P-256 key; the certificate holds an ECDSA P-384 key/);
  assert.match(reason(1, m9, p256), /needs an RSA key; the certificate holds an ECDSA P-256 key/);
  const sha1Rsa = encodeAuthData({ method: 14, scheme: { kind: "rsa-pkcs1", hash: "sha1" } }, new Uint8Array(256));
  assert.match(reason(14, sha1Rsa, rsa), /RSA PKCS#1 v1\.5 with SHA1 is not accepted/);
  assert.ok(verifyAuth(14, signAuth(keys.rsa, { method: 14, scheme: { kind: "rsa-pkcs1", hash: "sha1" } }, OCTETS, random), rsa, OCTETS, { acceptedHashes: ["sha1"] }).ok,
    "SHA-1 when the caller allows it");
  assert.match(reason(14, hex("20300d"), rsa), /shorter than its AlgorithmIdentifier/);
  assert.match(reason(14, hex("0c300a06082a8648ce3d040301ff"), p256), /signature algorithm 1\.2\.840\.10045\.4\.3\.1/);
  assert.match(reason(AUTH_METHOD.SHARED_KEY_MESSAGE_INTEGRITY_CODE, m9, p256), /AUTH method 2 is not a signature method/);
  assert.match(reason(14, encodeAuthData({ method: 14, scheme: { kind: "ed25519" } }, new Uint8Array(64)), p256), /needs an ed25519 key/);
  assert.equal(SIGNATURE_HASH.IDENTITY, 5);
});
