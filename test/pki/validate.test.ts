// Chain validation (ts/pki/validate.ts) on the fixture PKI of test/fixtures/pki/make.sh, at a fixed
// validation time of 2027-01-15 (the layer reads no clock): valid chains of every key type, then each
// way a peer's certificate is refused, each with its code and an operator-readable reason.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, test } from "../lib/harness.ts";
import { ID_TYPE, parseIdentity, type Identity } from "../../ts/config/identity.ts";
import {
  CertificateError, dnFromText, parseCertificate, parseCrl, validateChain, validateChainOrThrow,
  type CertProblem, type Certificate, type ValidationOptions,
} from "../../ts/pki/index.ts";

const dir = join(projectRoot, "test", "fixtures", "pki");
const cert = (name: string) => parseCertificate(readFileSync(join(dir, `${name}.crt`), "utf8"));
const NOW = Date.UTC(2027, 0, 15);
const root = cert("root"), inter = cert("inter");
const crl = parseCrl(readFileSync(join(dir, "inter.crl"), "utf8"));

function ok(leaf: Certificate, opts: Partial<ValidationOptions> = {}): string[] {
  const r = validateChain(leaf, { anchors: [root], intermediates: [inter], now: NOW, ...opts });
  if (!r.ok) throw new Error(`${leaf.subjectText} refused: ${r.reason.message}`);
  return r.path.map((c) => c.subjectText.replace(/, O=skeyseed test$/, ""));
}

function refused(leaf: Certificate, opts: Partial<ValidationOptions>, code: CertProblem["code"], message: RegExp): CertProblem {
  const r = validateChain(leaf, { anchors: [root], intermediates: [inter], now: NOW, ...opts });
  if (r.ok) throw new Error(`${leaf.subjectText} was accepted`);
  assert.equal(r.reason.code, code, r.reason.message);
  assert.match(r.reason.message, message);
  return r.reason;
}

test("valid chains: RSA, ECDSA P-256/P-384, Ed25519 and RSA-PSS leaves, through the intermediate or from the root", () => {
  assert.deepEqual(ok(cert("leaf-rsa")), ["CN=edge", "CN=Intermediate CA", "CN=Root CA"]);
  assert.deepEqual(ok(cert("leaf-p256")), ["CN=edge-p256", "CN=Intermediate CA", "CN=Root CA"]);
  assert.deepEqual(ok(cert("leaf-ed25519")), ["CN=edge-ed25519", "CN=Intermediate CA", "CN=Root CA"]);
  assert.deepEqual(ok(cert("leaf-p384"), { intermediates: [] }), ["CN=edge-p384", "CN=Root CA"]); // sha384WithRSAEncryption
  assert.deepEqual(ok(cert("leaf-pss"), { intermediates: [] }), ["CN=edge-pss", "CN=Root CA"]); // RSASSA-PSS
});

test("the certificates received may come in any order, with strangers among them; an intermediate may be the anchor", () => {
  const pool = [cert("wrongca"), cert("notca"), root, cert("sub"), inter];
  assert.deepEqual(ok(cert("leaf-rsa"), { intermediates: pool }), ["CN=edge", "CN=Intermediate CA", "CN=Root CA"]);
  assert.deepEqual(ok(cert("leaf-rsa"), { anchors: [inter], intermediates: [] }), ["CN=edge", "CN=Intermediate CA"]);
  // A certificate configured as a trust anchor itself (pinned) needs no path.
  assert.deepEqual(ok(cert("leaf-p256"), { anchors: [cert("leaf-p256")], intermediates: [] }), ["CN=edge-p256"]);
});

test("expired and not yet valid certificates are refused with their dates", () => {
  refused(cert("expired"), {}, "EXPIRED", /^certificate CN=expired, O=skeyseed test expired on 2026-01-01$/);
  refused(cert("notyet"), {}, "NOT_YET_VALID", /^certificate CN=notyet, O=skeyseed test is not valid before 2030-01-01$/);
  // The same leaf at other times: before everything was issued, after the leaf's end.
  refused(cert("leaf-rsa"), { now: Date.UTC(2025, 5, 1) }, "NOT_YET_VALID", /CN=edge, .* not valid before 2026-01-01/);
  refused(cert("leaf-rsa"), { now: Date.UTC(2036, 0, 1) + 1000 }, "EXPIRED", /CN=edge, .* expired on 2036-01-01/);
  assert.ok(validateChain(cert("leaf-rsa"), { anchors: [root], intermediates: [inter], now: Date.UTC(2036, 0, 1) }).ok, "notAfter itself is still valid");
});

test("wrong CA: a leaf from a CA we do not trust is refused, whether or not its CA certificate is sent", () => {
  refused(cert("leaf-wrongca"), {}, "MISSING_ISSUER", /^unknown issuer of CN=stranger, .*: CN=Wrong CA, O=skeyseed test is neither a trust anchor nor among the certificates received/);
  refused(cert("leaf-wrongca"), { intermediates: [inter, cert("wrongca")] }, "UNTRUSTED_ROOT", /^wrong CA: root CA CN=Wrong CA, O=skeyseed test is not a trust anchor$/);
});

test("missing intermediate: the leaf's issuer is not sent and not trusted", () => {
  const p = refused(cert("leaf-rsa"), { intermediates: [] }, "MISSING_ISSUER", /unknown issuer of CN=edge, O=skeyseed test: CN=Intermediate CA, O=skeyseed test .*missing intermediate/);
  assert.ok(p.code === "MISSING_ISSUER" && p.issuer === "CN=Intermediate CA, O=skeyseed test");
});

test("a certificate whose signature does not verify is refused (tampered subject)", () => {
  const der = cert("leaf-p256").der.slice();
  const at = der.findIndex((_, i) => String.fromCharCode(...der.subarray(i, i + 9)) === "edge-p256");
  der[at + 8] = "7".charCodeAt(0); // CN=edge-p257
  refused(parseCertificate(der), {}, "BAD_SIGNATURE", /^signature of CN=edge-p257, O=skeyseed test does not verify with the key of CN=Intermediate CA/);
});

test("wrong key usage: a leaf without digitalSignature, a CA that is not a CA, a path longer than pathLen", () => {
  refused(cert("leaf-keyenc"), {}, "KEY_USAGE", /^key usage of CN=keyenc, O=skeyseed test lacks digitalSignature$/);
  refused(cert("leaf-notca"), { intermediates: [inter, cert("notca")] }, "NOT_A_CA", /^issuer CN=Not A CA, O=skeyseed test is not a CA/);
  refused(cert("leaf-sub"), { intermediates: [inter, cert("sub")] }, "PATH_LENGTH_EXCEEDED", /CN=Intermediate CA, O=skeyseed test allows 0 intermediate CA\(s\) below it, the path has 1/);
  // With the sub CA itself as trust anchor, inter's pathLen is no longer on the path.
  assert.deepEqual(ok(cert("leaf-sub"), { anchors: [cert("sub")] }), ["CN=under-sub", "CN=Sub CA"]);
});

test("revoked via CRL: the CRL of the issuer lists the leaf; other leaves and issuers are unaffected", () => {
  const revoked = cert("revoked");
  ok(revoked); // without the CRL nothing says it is revoked
  const p = refused(revoked, { crls: [crl] }, "REVOKED", /^certificate CN=revoked, O=skeyseed test \(serial 1008\) was revoked by CN=Intermediate CA, O=skeyseed test on \d{4}-\d\d-\d\d/);
  assert.ok(p.code === "REVOKED" && p.serial === "1008");
  ok(cert("leaf-rsa"), { crls: [crl] });
  ok(cert("leaf-p384"), { crls: [crl], intermediates: [] }); // issued by the root: inter's CRL does not apply
  // A CRL whose signature does not verify is not believed, and says so.
  const forged = parseCrl(readFileSync(join(dir, "inter.crl"), "utf8"));
  forged.signature = forged.signature.slice();
  forged.signature[forged.signature.length - 1] ^= 1;
  refused(cert("leaf-rsa"), { crls: [forged] }, "BAD_CRL", /^CRL of CN=Intermediate CA, O=skeyseed test rejected: signature of CRL of .* does not verify/);
});

test("identity: the IKE ID must be in subjectAltName (FQDN, email, IPv4, IPv6), the subject DN, or the key ID", () => {
  const leaf = cert("leaf-rsa");
  const matches = (id: Identity) => validateChain(leaf, { anchors: [root], intermediates: [inter], now: NOW, identity: id }).ok;
  for (const t of ["edge.example", "EDGE.Example", "edge@example.org", "192.0.2.10", "2001:db8::10", "2001:0db8:0:0::0010"]) assert.ok(matches(parseIdentity(t)), t);
  assert.ok(matches({ type: ID_TYPE.ID_DER_ASN1_DN, data: leaf.subject }));
  assert.ok(matches({ type: ID_TYPE.ID_DER_ASN1_DN, data: dnFromText("CN=Edge, O=skeyseed test") }));
  assert.ok(matches({ type: ID_TYPE.ID_KEY_ID, data: leaf.subjectKeyId! }));
  for (const t of ["other.example", "example", "other@example.org", "192.0.2.11", "2001:db8::11", "keyid:#0102"]) assert.ok(!matches(parseIdentity(t)), t);
  refused(leaf, { identity: parseIdentity("gw.example") }, "IDENTITY_MISMATCH", /^identity gw\.example not in subjectAltName of CN=edge, O=skeyseed test$/);
  refused(leaf, { identity: { type: ID_TYPE.ID_DER_ASN1_DN, data: dnFromText("CN=edge-p256, O=skeyseed test") } }, "IDENTITY_MISMATCH",
    /^identity CN=edge-p256, O=skeyseed test not in subject of CN=edge, O=skeyseed test$/);
  // A wrong-CA leaf claiming a name it does carry is still refused for its CA first.
  refused(cert("leaf-wrongca"), { identity: parseIdentity("edge.example") }, "MISSING_ISSUER", /Wrong CA/);
});

test("validateChainOrThrow throws CertificateError with the problem; `now` is required", () => {
  assert.equal(validateChainOrThrow(cert("leaf-rsa"), { anchors: [root], intermediates: [inter], now: NOW }).length, 3);
  assert.throws(() => validateChainOrThrow(cert("expired"), { anchors: [root], intermediates: [inter], now: NOW }),
    (e: unknown) => e instanceof CertificateError && e.code === "EXPIRED" && e.problem.code === "EXPIRED" && /expired on 2026-01-01/.test(e.message));
  assert.throws(() => validateChain(cert("leaf-rsa"), { anchors: [root], now: undefined as unknown as number }), /now must be a number/);
});
