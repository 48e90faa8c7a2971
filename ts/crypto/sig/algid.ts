// Signature AlgorithmIdentifiers (RFC 5280 §4.1.1.2) as carried in RFC 7427 §3 Digital Signature
// AUTH payloads and in certificates: encoders for our schemes and a strict parser of received ones.
// OIDs: RFC 4055 (RSA, RSASSA-PSS), RFC 5758 (ECDSA), RFC 8410 (Ed25519/Ed448); RFC 7427 Appendix A.
import { CryptoError } from "../errors.ts";
import type { HashAlg } from "../types.ts";
import { TAG, encodeTlv, oidBytes, oidText, readAll, readOne, type Tlv } from "./der.ts";
import type { SignatureScheme } from "../sig.ts";

const FN = "sig.parseAlgorithmIdentifier";

export const OID = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha1WithRSAEncryption: "1.2.840.113549.1.1.5",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  sha384WithRSAEncryption: "1.2.840.113549.1.1.12",
  sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
  rsassaPss: "1.2.840.113549.1.1.10",
  mgf1: "1.2.840.113549.1.1.8",
  ecPublicKey: "1.2.840.10045.2.1",
  ecdsaWithSHA1: "1.2.840.10045.4.1",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
  Ed25519: "1.3.101.112",
  Ed448: "1.3.101.113",
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  secp256r1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  secp521r1: "1.3.132.0.35",
} as const;

const RSA_PKCS1: Record<HashAlg, string> = {
  sha1: OID.sha1WithRSAEncryption, sha256: OID.sha256WithRSAEncryption,
  sha384: OID.sha384WithRSAEncryption, sha512: OID.sha512WithRSAEncryption,
};
const ECDSA: Record<HashAlg, string> = {
  sha1: OID.ecdsaWithSHA1, sha256: OID.ecdsaWithSHA256, sha384: OID.ecdsaWithSHA384, sha512: OID.ecdsaWithSHA512,
};
const HASH: Record<HashAlg, string> = { sha1: OID.sha1, sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 };

const NULL = Uint8Array.of(TAG.NULL, 0);
const oid = (s: string) => encodeTlv(TAG.OID, oidBytes(s));
const lookup = <T extends string>(table: Record<T, string>, o: string): T | undefined =>
  (Object.keys(table) as T[]).find((k) => table[k] === o);

/** DER of a hash AlgorithmIdentifier (parameters NULL, as RFC 7427 A.4.2 and OpenSSL write them). */
function hashAlgId(h: HashAlg): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, oid(HASH[h]), NULL);
}

/**
 * The DER AlgorithmIdentifier for a scheme (RFC 7427 §3, Appendix A): RSA PKCS#1 v1.5 with NULL
 * parameters, RSASSA-PSS with explicit RSASSA-PSS-params (hash, MGF1 with the same hash unless
 * mgfHash says otherwise, salt length; trailer field left at its default), ECDSA and EdDSA with none.
 */
export function algorithmIdentifier(s: SignatureScheme): Uint8Array {
  switch (s.kind) {
    case "rsa-pkcs1": return encodeTlv(TAG.SEQUENCE, oid(RSA_PKCS1[s.hash]), NULL);
    case "rsa-pss": {
      const salt = s.saltLength;
      const saltInt = salt < 0x80 ? Uint8Array.of(salt) : salt < 0x8000 ? Uint8Array.of(salt >> 8, salt & 0xff) : Uint8Array.of(0, salt >> 8, salt & 0xff);
      const params = encodeTlv(TAG.SEQUENCE,
        encodeTlv(0xa0, hashAlgId(s.hash)),
        encodeTlv(0xa1, encodeTlv(TAG.SEQUENCE, oid(OID.mgf1), hashAlgId(s.mgfHash ?? s.hash))),
        encodeTlv(0xa2, encodeTlv(TAG.INTEGER, saltInt)));
      return encodeTlv(TAG.SEQUENCE, oid(OID.rsassaPss), params);
    }
    case "ecdsa": return encodeTlv(TAG.SEQUENCE, oid(ECDSA[s.hash]));
    case "ed25519": return encodeTlv(TAG.SEQUENCE, oid(OID.Ed25519));
    case "ed448": return encodeTlv(TAG.SEQUENCE, oid(OID.Ed448));
  }
  throw new CryptoError("UNSUPPORTED", "sig.algorithmIdentifier", `scheme ${(s as { kind: string }).kind}`);
}

/** Hash AlgorithmIdentifier inside PSS parameters: parameters absent or NULL (RFC 4055 §2.1). */
function parseHashAlgId(t: Tlv): HashAlg {
  if (t.tag !== TAG.SEQUENCE) throw new CryptoError("INVALID_ARGUMENT", FN, "hash AlgorithmIdentifier is not a SEQUENCE");
  const [o, p, ...rest] = readAll(FN, t.value);
  if (!o || o.tag !== TAG.OID || rest.length) throw new CryptoError("INVALID_ARGUMENT", FN, "malformed hash AlgorithmIdentifier");
  if (p && !(p.tag === TAG.NULL && p.value.length === 0)) throw new CryptoError("INVALID_ARGUMENT", FN, "hash parameters must be absent or NULL");
  const h = lookup(HASH, oidText(FN, o.value));
  if (!h) throw new CryptoError("UNSUPPORTED", FN, `hash ${oidText(FN, o.value)}`);
  return h;
}

/** Small non-negative INTEGER contents (DER minimal). */
function smallInt(v: Uint8Array): number {
  if (v.length === 0 || v.length > 3 || (v[0] & 0x80) || (v.length > 1 && v[0] === 0 && !(v[1] & 0x80))) {
    throw new CryptoError("INVALID_ARGUMENT", FN, "bad INTEGER in RSASSA-PSS-params");
  }
  return v.reduce((a, x) => a * 256 + x, 0);
}

/** RSASSA-PSS-params (RFC 4055 §3.1); absent fields take the SHA-1 defaults. */
function parsePssParams(p: Tlv | undefined): SignatureScheme {
  let hash: HashAlg = "sha1", mgfHash: HashAlg = "sha1", saltLength = 20;
  if (p) {
    if (p.tag !== TAG.SEQUENCE) throw new CryptoError("INVALID_ARGUMENT", FN, "RSASSA-PSS parameters must be a SEQUENCE");
    let last = 0x9f;
    for (const f of readAll(FN, p.value)) {
      if (f.tag < 0xa0 || f.tag > 0xa3 || f.tag <= last) throw new CryptoError("INVALID_ARGUMENT", FN, "RSASSA-PSS parameters out of order or unknown");
      last = f.tag;
      const inner = readOne(FN, f.value);
      if (f.tag === 0xa0) hash = parseHashAlgId(inner);
      else if (f.tag === 0xa1) {
        const [mo, mp, ...rest] = inner.tag === TAG.SEQUENCE ? readAll(FN, inner.value) : [];
        if (!mo || mo.tag !== TAG.OID || !mp || rest.length || oidText(FN, mo.value) !== OID.mgf1) {
          throw new CryptoError("UNSUPPORTED", FN, "RSASSA-PSS mask generation function other than MGF1");
        }
        mgfHash = parseHashAlgId(mp);
      } else if (f.tag === 0xa2) {
        if (inner.tag !== TAG.INTEGER) throw new CryptoError("INVALID_ARGUMENT", FN, "salt length is not an INTEGER");
        saltLength = smallInt(inner.value);
      } else {
        if (inner.tag !== TAG.INTEGER || smallInt(inner.value) !== 1) throw new CryptoError("UNSUPPORTED", FN, "RSASSA-PSS trailer field other than 1");
      }
    }
  }
  if (saltLength > 1024) throw new CryptoError("INVALID_ARGUMENT", FN, `salt length ${saltLength} too large`);
  return mgfHash === hash ? { kind: "rsa-pss", hash, saltLength } : { kind: "rsa-pss", hash, saltLength, mgfHash };
}

/**
 * Maps a received signature AlgorithmIdentifier (DER) to a scheme. Throws CryptoError UNSUPPORTED
 * for algorithms we do not implement and INVALID_ARGUMENT for malformed or wrong parameters
 * (PKCS#1 v1.5 with parameters other than NULL/absent, ECDSA or EdDSA with any parameters).
 * ECDSA schemes come back with format "der" (RFC 7427 §3 and X.509 carry ECDSA-Sig-Value).
 */
export function parseAlgorithmIdentifier(der: Uint8Array): SignatureScheme {
  const seq = readOne(FN, der);
  if (seq.tag !== TAG.SEQUENCE) throw new CryptoError("INVALID_ARGUMENT", FN, "AlgorithmIdentifier is not a SEQUENCE");
  const [o, params, ...rest] = readAll(FN, seq.value);
  if (!o || o.tag !== TAG.OID || rest.length) throw new CryptoError("INVALID_ARGUMENT", FN, "malformed AlgorithmIdentifier");
  const name = oidText(FN, o.value);
  const rsa = lookup(RSA_PKCS1, name);
  if (rsa) {
    if (params && !(params.tag === TAG.NULL && params.value.length === 0)) throw new CryptoError("INVALID_ARGUMENT", FN, `${name}: parameters must be NULL`);
    return { kind: "rsa-pkcs1", hash: rsa };
  }
  if (name === OID.rsassaPss) return parsePssParams(params);
  const ec = lookup(ECDSA, name);
  if (ec || name === OID.Ed25519 || name === OID.Ed448) {
    if (params) throw new CryptoError("INVALID_ARGUMENT", FN, `${name}: parameters must be absent`);
    return ec ? { kind: "ecdsa", hash: ec, format: "der" } : { kind: name === OID.Ed25519 ? "ed25519" : "ed448" };
  }
  throw new CryptoError("UNSUPPORTED", FN, `signature algorithm ${name}`);
}
