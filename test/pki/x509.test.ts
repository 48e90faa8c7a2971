// Parsing of the fixture PKI (test/fixtures/pki, made by make.sh with `openssl ca`): certificates from
// PEM and DER, private keys in PKCS#8, PKCS#1 and SEC1, CRLs, DNs, the key-matches-certificate check
// and the CERTREQ CA key hash, cross-checked against node:crypto where it can say the same thing.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as nc from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hex, projectRoot, test, toHex } from "../lib/harness.ts";
import { publicKeyOf } from "../../ts/crypto/sig.ts";
import { readAll, readOne } from "../../ts/crypto/sig/der.ts";
import {
  PkiParseError, caKeyHash, checkKeyMatchesCertificate, checkLocalCredential, encodeCertReqAuthorities, parseCertReqAuthorities, pathMatchesCertReq, dnEquals, dnFromText, dnText, parseCertificate, parseCertificates,
  parseCrl, parsePrivateKey, publicKeyFromSpki,
} from "../../ts/pki/index.ts";
import { disposePrivateKey } from "../../ts/crypto/sig.ts";

const dir = join(projectRoot, "test", "fixtures", "pki");
const text = (name: string) => readFileSync(join(dir, name), "utf8");
const bytes = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const cert = (name: string) => parseCertificate(text(name));
/** A DER element with a short-form length, from hex. */
const tlv = (tag: string, content: string) => tag + (content.length / 2).toString(16).padStart(2, "0") + content;
/** node:crypto's DER subjectPublicKeyInfo for a fixture private key. */
const nodeSpki = (keyFile: string) => new Uint8Array(nc.createPublicKey(nc.createPrivateKey(text(keyFile))).export({ type: "spki", format: "der" }));

test("a certificate parses the same from PEM and DER, with the fields openssl ca wrote", () => {
  const c = cert("leaf-rsa.crt");
  const d = parseCertificate(bytes("leaf-rsa.der"));
  assert.deepEqual(d, c);
  assert.equal(c.version, 3);
  assert.equal(toHex(c.serial), "1000");
  assert.equal(c.subjectText, "CN=edge, O=skeyseed test");
  assert.equal(c.issuerText, "CN=Intermediate CA, O=skeyseed test");
  assert.equal(c.notBefore, Date.UTC(2026, 0, 1));
  assert.equal(c.notAfter, Date.UTC(2036, 0, 1));
  assert.deepEqual(c.keyUsage, new Set([0]));
  assert.deepEqual(c.basicConstraints, { ca: false, pathLen: null });
  assert.deepEqual(c.subjectAltNames, {
    dns: ["edge.example"], email: ["edge@example.org"], dn: [],
    ip: [hex("c000020a"), hex("20010db8000000000000000000000010")],
  });
  assert.deepEqual(c.authorityKeyId, cert("inter.crt").subjectKeyId);
  assert.deepEqual(c.spki, nodeSpki("leaf-rsa.key"));
  assert.deepEqual(c.signatureAlgorithm, c.tbsSignatureAlgorithm);
  const inter = cert("inter.crt");
  assert.deepEqual(inter.basicConstraints, { ca: true, pathLen: 0 });
  assert.deepEqual(inter.keyUsage, new Set([5, 6]));
  assert.deepEqual(inter.unknownCritical, []);
});

test("a PEM bundle gives every certificate in order; bad input fails with PkiParseError", () => {
  const both = parseCertificates(text("inter.crt") + "\nsome comment\n" + text("root.crt"));
  assert.deepEqual(both.map((c) => c.subjectText), ["CN=Intermediate CA, O=skeyseed test", "CN=Root CA, O=skeyseed test"]);
  const fails = (input: string | Uint8Array, re: RegExp) => assert.throws(() => parseCertificate(input), (e: unknown) => e instanceof PkiParseError && re.test(e.message));
  fails("no pem here", /^certificate: no CERTIFICATE or X509 CERTIFICATE PEM block found/);
  fails(text("leaf-rsa.key"), /no CERTIFICATE/);
  fails("-----BEGIN CERTIFICATE-----\nMIIB*\n-----END CERTIFICATE-----\n", /not valid base64/);
  const der = bytes("leaf-rsa.der");
  fails(der.subarray(0, der.length - 10), /^certificate: not a valid certificate \(.*malformed DER/);
  fails(Uint8Array.of(...der, 0), /trailing bytes/);
});

test("private keys: PKCS#8, PKCS#1 and SEC1, RSA, ECDSA and Ed25519, each matching its certificate", () => {
  const pairs: [string, string, string][] = [
    ["leaf-rsa.key", "leaf-rsa.crt", "rsa"], ["leaf-rsa.pkcs1.key", "leaf-rsa.crt", "rsa"],
    ["leaf-p256.key", "leaf-p256.crt", "ecdsa"], ["leaf-p256.sec1.key", "leaf-p256.crt", "ecdsa"],
    ["inter.key", "inter.crt", "ecdsa"], ["leaf-ed25519.key", "leaf-ed25519.crt", "ed25519"], ["root.key", "root.crt", "rsa"],
  ];
  for (const [keyFile, certFile, type] of pairs) {
    const k = parsePrivateKey(text(keyFile));
    assert.equal(k.type, type, keyFile);
    assert.equal(checkKeyMatchesCertificate(k, cert(certFile)), null, `${keyFile} matches ${certFile}`);
    // And our public key agrees with node:crypto's SPKI (parsed back by us).
    assert.deepEqual(publicKeyOf(k), publicKeyFromSpki(nodeSpki(keyFile)), keyFile);
    disposePrivateKey(k);
  }
  const p256 = parsePrivateKey(text("leaf-p256.key"));
  assert.equal(checkKeyMatchesCertificate(p256, cert("expired.crt")), "private key does not match certificate CN=expired, O=skeyseed test");
  assert.equal(checkKeyMatchesCertificate(p256, cert("leaf-rsa.crt")), "private key (ecdsa) does not match certificate CN=edge, O=skeyseed test (rsa key)");
  assert.deepEqual(p256.type === "ecdsa" && p256.curve, "P-256");
});

test("private key errors say what is wrong", () => {
  const fails = (input: string, re: RegExp) => assert.throws(() => parsePrivateKey(input), (e: unknown) => e instanceof PkiParseError && re.test(e.message));
  fails(text("leaf-rsa.crt"), /^private key: no PRIVATE KEY or RSA PRIVATE KEY or EC PRIVATE KEY or ENCRYPTED PRIVATE KEY PEM block found/);
  fails("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----", /encrypted PKCS#8 keys are not supported; decrypt it first/);
  fails("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAA=\n-----END RSA PRIVATE KEY-----", /encrypted RSA PRIVATE KEY is not supported/);
  // A PKCS#1 key whose d is wrong (last byte changed): the RSA layer refuses it at load, not at the first signature.
  const der = new Uint8Array(Buffer.from(text("leaf-rsa.pkcs1.key").replace(/-----[^-]+-----|\s/g, ""), "base64"));
  const d = readAll("test", readOne("test", der).value)[3];
  der[d.raw.byteOffset - der.byteOffset + d.raw.length - 1] ^= 2;
  fails(`-----BEGIN RSA PRIVATE KEY-----\n${Buffer.from(der).toString("base64")}\n-----END RSA PRIVATE KEY-----\n`,
    /^private key: malformed key \(rsa\.privateKey: inconsistent private key components/);
});

test("publicKeyFromSpki refuses a point off the curve and unknown algorithms", () => {
  const spki = cert("leaf-p256.crt").spki.slice();
  spki[spki.length - 1] ^= 1;
  assert.throws(() => publicKeyFromSpki(spki), /P-256 public key is not a valid curve point/);
  // DSA (1.2.840.10040.4.1) is not a signature key we use.
  assert.throws(() => publicKeyFromSpki(hex(tlv("30", tlv("30", "06072a8648ce380401") + tlv("03", "0002")))), /unsupported public key algorithm 1\.2\.840\.10040\.4\.1/);
});

test("CERTREQ CA key hash is SHA-1 of the CA's subjectPublicKeyInfo (RFC 7296 §3.7)", () => {
  for (const [crt, key] of [["root.crt", "root.key"], ["inter.crt", "inter.key"]]) {
    assert.deepEqual(caKeyHash(cert(crt)), new Uint8Array(nc.createHash("sha1").update(nodeSpki(key)).digest()), crt);
  }
});

test("a CRL parses the same from PEM and DER and lists the revoked serial", () => {
  const crl = parseCrl(text("inter.crl"));
  assert.deepEqual(parseCrl(bytes("inter.crl.der")), crl);
  assert.equal(crl.issuerText, "CN=Intermediate CA, O=skeyseed test");
  assert.ok(dnEquals(crl.issuer, cert("inter.crt").subject));
  assert.deepEqual([...crl.revoked.keys()], [toHex(cert("revoked.crt").serial)]);
  assert.ok(crl.nextUpdate! > crl.thisUpdate);
  assert.deepEqual(crl.unknownCritical, []);
  assert.throws(() => parseCrl(text("root.crt")), /no X509 CRL PEM block/);
});

test("distinguished names: text, comparison (case and spaces), and DER from text", () => {
  const leaf = cert("leaf-rsa.crt");
  assert.equal(dnText(leaf.subject), "CN=edge, O=skeyseed test");
  for (const t of ["CN=edge, O=skeyseed test", "cn=EDGE;o=skeyseed   test", "/CN=edge/O=skeyseed test", "CN = edge , O = skeyseed test"]) {
    assert.ok(dnEquals(dnFromText(t), leaf.subject), t);
  }
  for (const t of ["O=skeyseed test, CN=edge", "CN=edge", "CN=edge2, O=skeyseed test", "CN=edge, O=skeyseed test, OU=x"]) {
    assert.ok(!dnEquals(dnFromText(t), leaf.subject), t);
  }
  // strongSwan's usual form: C as PrintableString, O and CN PrintableString when they fit.
  const atv = (oid: string, tag: string, v: string) => tlv("31", tlv("30", tlv("06", oid) + tlv(tag, toHex(new TextEncoder().encode(v)))));
  assert.equal(toHex(dnFromText("C=CH, O=strongSwan, CN=moon.strongswan.org, E=a@b")),
    tlv("30", atv("550406", "13", "CH") + atv("55040a", "13", "strongSwan") + atv("550403", "13", "moon.strongswan.org") + atv("2a864886f70d010901", "16", "a@b")));
  assert.equal(toHex(dnFromText("CN=Zürich")), tlv("30", atv("550403", "0c", "Zürich")));
  assert.equal(dnText(dnFromText("CN=a\\, b, O=x")), "CN=a\\, b, O=x");
  assert.throws(() => dnFromText("CN=edge, FOO=bar"), /unknown attribute type "FOO"/);
  assert.throws(() => dnFromText("CN=edge, nonsense"), /"nonsense" is not TYPE=value/);
  assert.throws(() => dnFromText("C=Switzerland"), /two-letter code/);
  assert.throws(() => dnFromText("CN=a+OU=b"), /multi-valued RDN/);
});

test("local credential check names a key that does not match, an expired certificate, a missing key usage", () => {
  const now = Date.UTC(2027, 0, 15);
  const p256 = parsePrivateKey(text("leaf-p256.key"));
  assert.deepEqual(checkLocalCredential([cert("leaf-p256.crt"), cert("inter.crt")], p256, now), []);
  assert.deepEqual(checkLocalCredential([cert("expired.crt")], p256, now), [
    "private key does not match certificate CN=expired, O=skeyseed test",
    "certificate CN=expired, O=skeyseed test expired on 2026-01-01",
  ]);
  assert.deepEqual(checkLocalCredential([cert("leaf-p256.crt"), cert("inter.crt")], p256, Date.UTC(2041, 0, 2)), [
    "certificate CN=edge-p256, O=skeyseed test expired on 2036-01-01",
    "intermediate certificate CN=Intermediate CA, O=skeyseed test expired on 2041-01-01",
  ]);
  const keyenc = parsePrivateKey(text("leaf-keyenc.key"));
  assert.deepEqual(checkLocalCredential([cert("leaf-keyenc.crt")], keyenc, now), ["certificate CN=keyenc, O=skeyseed test lacks the digitalSignature key usage that IKE signatures need"]);
});

test("CERTREQ Certification Authority field: 20-byte key hashes, matched against our path", () => {
  const root = cert("root.crt"), inter = cert("inter.crt"), wrong = cert("wrongca.crt");
  const field = encodeCertReqAuthorities([wrong, root]);
  assert.equal(field.length, 40);
  const hashes = parseCertReqAuthorities(field);
  assert.deepEqual(hashes, [caKeyHash(wrong), caKeyHash(root)]);
  const path = [cert("leaf-rsa.crt"), inter, root];
  assert.ok(pathMatchesCertReq(path, hashes));
  assert.ok(pathMatchesCertReq(path, parseCertReqAuthorities(encodeCertReqAuthorities([inter]))));
  assert.ok(!pathMatchesCertReq(path, [caKeyHash(wrong)]));
  assert.ok(!pathMatchesCertReq(path, [caKeyHash(path[0])]), "the leaf's own key is not a CA on the path");
  assert.ok(pathMatchesCertReq(path, []), "an empty list accepts any CA");
  assert.throws(() => parseCertReqAuthorities(new Uint8Array(21)), /length 21 is not a multiple of 20/);
});
