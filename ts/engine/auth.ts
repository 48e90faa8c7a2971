// Authentication in IKE_AUTH (RFC 7296 §2.15), both roles: the AUTH payload we send (pre-shared key
// MIC, or a signature: RFC 7427 Digital Signature, methods 1 and 9/10/11), the CERT payloads that go
// with it (X.509 Signature, §3.6), CERTREQ with the key hashes of our trust anchors (§3.7), the
// peer's SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4), and the check of the peer's AUTH: its chain is
// validated against our trust anchors at the injected wall clock, its identity matched against the
// certificate (RFC 4945 §5.1.2), then the signature verified. A refusal comes back as words naming
// what failed, for the AUTHENTICATION_FAILED log line.
import { equalBytes } from "../crypto/errors.ts";
import { pskAuth } from "../crypto/keymat.ts";
import { chooseAuthSignature, encodeSignatureHashAlgorithms, parseSignatureHashAlgorithms, signAuth, verifyAuth } from "../crypto/sig/auth.ts";
import type { Prf } from "../crypto/types.ts";
import { formatIdentity, type Identity } from "../config/identity.ts";
import {
  caKeyHash, encodeCertReqAuthorities, parseCertReqAuthorities, parseCertificates, pathMatchesCertReq, publicKeyFromSpki, validateChain,
  type Certificate,
} from "../pki/index.ts";
import { AuthMethod, CertEncoding, NotifyType, PayloadType } from "../wire/iana.ts";
import type { AuthPayload, CertPayload, CertReqPayload, Payload } from "../wire/payload.ts";
import type { ConnectionConfig } from "./config.ts";
import { type Endpoint, addr, notifyPayload } from "./endpoint.ts";
import { type IkeSa, saName } from "./sa.ts";

const AUTH_METHOD_NAMES: Record<number, string> = {
  1: "RSA signature (1)", 2: "pre-shared key (2)", 9: "ECDSA P-256 (9)", 10: "ECDSA P-384 (10)", 11: "ECDSA P-521 (11)", 14: "Digital Signature (14, RFC 7427)",
};
const methodName = (m: number) => AUTH_METHOD_NAMES[m] ?? `method ${m}`;

/** SIGNATURE_HASH_ALGORITHMS as we announce it: SHA2-256/384/512 and Identity (EdDSA, RFC 8420). */
export function sigHashNotify(): Payload {
  return notifyPayload(NotifyType.SIGNATURE_HASH_ALGORITHMS, encodeSignatureHashAlgorithms());
}

/**
 * Records what the peer announced in IKE_SA_INIT (its hash algorithms, its CERTREQ) or in the
 * IKE_AUTH request (CERTREQ). A malformed list counts as none.
 */
export function recordPeerAnnouncements(ep: Endpoint, sa: IkeSa, ps: Payload[], phase: "init" | "auth"): void {
  if (phase === "init") {
    const n = ps.find((p) => p.type === PayloadType.N && (p as { notifyType: number }).notifyType === NotifyType.SIGNATURE_HASH_ALGORITHMS) as { data: Uint8Array } | undefined;
    sa.peerSigHashes = null;
    if (n) {
      try { sa.peerSigHashes = parseSignatureHashAlgorithms(n.data); } catch (e) {
        ep.log({ level: "warn", event: "invalid-notify", sa: saName(sa), peer: addr(sa.remote), reason: `SIGNATURE_HASH_ALGORITHMS ignored: ${(e as Error).message}` });
      }
    }
  }
  const reqs = ps.filter((p) => p.type === PayloadType.CERTREQ) as CertReqPayload[];
  if (!reqs.length) return;
  const hashes: Uint8Array[] = sa.peerCertReq ?? [];
  for (const r of reqs) {
    if (r.encoding !== CertEncoding.X509_CERT_SIGNATURE) continue;
    try { hashes.push(...parseCertReqAuthorities(r.data)); } catch (e) {
      ep.log({ level: "debug", event: "invalid-certreq", sa: saName(sa), peer: addr(sa.remote), reason: (e as Error).message });
    }
  }
  sa.peerCertReq = hashes;
}

/** A CERTREQ naming `anchors` by the SHA-1 hashes of their public keys (§3.7); none for no anchors. */
export function certReqPayloads(anchors: readonly Certificate[]): Payload[] {
  if (!anchors.length) return [];
  return [{ type: PayloadType.CERTREQ, encoding: CertEncoding.X509_CERT_SIGNATURE, data: encodeCertReqAuthorities(anchors) } as Payload];
}

/** The trust anchors of one connection we ask the peer about (empty unless it authenticates the peer by certificate). */
export function certReqAnchors(conn: ConnectionConfig): Certificate[] {
  return conn.remoteAuth.kind === "pubkey" && conn.remoteAuth.sendCertReq ? conn.remoteAuth.anchors : [];
}

/** The union of every connection's anchors, without duplicates (the responder's IKE_SA_INIT response, before the connection is known). */
export function allCertReqAnchors(conns: readonly ConnectionConfig[]): Certificate[] {
  const seen = new Set<string>(), out: Certificate[] = [];
  for (const c of conns) {
    for (const a of certReqAnchors(c)) {
      const k = [...caKeyHash(a)].join(",");
      if (!seen.has(k)) { seen.add(k); out.push(a); }
    }
  }
  return out;
}

/**
 * Our AUTH payload over `octets` (§2.15 InitiatorSignedOctets / ResponderSignedOctets), preceded by
 * our CERT payloads when we sign. Throws (CryptoError) when no signature method suits the peer.
 */
export function ourAuthPayloads(ep: Endpoint, sa: IkeSa, conn: ConnectionConfig, prf: Prf, octets: Uint8Array): { certs: Payload[]; auth: Payload } {
  const la = conn.localAuth;
  if (la.kind === "psk") return { certs: [], auth: { type: PayloadType.AUTH, method: AuthMethod.SHARED_KEY_MIC, data: pskAuth(prf, conn.psk, octets) } as Payload };
  const sel = chooseAuthSignature(la.key, sa.peerSigHashes ?? null, { classic: la.classic, rsaPadding: la.rsaPadding });
  const data = signAuth(la.key, sel, octets, (out) => ep.crypto.randomInto(out));
  const send = la.sendCert === "always" || (la.sendCert === "ifasked" && sa.peerCertReq !== undefined);
  const certs: Payload[] = [];
  if (send) {
    // Leaf, then the intermediates (self-signed roots are left out: the peer has its own anchors).
    for (const [i, c] of la.chain.entries()) {
      if (i > 0 && c.subjectText === c.issuerText && c.basicConstraints?.ca) continue;
      certs.push({ type: PayloadType.CERT, encoding: CertEncoding.X509_CERT_SIGNATURE, data: c.der } as Payload);
    }
    if (sa.peerCertReq?.length && !pathMatchesCertReq(la.chain, sa.peerCertReq)) {
      ep.log({ level: "debug", event: "certreq-unmatched", sa: saName(sa), peer: addr(sa.remote), reason: "the peer's CERTREQ names none of the CAs in our chain (it may trust their root); sending the chain anyway" });
    }
  }
  ep.log({ level: "debug", event: "auth-signature", sa: saName(sa), peer: addr(sa.remote), method: sel.method, scheme: sel.scheme.kind, certs: certs.length });
  return { certs, auth: { type: PayloadType.AUTH, method: sel.method, data } as Payload };
}

export type PeerAuthResult = { ok: true; detail?: string } | { ok: false; reason: string; code?: string };

/**
 * Checks the peer's AUTH payload: `peerId` is its ID payload, `octets` the octets it signed or MACed
 * (its SignedOctets, §2.15). Never throws for anything the peer sent.
 */
export function checkPeerAuth(ep: Endpoint, conn: ConnectionConfig, ps: Payload[], auth: AuthPayload, peerId: Identity, prf: Prf, octets: Uint8Array): PeerAuthResult {
  const ra = conn.remoteAuth;
  if (ra.kind === "psk") {
    if (auth.method !== AuthMethod.SHARED_KEY_MIC) return { ok: false, reason: `the peer authenticates with ${methodName(auth.method)}; connection ${conn.name} expects a pre-shared key (2)` };
    if (!equalBytes(pskAuth(prf, conn.psk, octets), auth.data)) return { ok: false, reason: "the peer's AUTH does not verify: the pre-shared keys differ" };
    return { ok: true };
  }
  if (auth.method === AuthMethod.SHARED_KEY_MIC) return { ok: false, reason: `the peer authenticates with a pre-shared key (2); connection ${conn.name} expects a certificate signature` };
  const certPayloads = (ps.filter((p) => p.type === PayloadType.CERT) as CertPayload[]).filter((c) => c.encoding === CertEncoding.X509_CERT_SIGNATURE);
  if (!certPayloads.length) return { ok: false, reason: `the peer sent no X.509 certificate (CERT payload, encoding 4) with its ${methodName(auth.method)} AUTH`, code: "NO_CERTIFICATE" };
  let certs: Certificate[];
  try {
    certs = certPayloads.map((c, i) => {
      // Encoding 4 carries DER (RFC 7296 §3.6), never PEM text.
      if (c.data[0] !== 0x30) throw new Error(`CERT payload ${i + 1} is not a DER certificate`);
      return parseCertificates(c.data)[0];
    });
  } catch (e) {
    return { ok: false, reason: `the peer's certificate cannot be parsed: ${(e as Error).message}`, code: "BAD_CERTIFICATE" };
  }
  const now = ep.wallClock?.();
  if (now === undefined || !Number.isFinite(now)) return { ok: false, reason: "no wall clock to check certificate dates against (EndpointOptions.wallClock)", code: "NO_CLOCK" };
  const [leaf, ...intermediates] = certs;
  const r = validateChain(leaf, { anchors: ra.anchors, intermediates, crls: ra.crls, now, identity: peerId });
  if (!r.ok) return { ok: false, reason: `certificate refused: ${r.reason.message}`, code: r.reason.code };
  let key;
  try { key = publicKeyFromSpki(leaf.spki); } catch (e) {
    return { ok: false, reason: `the key of certificate ${leaf.subjectText} cannot be used: ${(e as Error).message}`, code: "UNSUPPORTED_ALGORITHM" };
  }
  const v = verifyAuth(auth.method, auth.data, key, octets);
  if (!v.ok) return { ok: false, reason: `AUTH of ${formatIdentity(peerId)} refused: ${v.reason}`, code: "BAD_SIGNATURE" };
  return { ok: true, detail: `${methodName(auth.method)} by ${leaf.subjectText}, chain ${r.path.map((c) => c.subjectText).join(" <- ")}` };
}
