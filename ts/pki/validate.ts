// Certificate path validation for IKEv2 peer authentication (RFC 5280 §6, the parts an IKE peer
// needs; RFC 4945 §5 for identity matching): build leaf → intermediates → trust anchor, check dates
// at an injected `now`, basicConstraints/keyUsage/pathLenConstraint, each link's signature with
// ts/crypto/sig.ts, CRLs, and the IKE identity against subjectAltName or the subject DN.
import type { Identity } from "../config/identity.ts";
import { ID_TYPE, formatIdentity } from "../config/identity.ts";
import { CryptoError } from "../crypto/errors.ts";
import { parseAlgorithmIdentifier, verify } from "../crypto/sig.ts";
import { publicKeyFromSpki } from "./keys.ts";
import { formatUtc } from "./time.ts";
import { dnEquals, dnText as dnTextOf } from "./dn.ts";
import { KEY_USAGE, hexOf, type Certificate, type Crl } from "./x509.ts";

/** Why a certificate was refused; `message` is written for the operator. */
export type CertProblem = { message: string } & (
  | { code: "EXPIRED"; subject: string; notAfter: number }
  | { code: "NOT_YET_VALID"; subject: string; notBefore: number }
  | { code: "UNTRUSTED_ROOT"; subject: string }
  | { code: "MISSING_ISSUER"; subject: string; issuer: string }
  | { code: "BAD_SIGNATURE"; subject: string; issuer: string }
  | { code: "UNSUPPORTED_ALGORITHM"; subject: string; detail: string }
  | { code: "NOT_A_CA"; subject: string }
  | { code: "KEY_USAGE"; subject: string; missing: string }
  | { code: "PATH_LENGTH_EXCEEDED"; subject: string; pathLen: number }
  | { code: "UNKNOWN_CRITICAL_EXTENSION"; subject: string; oid: string }
  | { code: "REVOKED"; subject: string; serial: string; revokedAt: number }
  | { code: "BAD_CRL"; issuer: string; detail: string }
  | { code: "IDENTITY_MISMATCH"; subject: string; identity: string }
  | { code: "CHAIN_TOO_LONG"; subject: string }
);

export type ChainResult =
  | { ok: true; /** leaf first, trust anchor last */ path: Certificate[] }
  | { ok: false; reason: CertProblem };

export interface ValidationOptions {
  /** Certificates the peer sent (CERT payloads) or configured locally, in any order. */
  intermediates?: Certificate[];
  /** Trusted CA certificates. */
  anchors: Certificate[];
  /** Validation time, ms since the epoch (injected: this layer reads no clock). */
  now: number;
  /** CRLs to consult; each is used for certificates whose issuer matches and whose signature verifies. */
  crls?: Crl[];
  /** The identity the peer claimed (IDi/IDr); checked against the leaf when given. */
  identity?: Identity;
}

const MAX_PATH = 8;
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A refused certificate as an exception, for callers that throw (the engine maps it to AUTHENTICATION_FAILED). */
export class CertificateError extends Error {
  override readonly name = "CertificateError";
  constructor(readonly problem: CertProblem) { super(problem.message); }
  get code(): CertProblem["code"] { return this.problem.code; }
}
const fail = (reason: CertProblem): ChainResult => ({ ok: false, reason });

/** null when `subject` was signed by `issuer`'s key, else the problem. */
function checkSignature(subject: { tbs: Uint8Array; signatureAlgorithm: Uint8Array; signature: Uint8Array; tbsSignatureAlgorithm?: Uint8Array }, issuer: Certificate, subjectName: string): CertProblem | null {
  // RFC 5280 §4.1.1.2: the algorithm outside the signed part must equal the one inside it.
  const inner = subject.tbsSignatureAlgorithm;
  if (inner && !sameBytes(inner, subject.signatureAlgorithm)) {
    return { code: "BAD_SIGNATURE", subject: subjectName, issuer: issuer.subjectText, message: `${subjectName}: signatureAlgorithm differs from the one in tbsCertificate` };
  }
  try {
    const scheme = parseAlgorithmIdentifier(subject.signatureAlgorithm);
    const key = publicKeyFromSpki(issuer.spki);
    if (key.type !== (scheme.kind === "rsa-pkcs1" || scheme.kind === "rsa-pss" ? "rsa" : scheme.kind)) {
      return { code: "BAD_SIGNATURE", subject: subjectName, issuer: issuer.subjectText,
        message: `signature of ${subjectName} uses ${scheme.kind} but the key of ${issuer.subjectText} is ${key.type}` };
    }
    if (verify(scheme, key, subject.tbs, subject.signature)) return null;
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    if (e instanceof CryptoError && e.code === "UNSUPPORTED") {
      return { code: "UNSUPPORTED_ALGORITHM", subject: subjectName, detail, message: `${subjectName}: unsupported signature (${detail})` };
    }
    return { code: "BAD_SIGNATURE", subject: subjectName, issuer: issuer.subjectText, message: `signature of ${subjectName} by ${issuer.subjectText} cannot be checked: ${detail}` };
  }
  return { code: "BAD_SIGNATURE", subject: subjectName, issuer: issuer.subjectText, message: `signature of ${subjectName} does not verify with the key of ${issuer.subjectText}` };
}

function checkDates(c: Certificate, now: number, role: string): CertProblem | null {
  if (now > c.notAfter) return { code: "EXPIRED", subject: c.subjectText, notAfter: c.notAfter, message: `${role}certificate ${c.subjectText} expired on ${formatUtc(c.notAfter)}` };
  if (now < c.notBefore) return { code: "NOT_YET_VALID", subject: c.subjectText, notBefore: c.notBefore, message: `${role}certificate ${c.subjectText} is not valid before ${formatUtc(c.notBefore)}` };
  return null;
}

function checkExtensions(c: Certificate): CertProblem | null {
  if (c.unknownCritical.length) {
    return { code: "UNKNOWN_CRITICAL_EXTENSION", subject: c.subjectText, oid: c.unknownCritical[0], message: `certificate ${c.subjectText} has an unsupported critical extension ${c.unknownCritical[0]}` };
  }
  return null;
}

/** Checks an issuing CA certificate (intermediate or anchor). `below`: non-self-issued intermediates under it. */
function checkIssuer(c: Certificate, below: number): CertProblem | null {
  const bc = c.basicConstraints;
  // RFC 5280 §4.2.1.9: a v3 CA certificate must assert cA; v1/v2 certificates are only accepted as anchors (caller).
  if (!bc?.ca) return { code: "NOT_A_CA", subject: c.subjectText, message: `issuer ${c.subjectText} is not a CA (basicConstraints CA:false or missing)` };
  if (c.keyUsage && !c.keyUsage.has(KEY_USAGE.keyCertSign)) {
    return { code: "KEY_USAGE", subject: c.subjectText, missing: "keyCertSign", message: `key usage of issuer ${c.subjectText} lacks keyCertSign` };
  }
  if (bc.pathLen !== null && below > bc.pathLen) {
    return { code: "PATH_LENGTH_EXCEEDED", subject: c.subjectText, pathLen: bc.pathLen,
      message: `path length exceeded: ${c.subjectText} allows ${bc.pathLen} intermediate CA(s) below it, the path has ${below}` };
  }
  return null;
}

/** Matches an IKE identity against the leaf certificate (RFC 4945 §5.1.2); null when it matches. */
export function checkIdentity(leaf: Certificate, id: Identity): CertProblem | null {
  const san = leaf.subjectAltNames;
  const dec = new TextDecoder();
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  let ok = false, where = "subjectAltName";
  switch (id.type) {
    case ID_TYPE.ID_FQDN: { const n = dec.decode(id.data).toLowerCase(); ok = san.dns.some((d) => d.toLowerCase() === n); break; }
    case ID_TYPE.ID_RFC822_ADDR: { const n = dec.decode(id.data).toLowerCase(); ok = san.email.some((d) => d.toLowerCase() === n); break; }
    case ID_TYPE.ID_IPV4_ADDR: case ID_TYPE.ID_IPV6_ADDR: ok = san.ip.some((a) => same(a, id.data)); break;
    case ID_TYPE.ID_DER_ASN1_DN: where = "subject"; ok = dnEquals(leaf.subject, id.data) || san.dn.some((d) => dnEquals(d, id.data)); break;
    // strongSwan matches a KEY_ID against the subjectKeyIdentifier.
    case ID_TYPE.ID_KEY_ID: where = "subjectKeyIdentifier"; ok = !!leaf.subjectKeyId && same(leaf.subjectKeyId, id.data); break;
    default: where = "certificate (identity type not matched against certificates)";
  }
  if (ok) return null;
  const shown = id.type === ID_TYPE.ID_DER_ASN1_DN ? (() => { try { return dnTextOf(id.data); } catch { return formatIdentity(id); } })() : formatIdentity(id);
  return { code: "IDENTITY_MISMATCH", subject: leaf.subjectText, identity: shown, message: `identity ${shown} not in ${where} of ${leaf.subjectText}` };
}

function checkRevocation(c: Certificate, issuer: Certificate, crls: Crl[]): CertProblem | null {
  for (const crl of crls) {
    if (!dnEquals(crl.issuer, c.issuer) || !dnEquals(crl.issuer, issuer.subject)) continue;
    if (crl.unknownCritical.length) {
      return { code: "BAD_CRL", issuer: crl.issuerText, detail: `critical extension ${crl.unknownCritical[0]}`,
        message: `CRL of ${crl.issuerText} rejected: unsupported critical extension ${crl.unknownCritical[0]} (delta or partitioned CRLs are not supported)` };
    }
    const bad = checkSignature(crl, issuer, `CRL of ${crl.issuerText}`);
    if (bad) return { code: "BAD_CRL", issuer: crl.issuerText, detail: bad.message, message: `CRL of ${crl.issuerText} rejected: ${bad.message}` };
    if (issuer.keyUsage && !issuer.keyUsage.has(KEY_USAGE.cRLSign)) {
      return { code: "BAD_CRL", issuer: crl.issuerText, detail: "no cRLSign", message: `CRL of ${crl.issuerText} rejected: the issuer's key usage lacks cRLSign` };
    }
    // A stale CRL (past nextUpdate) is still used: revocations in it remain true.
    const at = crl.revoked.get(hexOf(c.serial));
    if (at !== undefined) {
      return { code: "REVOKED", subject: c.subjectText, serial: hexOf(c.serial), revokedAt: at,
        message: `certificate ${c.subjectText} (serial ${hexOf(c.serial)}) was revoked by ${crl.issuerText} on ${formatUtc(at)}` };
    }
  }
  return null;
}

/** The first candidate whose key verifies `cert`'s signature, else the last signature problem seen. */
function firstSigner(cert: Certificate, candidates: Certificate[]): { issuer?: Certificate; problem?: CertProblem } {
  let problem: CertProblem | undefined;
  for (const c of candidates) {
    const p = checkSignature(cert, c, cert.subjectText);
    if (!p) return { issuer: c };
    problem = p;
  }
  return { problem };
}

/**
 * Validates `leaf` up to one of `opts.anchors`. Synchronous; reads no clock. On success the path
 * runs leaf first, anchor last. The first problem found is returned, checked in this order per link:
 * issuer found, signature, dates, extensions, CA constraints, revocation; identity last.
 */
export function validateChain(leaf: Certificate, opts: ValidationOptions): ChainResult {
  const { anchors, now } = opts;
  if (typeof now !== "number" || !Number.isFinite(now)) throw new TypeError("validateChain: now must be a number of ms");
  const pool = opts.intermediates ?? [];
  const crls = opts.crls ?? [];
  const path: Certificate[] = [leaf];
  const leafProblem = checkDates(leaf, now, "") ?? checkExtensions(leaf);
  if (leafProblem) return fail(leafProblem);
  if (leaf.keyUsage && !leaf.keyUsage.has(KEY_USAGE.digitalSignature)) {
    return fail({ code: "KEY_USAGE", subject: leaf.subjectText, missing: "digitalSignature", message: `key usage of ${leaf.subjectText} lacks digitalSignature` });
  }
  // A leaf configured as a trust anchor itself (a pinned certificate) needs no path.
  if (anchors.some((a) => sameBytes(a.der, leaf.der))) return finish(leaf, [leaf], opts);
  let cur = leaf, intermediatesBelow = 0;
  for (;;) {
    if (path.length > MAX_PATH) return fail({ code: "CHAIN_TOO_LONG", subject: leaf.subjectText, message: `no path to a trust anchor within ${MAX_PATH} certificates for ${leaf.subjectText}` });
    // A trust anchor issuing `cur` ends the path. Candidates are matched by name, then by signature.
    const fromAnchor = firstSigner(cur, anchors.filter((a) => dnEquals(a.subject, cur.issuer)));
    const anchor = fromAnchor.issuer;
    if (anchor) {
      const p = checkDates(anchor, now, "trust anchor ") ?? (anchor.version >= 3 ? checkIssuer(anchor, intermediatesBelow) : null) ?? checkRevocation(cur, anchor, crls);
      if (p) return fail(p);
      path.push(anchor);
      break;
    }
    if (dnEquals(cur.issuer, cur.subject)) {
      const what = cur === leaf ? "self-signed certificate" : "root CA";
      return fail({ code: "UNTRUSTED_ROOT", subject: cur.subjectText, message: `wrong CA: ${what} ${cur.subjectText} is not a trust anchor` });
    }
    const fromPool = firstSigner(cur, pool.filter((c) => c !== cur && !path.includes(c) && dnEquals(c.subject, cur.issuer)));
    const next = fromPool.issuer;
    if (!next) {
      const sigProblem = fromPool.problem ?? fromAnchor.problem;
      if (sigProblem) return fail(sigProblem);
      return fail({ code: "MISSING_ISSUER", subject: cur.subjectText, issuer: cur.issuerText,
        message: `unknown issuer of ${cur.subjectText}: ${cur.issuerText} is neither a trust anchor nor among the certificates received (missing intermediate, or a CA we do not trust)` });
    }
    const p = checkDates(next, now, "intermediate ") ?? checkExtensions(next) ?? checkIssuer(next, intermediatesBelow) ?? checkRevocation(cur, next, crls);
    if (p) return fail(p);
    if (!dnEquals(next.issuer, next.subject)) intermediatesBelow++;
    path.push(next);
    cur = next;
  }
  return finish(leaf, path, opts);
}

function finish(leaf: Certificate, path: Certificate[], opts: ValidationOptions): ChainResult {
  if (opts.identity) {
    const p = checkIdentity(leaf, opts.identity);
    if (p) return fail(p);
  }
  return { ok: true, path };
}

/** validateChain that throws CertificateError instead of returning the problem; returns the path. */
export function validateChainOrThrow(leaf: Certificate, opts: ValidationOptions): Certificate[] {
  const r = validateChain(leaf, opts);
  if (!r.ok) throw new CertificateError(r.reason);
  return r.path;
}
