// Signatures of ts/crypto/sig.ts and ts/crypto/rsa.ts cross-checked against node:crypto (OpenSSL on
// Node, BoringSSL on Bun, Deno's own): we sign and node:crypto verifies, node:crypto signs and we
// verify, for RSA PKCS#1 v1.5 and PSS (2048-bit fixture key, generated 2049- and 3072-bit keys, so a
// modulus whose bit length is not a multiple of 8 is covered), ECDSA P-256/384/521 (DER and r||s) and
// Ed25519/Ed448. Plus the RSA private operation's guards and the AlgorithmIdentifier encodings.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as nc from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hex, projectRoot, runtime, test } from "../lib/harness.ts";
import { CryptoError } from "../../ts/crypto/errors.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import { RsaPrivateKey, rsaVerifyPkcs1, rsaVerifyPss, type RsaPrivateComponents } from "../../ts/crypto/rsa.ts";
import { algorithmIdentifier, parseAlgorithmIdentifier, publicKeyOf, sign, verify, type EcCurve, type SignatureScheme, type SigPrivateKey } from "../../ts/crypto/sig.ts";
import type { HashAlg } from "../../ts/crypto/types.ts";

const fixture = (name: string) => readFileSync(join(projectRoot, "test", "fixtures", "pki", name), "utf8");
const b64u = (s: string) => new Uint8Array(Buffer.from(s, "base64url"));
/** A DER element with a short-form length, from hex. */
const tlv = (tag: string, content: string) => tag + (content.length / 2).toString(16).padStart(2, "0") + content;
const MSG = new TextEncoder().encode("IKEv2 InitiatorSignedOctets stand-in");

function rsaComponents(key: nc.KeyObject): RsaPrivateComponents {
  const j = key.export({ format: "jwk" }) as Record<string, string>;
  return { n: b64u(j.n), e: b64u(j.e), d: b64u(j.d), p: b64u(j.p), q: b64u(j.q), dp: b64u(j.dp), dq: b64u(j.dq), qinv: b64u(j.qi) };
}

const NODE_HASH: Record<HashAlg, string> = { sha1: "sha1", sha256: "sha256", sha384: "sha384", sha512: "sha512" };

interface RsaCase { name: string; priv: nc.KeyObject; pub: nc.KeyObject }
const rsaCases: [string, () => RsaCase][] = [
  ["RSA-2048 (fixture key)", () => {
    const priv = nc.createPrivateKey(fixture("leaf-rsa.key"));
    return { name: "RSA-2048", priv, pub: nc.createPublicKey(priv) };
  }],
  ...[2049, 3072].map((bits): [string, () => RsaCase] => [`RSA-${bits} (generated key)`, () => {
    const { privateKey, publicKey } = nc.generateKeyPairSync("rsa", { modulusLength: bits });
    return { name: `RSA-${bits}`, priv: privateKey, pub: publicKey };
  }]),
];

for (const [label, mk] of rsaCases) {
  test(`RSA PKCS#1 v1.5 and PSS signatures match node:crypto both ways: ${label}`, () => {
    const c = mk();
    const key = new RsaPrivateKey(rsaComponents(c.priv));
    const random = seededRandom(7);
    try {
      for (const h of ["sha1", "sha256", "sha384", "sha512"] as HashAlg[]) {
        // PKCS#1 v1.5 is deterministic: our signature equals node's byte for byte.
        const ours = key.signPkcs1(h, MSG, random);
        const theirs = new Uint8Array(nc.sign(NODE_HASH[h], MSG, c.priv));
        assert.deepEqual(ours, theirs, `${c.name} PKCS#1 ${h}`);
        assert.ok(rsaVerifyPkcs1(key.publicKey, h, MSG, theirs));
        assert.ok(!rsaVerifyPkcs1(key.publicKey, h, MSG.subarray(1), theirs));
        // PSS is randomized: each side verifies the other's.
        for (const saltLength of [0, 20, 32]) {
          const opts = { key: c.pub, padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength };
          const pss = key.signPss(h, MSG, random, saltLength);
          assert.equal(pss.length, key.byteLength);
          assert.ok(nc.verify(NODE_HASH[h], MSG, opts, pss), `${c.name} PSS ${h} salt ${saltLength}: node rejects ours`);
          const pssNode = new Uint8Array(nc.sign(NODE_HASH[h], MSG, { key: c.priv, padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength }));
          assert.ok(rsaVerifyPss(key.publicKey, h, MSG, pssNode, { saltLength }), `${c.name} PSS ${h} salt ${saltLength}: we reject node's`);
          assert.ok(!rsaVerifyPss(key.publicKey, h, MSG, pssNode, { saltLength: saltLength + 1 }), "a different salt length is refused");
          assert.ok(rsaVerifyPss(key.publicKey, h, MSG, pssNode, { saltLength: "any" }));
          const bad = pssNode.slice();
          bad[bad.length - 5] ^= 1;
          assert.ok(!rsaVerifyPss(key.publicKey, h, MSG, bad, { saltLength }));
        }
      }
    } finally {
      key.dispose();
    }
  }, { timeoutMs: 60_000 });
}

test("RSA signing blinds with the injected randomness, and signatures do not depend on it", () => {
  const comps = rsaComponents(nc.createPrivateKey(fixture("leaf-rsa.key")));
  const key = new RsaPrivateKey(comps);
  let drawn = 0;
  const counting = (out: Uint8Array) => { drawn += out.length; seededRandom(1)(out); };
  const a = key.signPkcs1("sha256", MSG, counting);
  assert.ok(drawn >= 2 * key.byteLength, `blinding drew ${drawn} bytes`);
  const b = key.signPkcs1("sha256", MSG, seededRandom(99));
  assert.deepEqual(a, b);
  key.dispose();
  assert.throws(() => key.signPkcs1("sha256", MSG, seededRandom(1)), /disposed/);
});

test("RSA private key: inconsistent components are refused at load, naming the problem", () => {
  const comps = rsaComponents(nc.createPrivateKey(fixture("leaf-rsa.key")));
  const refused = (c: RsaPrivateComponents, re: RegExp) => assert.throws(() => new RsaPrivateKey(c), (e: unknown) => e instanceof CryptoError && re.test(e.message));
  refused({ ...comps, q: comps.p }, /^rsa\.privateKey: p·q is not the modulus/);
  // A wrong CRT exponent is what a fault would produce; the s^e == m check in signing guards the
  // same thing at run time (it cannot be provoked from outside once the load check passed).
  for (const f of ["d", "dp", "dq", "qinv"] as const) {
    const v = comps[f].slice();
    v[v.length - 1] ^= 2;
    refused({ ...comps, [f]: v }, /inconsistent private key components/);
  }
  refused({ ...comps, n: comps.n.subarray(0, 64) }, /modulus of 512 bits/);
  assert.throws(() => rsaVerifyPkcs1({ n: comps.n, e: Uint8Array.of(2) }, "sha256", MSG, new Uint8Array(256)), /public exponent/);
});

test("RSA verify: wrong length, s >= n and a wrong key are rejected without throwing", () => {
  const priv = nc.createPrivateKey(fixture("leaf-rsa.key"));
  const comps = rsaComponents(priv);
  const sig = new Uint8Array(nc.sign("sha256", MSG, priv));
  const pub = { n: comps.n, e: comps.e };
  assert.ok(rsaVerifyPkcs1(pub, "sha256", MSG, sig));
  assert.ok(!rsaVerifyPkcs1(pub, "sha256", MSG, sig.subarray(1)));
  assert.ok(!rsaVerifyPkcs1(pub, "sha256", MSG, Uint8Array.of(0, ...sig)));
  assert.ok(!rsaVerifyPkcs1(pub, "sha256", MSG, comps.n.slice(comps.n.length - 256)), "s = n");
  assert.ok(!rsaVerifyPkcs1(pub, "sha384", MSG, sig), "another hash");
  const other = rsaComponents(nc.createPrivateKey(fixture("root.key")));
  assert.ok(!rsaVerifyPkcs1({ n: other.n, e: other.e }, "sha256", MSG, sig));
});

const EC_NAMES: Record<EcCurve, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };
for (const curve of ["P-256", "P-384", "P-521"] as EcCurve[]) {
  test(`ECDSA ${curve} matches node:crypto both ways (DER and r||s)`, () => {
    const { privateKey, publicKey } = nc.generateKeyPairSync("ec", { namedCurve: EC_NAMES[curve] });
    const j = privateKey.export({ format: "jwk" }) as Record<string, string>;
    const key: SigPrivateKey = { type: "ecdsa", curve, d: b64u(j.d) };
    const pub = publicKeyOf(key);
    assert.deepEqual(pub, { type: "ecdsa", curve, point: Uint8Array.of(4, ...b64u(j.x), ...b64u(j.y)) });
    const random = seededRandom(5);
    for (const h of ["sha256", "sha384", "sha512"] as HashAlg[]) {
      for (const format of ["der", "p1363"] as const) {
        const scheme: SignatureScheme = { kind: "ecdsa", hash: h, format };
        const dsaEncoding = format === "der" ? "der" : "ieee-p1363";
        const ours = sign(scheme, key, MSG, random);
        assert.ok(verify(scheme, pub, MSG, ours));
        assert.ok(!verify(scheme, pub, MSG.subarray(1), ours));
        assert.ok(!verify({ ...scheme, format: format === "der" ? "p1363" : "der" }, pub, MSG, ours), "the other encoding is refused");
        // Deno's node:crypto neither signs nor verifies P-521 (Wycheproof covers our P-521 verification there).
        if (runtime === "deno" && curve === "P-521") continue;
        assert.ok(nc.verify(h, MSG, { key: publicKey, dsaEncoding }, ours), `node rejects our ${curve} ${h} ${format}`);
        const theirs = new Uint8Array(nc.sign(h, MSG, { key: privateKey, dsaEncoding }));
        assert.ok(verify(scheme, pub, MSG, theirs), `we reject node's ${curve} ${h} ${format}`);
      }
    }
  });
}

for (const alg of ["ed25519", "ed448"] as const) {
  test(`${alg} matches node:crypto both ways`, () => {
    // Bun's node:crypto (BoringSSL) has no Ed448; our own sign/verify round trip still runs there.
    const native = !(runtime === "bun" && alg === "ed448");
    const seed = native ? undefined : new Uint8Array(57).fill(9);
    const kp = native ? nc.generateKeyPairSync(alg as "ed25519") : undefined;
    const key: SigPrivateKey = { type: alg, seed: seed ?? b64u((kp!.privateKey.export({ format: "jwk" }) as Record<string, string>).d) };
    const pub = publicKeyOf(key);
    if (kp) assert.deepEqual(pub, { type: alg, key: b64u((kp.publicKey.export({ format: "jwk" }) as Record<string, string>).x) });
    const ours = sign({ kind: alg }, key, MSG, seededRandom(1));
    assert.equal(ours.length, alg === "ed25519" ? 64 : 114);
    assert.ok(verify({ kind: alg }, pub, MSG, ours));
    assert.ok(!verify({ kind: alg }, pub, MSG.subarray(1), ours));
    if (kp) {
      assert.ok(nc.verify(null, MSG, kp.publicKey, ours), "node rejects ours");
      assert.deepEqual(new Uint8Array(nc.sign(null, MSG, kp.privateKey)), ours, "EdDSA is deterministic: same bytes");
    }
  });
}

test("sign/verify refuse a key of the wrong type with an error naming the function", () => {
  const ed: SigPrivateKey = { type: "ed25519", seed: new Uint8Array(32) };
  assert.throws(() => sign({ kind: "rsa-pkcs1", hash: "sha256" }, ed, MSG, seededRandom(1)), (e: unknown) => e instanceof CryptoError && /^sig\.sign: a ed25519 key cannot be used with rsa-pkcs1/.test(e.message));
  assert.throws(() => verify({ kind: "ed448" }, publicKeyOf(ed), MSG, new Uint8Array(114)), /sig\.verify/);
  assert.equal(verify({ kind: "ed25519" }, publicKeyOf(ed), MSG, new Uint8Array(3)), false);
});

// AlgorithmIdentifiers: RFC 7427 Appendix A bytes, and those OpenSSL wrote into the fixture certificates.
const certSigAlg = (name: string) => {
  const der = new Uint8Array(Buffer.from(fixture(name).replace(/-----[^-]+-----|\s/g, ""), "base64"));
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }: skip the outer and TBS headers.
  const hdr = (o: number) => (der[o + 1] & 0x80 ? 2 + (der[o + 1] & 0x7f) : 2);
  const len = (o: number) => { const l = der[o + 1]; if (!(l & 0x80)) return l; let v = 0; for (let i = 0; i < (l & 0x7f); i++) v = v * 256 + der[o + 2 + i]; return v; };
  const tbs = hdr(0);
  const alg = tbs + hdr(tbs) + len(tbs);
  return der.subarray(alg, alg + hdr(alg) + len(alg));
};

test("AlgorithmIdentifier encodings match RFC 7427 Appendix A, RFC 8410 and OpenSSL", () => {
  const cases: [SignatureScheme, string][] = [
    [{ kind: "rsa-pkcs1", hash: "sha1" }, "300d06092a864886f70d0101050500"],
    [{ kind: "rsa-pkcs1", hash: "sha256" }, "300d06092a864886f70d01010b0500"],
    [{ kind: "rsa-pkcs1", hash: "sha384" }, "300d06092a864886f70d01010c0500"],
    [{ kind: "rsa-pkcs1", hash: "sha512" }, "300d06092a864886f70d01010d0500"],
    [{ kind: "ecdsa", hash: "sha256", format: "der" }, "300a06082a8648ce3d040302"],
    [{ kind: "ecdsa", hash: "sha384", format: "der" }, "300a06082a8648ce3d040303"],
    [{ kind: "ecdsa", hash: "sha512", format: "der" }, "300a06082a8648ce3d040304"],
    [{ kind: "ed25519" }, "300506032b6570"],
    [{ kind: "ed448" }, "300506032b6571"],
  ];
  for (const [scheme, want] of cases) {
    assert.deepEqual(algorithmIdentifier(scheme), hex(want), JSON.stringify(scheme));
    assert.deepEqual(parseAlgorithmIdentifier(hex(want)), scheme);
  }
  assert.deepEqual(algorithmIdentifier({ kind: "rsa-pkcs1", hash: "sha256" }), certSigAlg("root.crt"));
  assert.deepEqual(algorithmIdentifier({ kind: "rsa-pkcs1", hash: "sha384" }), certSigAlg("leaf-p384.crt"));
  assert.deepEqual(algorithmIdentifier({ kind: "ecdsa", hash: "sha256", format: "der" }), certSigAlg("leaf-rsa.crt"));
  const pss: SignatureScheme = { kind: "rsa-pss", hash: "sha256", saltLength: 32 };
  assert.deepEqual(algorithmIdentifier(pss), certSigAlg("leaf-pss.crt"));
  assert.deepEqual(parseAlgorithmIdentifier(certSigAlg("leaf-pss.crt")), pss);
  const pss384: SignatureScheme = { kind: "rsa-pss", hash: "sha384", saltLength: 48, mgfHash: "sha256" };
  assert.deepEqual(parseAlgorithmIdentifier(algorithmIdentifier(pss384)), pss384);
});

test("AlgorithmIdentifier parser: PSS defaults, hash parameters absent, and refusals", () => {
  // RSASSA-PSS with empty parameters means SHA-1, MGF1-SHA-1, salt 20 (RFC 4055 §3.1).
  assert.deepEqual(parseAlgorithmIdentifier(hex("300d06092a864886f70d01010a3000")), { kind: "rsa-pss", hash: "sha1", saltLength: 20 });
  // Hash AlgorithmIdentifier without the NULL (RFC 4055 allows both).
  const sha256NoNull = tlv("30", "0609608648016503040201");
  const pss = tlv("30", "06092a864886f70d01010a" + tlv("30", tlv("a0", sha256NoNull) + tlv("a1", tlv("30", "06092a864886f70d010108" + sha256NoNull)) + tlv("a2", "020120")));
  assert.deepEqual(parseAlgorithmIdentifier(hex(pss)), { kind: "rsa-pss", hash: "sha256", saltLength: 32 });
  // PKCS#1 v1.5 without parameters is accepted (some encoders omit the NULL).
  assert.deepEqual(parseAlgorithmIdentifier(hex("300b06092a864886f70d01010b")), { kind: "rsa-pkcs1", hash: "sha256" });
  const refuse = (h: string, code: string, re: RegExp) => assert.throws(() => parseAlgorithmIdentifier(hex(h)), (e: unknown) => e instanceof CryptoError && e.code === code && re.test(e.message));
  refuse("300c06082a8648ce3d0403020500", "INVALID_ARGUMENT", /parameters must be absent/);
  refuse(tlv("30", "06092a864886f70d01010b020100"), "INVALID_ARGUMENT", /parameters must be NULL/);
  refuse("300a06082a8648ce3d040301", "UNSUPPORTED", /signature algorithm 1\.2\.840\.10045\.4\.3\.1/);
  refuse("300d06092a864886f70d01010b05", "INVALID_ARGUMENT", /malformed DER/);
  refuse("300d06092a864886f70d01010b050000", "INVALID_ARGUMENT", /malformed DER/);
  refuse("3082000d" + "06092a864886f70d01010b0500", "INVALID_ARGUMENT", /non-minimal length/);
  const pssWith = (params: string) => tlv("30", "06092a864886f70d01010a" + tlv("30", params));
  const sha256Id = tlv("30", "06096086480165030402010500");
  refuse(pssWith(tlv("a3", "020102")), "UNSUPPORTED", /trailer field/);
  refuse(pssWith(tlv("a1", tlv("30", "0609608648016503040201" + sha256Id))), "UNSUPPORTED", /other than MGF1/);
  refuse(pssWith(tlv("a2", "020120") + tlv("a0", sha256Id)), "INVALID_ARGUMENT", /out of order/);
  refuse(pssWith(tlv("a2", "0201ff")), "INVALID_ARGUMENT", /bad INTEGER/);
  refuse(pssWith(tlv("a0", "300b06092a864886f70d010101")), "UNSUPPORTED", /hash 1\.2\.840\.113549\.1\.1\.1/);
});
