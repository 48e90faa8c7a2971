// X.509 certificates and CRLs (RFC 5280 §4, §5), parsed with pkijs/asn1js (synchronous BER/DER
// decoding, no WebCrypto). The exact DER of the signed parts (TBS, issuer, subject, SPKI, signature
// AlgorithmIdentifier) is cut from the input bytes, so signatures are checked over what was signed.
import * as pkijs from "pkijs";
import { readAll, readOne, TAG, type Tlv } from "../crypto/sig/der.ts";
import { dnEquals, dnText } from "./dn.ts";
import { PkiParseError, derBlocks } from "./pem.ts";

export { dnEquals, dnText };

/** RFC 5280 §4.2.1.3 KeyUsage bits. */
export const KEY_USAGE = {
  digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, dataEncipherment: 3,
  keyAgreement: 4, keyCertSign: 5, cRLSign: 6, encipherOnly: 7, decipherOnly: 8,
} as const;

/** Extensions we understand; a critical extension outside this list makes a certificate unusable (RFC 5280 §4.2). */
export const KNOWN_EXTENSIONS = new Set([
  "2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.35", "2.5.29.37", "2.5.29.31", "2.5.29.32", "1.3.6.1.5.5.7.1.1",
]);

export interface SubjectAltNames {
  dns: string[];
  email: string[];
  /** iPAddress entries, 4 or 16 bytes. */
  ip: Uint8Array[];
  /** directoryName entries as DER. */
  dn: Uint8Array[];
}

export interface Certificate {
  /** The whole certificate, DER (what a CERT payload carries, RFC 7296 §3.6 encoding 4). */
  der: Uint8Array;
  tbs: Uint8Array;
  /** signatureAlgorithm outside the TBS, DER; RFC 5280 §4.1.1.2 requires it to equal tbsSignature. */
  signatureAlgorithm: Uint8Array;
  tbsSignatureAlgorithm: Uint8Array;
  signature: Uint8Array;
  version: number;
  /** Serial number contents (big-endian two's complement, as encoded). */
  serial: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  /** Distinguished names as text, "CN=edge, O=skeyseed test" (in encoding order). */
  issuerText: string;
  subjectText: string;
  notBefore: number;
  notAfter: number;
  /** subjectPublicKeyInfo, DER. */
  spki: Uint8Array;
  /** RFC 5280 §4.2.1.3; null when the extension is absent (any use allowed). */
  keyUsage: Set<number> | null;
  /** RFC 5280 §4.2.1.9; null when absent. pathLen null: no limit. */
  basicConstraints: { ca: boolean; pathLen: number | null } | null;
  subjectAltNames: SubjectAltNames;
  subjectKeyId: Uint8Array | null;
  authorityKeyId: Uint8Array | null;
  /** OIDs of critical extensions we do not understand. */
  unknownCritical: string[];
}

export interface Crl {
  der: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithm: Uint8Array;
  signature: Uint8Array;
  issuer: Uint8Array;
  issuerText: string;
  thisUpdate: number;
  nextUpdate: number | null;
  /** Revoked serial numbers (hex of the encoded contents) → revocation time in ms. */
  revoked: Map<string, number>;
  /** OIDs of critical CRL extensions we do not understand. */
  unknownCritical: string[];
}

export function hexOf(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += (x < 16 ? "0" : "") + x.toString(16);
  return s;
}

function bitStringBits(ext: Uint8Array): Set<number> {
  const t = readOne("x509", ext);
  if (t.tag !== TAG.BIT_STRING || t.value.length < 1) throw new PkiParseError("certificate", "keyUsage is not a BIT STRING");
  const bits = new Set<number>();
  for (let i = 1; i < t.value.length; i++) for (let j = 0; j < 8; j++) if (t.value[i] & (0x80 >> j)) bits.add((i - 1) * 8 + j);
  return bits;
}

function parseBasicConstraints(ext: Uint8Array): { ca: boolean; pathLen: number | null } {
  const seq = readOne("x509", ext);
  let ca = false, pathLen: number | null = null;
  for (const f of readAll("x509", seq.value)) {
    if (f.tag === 0x01) ca = f.value[0] !== 0;
    else if (f.tag === TAG.INTEGER) pathLen = f.value.reduce((a, x) => a * 256 + x, 0);
  }
  return { ca, pathLen };
}

function parseSan(ext: Uint8Array): SubjectAltNames {
  const out: SubjectAltNames = { dns: [], email: [], ip: [], dn: [] };
  const dec = new TextDecoder();
  for (const g of readAll("x509", readOne("x509", ext).value)) {
    if (g.tag === 0x81) out.email.push(dec.decode(g.value));
    else if (g.tag === 0x82) out.dns.push(dec.decode(g.value));
    else if (g.tag === 0x87) out.ip.push(g.value.slice());
    else if (g.tag === 0xa4) out.dn.push(readOne("x509", g.value).raw.slice());
  }
  return out;
}

/** The three parts of a SIGNED{...} structure (RFC 5280 §4.1): [tbs, algorithm, signature bits]. */
function signedParts(what: string, der: Uint8Array): [Tlv, Tlv, Uint8Array] {
  const outer = readOne(what, der);
  const [tbs, alg, sig, ...rest] = readAll(what, outer.value);
  if (!tbs || !alg || !sig || rest.length || sig.tag !== TAG.BIT_STRING || sig.value[0] !== 0) {
    throw new PkiParseError(what, "not a signed X.509 structure");
  }
  return [tbs, alg, sig.value.slice(1)];
}

function parseOneCertificate(der: Uint8Array): Certificate {
  const what = "certificate";
  const [tbs, alg, signature] = signedParts(what, der);
  let f = readAll(what, tbs.value);
  if (f[0]?.tag === 0xa0) f = f.slice(1);
  const [serial, tbsAlg, issuer, , subject, spki] = f;
  if (serial?.tag !== TAG.INTEGER || tbsAlg?.tag !== TAG.SEQUENCE || issuer?.tag !== TAG.SEQUENCE || subject?.tag !== TAG.SEQUENCE || spki?.tag !== TAG.SEQUENCE) {
    throw new PkiParseError(what, "malformed TBSCertificate");
  }
  let c: pkijs.Certificate;
  try {
    c = pkijs.Certificate.fromBER(der as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new PkiParseError(what, `not a valid X.509 certificate (${(e as Error).message})`);
  }
  const cert: Certificate = {
    der: der.slice(), tbs: tbs.raw.slice(), signatureAlgorithm: alg.raw.slice(), tbsSignatureAlgorithm: tbsAlg.raw.slice(),
    signature, version: c.version + 1, serial: serial.value.slice(), issuer: issuer.raw.slice(), subject: subject.raw.slice(),
    issuerText: dnText(issuer.raw), subjectText: dnText(subject.raw),
    notBefore: c.notBefore.value.getTime(), notAfter: c.notAfter.value.getTime(), spki: spki.raw.slice(),
    keyUsage: null, basicConstraints: null, subjectAltNames: { dns: [], email: [], ip: [], dn: [] },
    subjectKeyId: null, authorityKeyId: null, unknownCritical: [],
  };
  const seen = new Set<string>();
  for (const e of c.extensions ?? []) {
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(e.extnID)) throw new PkiParseError(what, `${cert.subjectText}: extension ${e.extnID} appears twice`);
    seen.add(e.extnID);
    const v = e.extnValue.valueBlock.valueHexView;
    try {
      switch (e.extnID) {
        case "2.5.29.15": cert.keyUsage = bitStringBits(v); break;
        case "2.5.29.19": cert.basicConstraints = parseBasicConstraints(v); break;
        case "2.5.29.17": cert.subjectAltNames = parseSan(v); break;
        case "2.5.29.14": cert.subjectKeyId = readOne(what, v).value.slice(); break;
        case "2.5.29.35": {
          const k = readAll(what, readOne(what, v).value).find((x) => x.tag === 0x80);
          cert.authorityKeyId = k ? k.value.slice() : null;
          break;
        }
      }
    } catch (err) {
      throw new PkiParseError(what, `${cert.subjectText}: malformed extension ${e.extnID} (${(err as Error).message})`);
    }
    if (e.critical && !KNOWN_EXTENSIONS.has(e.extnID)) cert.unknownCritical.push(e.extnID);
  }
  return cert;
}

/** Runs a parser, turning DER reader errors into PkiParseError. */
function parsing<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PkiParseError) throw e;
    throw new PkiParseError(what, `not a valid ${what} (${(e as Error).message})`);
  }
}

/** Parses certificates from DER bytes or PEM (text or bytes; every CERTIFICATE block, in order). Throws PkiParseError. */
export function parseCertificates(input: Uint8Array | string): Certificate[] {
  return derBlocks("certificate", input, ["CERTIFICATE", "X509 CERTIFICATE"]).map((b) => parsing("certificate", () => parseOneCertificate(b.der)));
}

/** Parses exactly one certificate (the first, for PEM). */
export function parseCertificate(input: Uint8Array | string): Certificate {
  return parseCertificates(input)[0];
}

/** CRL extensions we understand (RFC 5280 §5.2): a critical one outside this list (delta CRL, issuing distribution point) makes the CRL unusable here. */
const KNOWN_CRL_EXTENSIONS = new Set(["2.5.29.20", "2.5.29.35"]);

/** Parses a CRL (RFC 5280 §5) from DER or PEM (the first X509 CRL block). Throws PkiParseError. */
export function parseCrl(input: Uint8Array | string): Crl {
  const der = derBlocks("CRL", input, ["X509 CRL"])[0].der;
  return parsing("CRL", () => parseOneCrl(der));
}

function parseOneCrl(der: Uint8Array): Crl {
  const what = "CRL";
  const [tbs, alg, signature] = signedParts(what, der);
  let fields = readAll(what, tbs.value);
  if (fields[0]?.tag === TAG.INTEGER) fields = fields.slice(1);
  const issuer = fields[1];
  if (issuer?.tag !== TAG.SEQUENCE) throw new PkiParseError(what, "TBSCertList has no issuer Name");
  let c: pkijs.CertificateRevocationList;
  try {
    c = pkijs.CertificateRevocationList.fromBER(der as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new PkiParseError(what, `not a valid CRL (${(e as Error).message})`);
  }
  const revoked = new Map<string, number>();
  for (const r of c.revokedCertificates ?? []) revoked.set(hexOf(r.userCertificate.valueBlock.valueHexView), r.revocationDate.value.getTime());
  return {
    der: der.slice(), tbs: tbs.raw.slice(), signatureAlgorithm: alg.raw.slice(), signature, issuer: issuer.raw.slice(),
    issuerText: dnText(issuer.raw), thisUpdate: c.thisUpdate.value.getTime(), nextUpdate: c.nextUpdate ? c.nextUpdate.value.getTime() : null, revoked,
    unknownCritical: (c.crlExtensions?.extensions ?? []).filter((e) => e.critical && !KNOWN_CRL_EXTENSIONS.has(e.extnID)).map((e) => e.extnID),
  };
}
