// Public keys from SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; RFC 3279, 5480, 8410) and private keys
// from PEM/DER: PKCS#8 "PRIVATE KEY" (RFC 5208/5958), PKCS#1 "RSA PRIVATE KEY" (RFC 8017 §A.1.2),
// SEC1 "EC PRIVATE KEY" (RFC 5915). Plus the "key matches certificate" check and the CERTREQ CA
// key hash (RFC 7296 §3.7: SHA-1 of the subjectPublicKeyInfo).
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { equalBytes, wipe } from "../crypto/errors.ts";
import { RsaPrivateKey } from "../crypto/rsa.ts";
import { OID } from "../crypto/sig/algid.ts";
import { TAG, oidText, readAll, readOne, type Tlv } from "../crypto/sig/der.ts";
import { CURVE_BYTES, publicKeyOf, type EcCurve, type SigPrivateKey, type SigPublicKey } from "../crypto/sig.ts";
import { hash } from "../crypto/wasm/sha.ts";
import { PkiParseError, derBlocks } from "./pem.ts";
import type { Certificate } from "./x509.ts";

const EC = { "P-256": p256, "P-384": p384, "P-521": p521 } as const;
const CURVE_OIDS: Record<string, EcCurve> = { [OID.secp256r1]: "P-256", [OID.secp384r1]: "P-384", [OID.secp521r1]: "P-521" };

/** The signature public key in a subjectPublicKeyInfo (DER). */
export function publicKeyFromSpki(spki: Uint8Array): SigPublicKey {
  const what = "subjectPublicKeyInfo";
  const [alg, bits] = readAll(what, readOne(what, spki).value);
  if (!alg || !bits || bits.tag !== TAG.BIT_STRING || bits.value[0] !== 0) throw new PkiParseError(what, "malformed");
  const [o, params] = readAll(what, alg.value);
  const algOid = oidText(what, o.value);
  const key = bits.value.subarray(1);
  switch (algOid) {
    // id-RSASSA-PSS keys (RFC 4055 §1.2) are RSA keys; their parameter restrictions are not enforced.
    case OID.rsaEncryption: case OID.rsassaPss: {
      const [n, e, ...rest] = readAll(what, readOne(what, key).value);
      if (n?.tag !== TAG.INTEGER || e?.tag !== TAG.INTEGER || rest.length) throw new PkiParseError(what, "malformed RSAPublicKey");
      return { type: "rsa", n: unsigned(uint(what, n, "modulus")), e: unsigned(uint(what, e, "publicExponent")) };
    }
    case OID.ecPublicKey: {
      const curve = params?.tag === TAG.OID ? CURVE_OIDS[oidText(what, params.value)] : undefined;
      if (!curve) throw new PkiParseError(what, "EC key on an unsupported curve (P-256, P-384, P-521 are supported)");
      // Decoding checks the point is on the curve; keys are kept uncompressed so they compare by bytes.
      let point: Uint8Array;
      try {
        point = EC[curve].Point.fromBytes(key).toBytes(false);
      } catch {
        throw new PkiParseError(what, `${curve} public key is not a valid curve point`);
      }
      return { type: "ecdsa", curve, point };
    }
    case OID.Ed25519: case OID.Ed448: {
      const len = algOid === OID.Ed25519 ? 32 : 57;
      if (key.length !== len || params) throw new PkiParseError(what, `malformed ${algOid === OID.Ed25519 ? "Ed25519" : "Ed448"} public key`);
      return algOid === OID.Ed25519 ? { type: "ed25519", key: key.slice() } : { type: "ed448", key: key.slice() };
    }
  }
  throw new PkiParseError(what, `unsupported public key algorithm ${algOid}`);
}

/** Without the leading zero byte DER adds to keep a positive INTEGER's top bit clear. */
function unsigned(b: Uint8Array): Uint8Array {
  return b.length > 1 && b[0] === 0 ? b.subarray(1) : b;
}

/** Contents of a non-negative INTEGER (RFC 8017 keys never hold negative values). */
function uint(what: string, t: Tlv | undefined, name: string): Uint8Array {
  if (t?.tag !== TAG.INTEGER || t.value.length === 0 || (t.value[0] & 0x80)) throw new PkiParseError(what, `${name} is not a non-negative INTEGER`);
  return t.value.slice();
}

/** RSAPrivateKey (RFC 8017 §A.1.2), two-prime only. */
function rsaFromPkcs1(der: Uint8Array): SigPrivateKey {
  const what = "private key";
  const seq = readOne(what, der);
  if (seq.tag !== TAG.SEQUENCE) throw new PkiParseError(what, "RSAPrivateKey is not a SEQUENCE");
  const f = readAll(what, seq.value);
  const version = f[0]?.tag === TAG.INTEGER && f[0].value.length === 1 ? f[0].value[0] : -1;
  if (version === 1 || f.length > 9) throw new PkiParseError(what, "multi-prime RSA keys are not supported");
  if (version !== 0 || f.length !== 9) throw new PkiParseError(what, "malformed RSAPrivateKey");
  const [n, e, d, p, q, dp, dq, qinv] = ["modulus", "publicExponent", "privateExponent", "prime1", "prime2", "exponent1", "exponent2", "coefficient"]
    .map((name, i) => uint(what, f[i + 1], name));
  try {
    return { type: "rsa", key: new RsaPrivateKey({ n, e, d, p, q, dp, dq, qinv }) };
  } finally {
    wipe(d, p, q, dp, dq, qinv); // RsaPrivateKey keeps copies
  }
}

/** ECPrivateKey (RFC 5915 §3); the curve from its parameters or, inside PKCS#8, from the AlgorithmIdentifier. */
function ecFromSec1(der: Uint8Array, curveOid?: string): SigPrivateKey {
  const what = "private key";
  const seq = readOne(what, der);
  const [version, priv, ...rest] = seq.tag === TAG.SEQUENCE ? readAll(what, seq.value) : [];
  if (version?.tag !== TAG.INTEGER || version.value.length !== 1 || version.value[0] !== 1 || priv?.tag !== TAG.OCTET_STRING) {
    throw new PkiParseError(what, "malformed ECPrivateKey");
  }
  let inner: string | undefined;
  for (const t of rest) {
    if (t.tag === 0xa0) {
      const o = readOne(what, t.value);
      if (o.tag !== TAG.OID) throw new PkiParseError(what, "EC key with explicit curve parameters (only named curves are supported)");
      inner = oidText(what, o.value);
    }
  }
  if (curveOid && inner && curveOid !== inner) throw new PkiParseError(what, "EC key names two different curves");
  const curve = CURVE_OIDS[curveOid ?? inner ?? ""];
  if (!curve) throw new PkiParseError(what, "EC key on an unsupported or unnamed curve (P-256, P-384, P-521 are supported)");
  const len = CURVE_BYTES[curve];
  const d = priv.value;
  if (d.length > len) throw new PkiParseError(what, "EC private scalar too long");
  const padded = new Uint8Array(len);
  padded.set(d, len - d.length);
  if (!EC[curve].utils.isValidSecretKey(padded)) throw new PkiParseError(what, `EC private scalar out of range for ${curve}`);
  return { type: "ecdsa", curve, d: padded };
}

/** PrivateKeyInfo / OneAsymmetricKey (RFC 5208 §5, RFC 5958 §2). */
function fromPkcs8(der: Uint8Array): SigPrivateKey {
  const what = "private key";
  const seq = readOne(what, der);
  const [version, alg, priv] = seq.tag === TAG.SEQUENCE ? readAll(what, seq.value) : [];
  if (version?.tag !== TAG.INTEGER || alg?.tag !== TAG.SEQUENCE || priv?.tag !== TAG.OCTET_STRING) throw new PkiParseError(what, "malformed PKCS#8 PrivateKeyInfo");
  const [o, params] = readAll(what, alg.value);
  if (o?.tag !== TAG.OID) throw new PkiParseError(what, "malformed PKCS#8 algorithm");
  const algOid = oidText(what, o.value);
  const inner = priv.value;
  switch (algOid) {
    case OID.rsaEncryption: case OID.rsassaPss: return rsaFromPkcs1(inner);
    case OID.ecPublicKey: return ecFromSec1(inner, params?.tag === TAG.OID ? oidText(what, params.value) : undefined);
    case OID.Ed25519: case OID.Ed448: {
      // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, inside the privateKey OCTET STRING.
      const seed = readOne(what, inner);
      const len = algOid === OID.Ed25519 ? 32 : 57;
      if (seed.tag !== TAG.OCTET_STRING || seed.value.length !== len) throw new PkiParseError(what, "malformed EdDSA private key");
      return algOid === OID.Ed25519 ? { type: "ed25519", seed: seed.value.slice() } : { type: "ed448", seed: seed.value.slice() };
    }
  }
  throw new PkiParseError(what, `unsupported private key algorithm ${algOid}`);
}

/**
 * Parses a private key from PEM (PKCS#8, PKCS#1 RSA, SEC1 EC) or PKCS#8 DER. Encrypted keys are
 * refused with a message saying so. An RSA key holds Montgomery contexts: dispose() it when done.
 */
export function parsePrivateKey(input: Uint8Array | string): SigPrivateKey {
  const [b] = derBlocks("private key", input, ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]);
  try {
    switch (b.label) {
      case "ENCRYPTED PRIVATE KEY": throw new PkiParseError("private key", "encrypted PKCS#8 keys are not supported; decrypt it first (openssl pkey -in key -out plain.key)");
      case "RSA PRIVATE KEY": return rsaFromPkcs1(b.der);
      case "EC PRIVATE KEY": return ecFromSec1(b.der);
      default: return fromPkcs8(b.der);
    }
  } catch (e) {
    if (e instanceof PkiParseError) throw e;
    throw new PkiParseError("private key", `malformed key (${(e as Error).message})`);
  }
}

function publicKeyEquals(a: SigPublicKey, b: SigPublicKey): boolean {
  const strip = (x: Uint8Array) => { let i = 0; while (i < x.length - 1 && x[i] === 0) i++; return x.subarray(i); };
  if (a.type === "rsa" && b.type === "rsa") return equalBytes(strip(a.n), strip(b.n)) && equalBytes(strip(a.e), strip(b.e));
  if (a.type === "ecdsa" && b.type === "ecdsa") return a.curve === b.curve && equalBytes(a.point, b.point);
  if ((a.type === "ed25519" && b.type === "ed25519") || (a.type === "ed448" && b.type === "ed448")) return equalBytes(a.key, b.key);
  return false;
}

/** "private key does not match certificate" guard: null when they match, else the reason. */
export function checkKeyMatchesCertificate(key: SigPrivateKey, cert: Certificate): string | null {
  const certKey = publicKeyFromSpki(cert.spki);
  if (certKey.type !== key.type) return `private key (${key.type}) does not match certificate ${cert.subjectText} (${certKey.type} key)`;
  return publicKeyEquals(publicKeyOf(key), certKey) ? null : `private key does not match certificate ${cert.subjectText}`;
}

/** The CERTREQ Certification Authority value for a CA: SHA-1 of its subjectPublicKeyInfo (RFC 7296 §3.7). */
export function caKeyHash(cert: Certificate): Uint8Array {
  return hash("sha1", cert.spki);
}
