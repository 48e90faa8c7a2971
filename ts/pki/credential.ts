// Our own certificate and key as IKE_AUTH needs them: load-time checks (key matches certificate,
// validity at the injected time, key usage) and the CERTREQ Certification Authority field
// (RFC 7296 §3.7: concatenated SHA-1 hashes of CA subjectPublicKeyInfos) in both directions.
import type { SigPrivateKey } from "../crypto/sig.ts";
import { caKeyHash, checkKeyMatchesCertificate } from "./keys.ts";
import { PkiParseError } from "./pem.ts";
import { formatUtc } from "./time.ts";
import { KEY_USAGE, type Certificate } from "./x509.ts";

const SHA1_LEN = 20;

/**
 * Problems with a local credential (leaf first, then the intermediates we send), in words for a
 * config error that the caller prefixes with the field name. Empty when usable at `now`.
 */
export function checkLocalCredential(chain: readonly Certificate[], key: SigPrivateKey, now: number): string[] {
  const out: string[] = [];
  const leaf = chain[0];
  if (!leaf) return ["no certificate"];
  const mismatch = checkKeyMatchesCertificate(key, leaf);
  if (mismatch) out.push(mismatch);
  for (const [i, c] of chain.entries()) {
    const what = i === 0 ? "certificate" : "intermediate certificate";
    if (now > c.notAfter) out.push(`${what} ${c.subjectText} expired on ${formatUtc(c.notAfter)}`);
    else if (now < c.notBefore) out.push(`${what} ${c.subjectText} is not valid before ${formatUtc(c.notBefore)}`);
  }
  if (leaf.keyUsage && !leaf.keyUsage.has(KEY_USAGE.digitalSignature)) out.push(`certificate ${leaf.subjectText} lacks the digitalSignature key usage that IKE signatures need`);
  return out;
}

/** The Certification Authority field of a CERTREQ (X.509 Signature encoding) naming `cas`. */
export function encodeCertReqAuthorities(cas: readonly Certificate[]): Uint8Array {
  const out = new Uint8Array(cas.length * SHA1_LEN);
  cas.forEach((c, i) => out.set(caKeyHash(c), i * SHA1_LEN));
  return out;
}

/** The SHA-1 key hashes in a received CERTREQ's Certification Authority field; throws PkiParseError unless a multiple of 20 bytes. */
export function parseCertReqAuthorities(data: Uint8Array): Uint8Array[] {
  if (data.length % SHA1_LEN) throw new PkiParseError("CERTREQ", `Certification Authority length ${data.length} is not a multiple of ${SHA1_LEN}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += SHA1_LEN) out.push(data.slice(i, i + SHA1_LEN));
  return out;
}

/**
 * True when a CERTREQ's hashes name one of the CAs on our path (the certificates after the leaf,
 * trust anchor included), so the peer can validate what we send (RFC 7296 §3.7). An empty list
 * means "any CA".
 */
export function pathMatchesCertReq(path: readonly Certificate[], hashes: readonly Uint8Array[]): boolean {
  if (hashes.length === 0) return true;
  return path.slice(1).some((ca) => {
    const h = caKeyHash(ca);
    return hashes.some((x) => x.length === h.length && x.every((b, i) => b === h[i]));
  });
}
