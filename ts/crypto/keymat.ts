// IKEv2 key derivation: SKEYSEED and the seven SK_* keys (RFC 7296 §2.14), the rekeyed IKE SA (§2.18),
// Child SA KEYMAT with and without PFS (§2.17), and the octets MACed or signed for AUTH (§2.15).
// Pure functions over a CryptoProvider; no state, no IO.
import { CryptoError, wipe } from "./errors.ts";
import { PRF, type CryptoProvider, type Encr, type Integ, type Prf } from "./types.ts";

/** The algorithms of an IKE SA, resolved against a provider. */
export interface IkeSuite {
  prf: Prf;
  encr: Encr;
  /** Absent for AEAD ciphers (RFC 5282: no separate integrity transform). */
  integ?: Integ;
}

/** SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr in the order of §2.14. */
export interface IkeKeys {
  skeyseed: Uint8Array;
  sk_d: Uint8Array;
  sk_ai: Uint8Array;
  sk_ar: Uint8Array;
  sk_ei: Uint8Array;
  sk_er: Uint8Array;
  sk_pi: Uint8Array;
  sk_pr: Uint8Array;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function rejectFixedKeyPrf(fn: string, id: number, name: string): void {
  // RFC 7296 §2.14: PRFs with a fixed key size (AES-XCBC-PRF-128, AES-CMAC-PRF-128) take only the first
  // 64 bits of Ni and Nr as the SKEYSEED key. We do not implement those PRFs yet.
  if (id === PRF.PRF_AES128_XCBC || id === PRF.PRF_AES128_CMAC) {
    throw new CryptoError("UNSUPPORTED", fn, `PRF ${name} (${id}) needs the fixed-key nonce rule of RFC 7296 §2.14, which is not supported`);
  }
}

function split(fn: string, suite: IkeSuite, skeyseed: Uint8Array, seed: Uint8Array): IkeKeys {
  const prfLen = suite.prf.keyLen;
  const integLen = suite.integ ? suite.integ.keyLen : 0;
  const encLen = suite.encr.keyMaterialLen;
  const total = prfLen + 2 * integLen + 2 * encLen + 2 * prfLen;
  const km = suite.prf.prfPlus(skeyseed, seed, total);
  let o = 0;
  const take = (n: number) => { const k = km.slice(o, o + n); o += n; return k; };
  const keys: IkeKeys = {
    skeyseed,
    sk_d: take(prfLen),
    sk_ai: take(integLen),
    sk_ar: take(integLen),
    sk_ei: take(encLen),
    sk_er: take(encLen),
    sk_pi: take(prfLen),
    sk_pr: take(prfLen),
  };
  wipe(km);
  if (o !== total) throw new CryptoError("INVALID_OUTPUT", fn, "key split mismatch");
  return keys;
}

/**
 * RFC 7296 §2.14:
 *   SKEYSEED = prf(Ni | Nr, g^ir)
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)
 */
export function deriveIkeKeys(suite: IkeSuite, ni: Uint8Array, nr: Uint8Array, sharedSecret: Uint8Array, spiI: Uint8Array, spiR: Uint8Array): IkeKeys {
  const fn = "keymat.deriveIkeKeys";
  rejectFixedKeyPrf(fn, suite.prf.id, suite.prf.name);
  if (spiI.length !== 8 || spiR.length !== 8) throw new CryptoError("INVALID_ARGUMENT", fn, "IKE SPIs must be 8 bytes");
  const nonces = concat(ni, nr);
  const k = suite.prf.withKey(nonces);
  const skeyseed = k.compute(sharedSecret);
  k.dispose();
  return split(fn, suite, skeyseed, concat(nonces, spiI, spiR));
}

/**
 * RFC 7296 §2.18 (rekeying an IKE SA with CREATE_CHILD_SA):
 *   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
 * then the SK_* keys as in §2.14 with the new SPIs. `newSuite.prf` is the new SA's PRF, `oldPrf`
 * the old SA's (the old PRF keys this SKEYSEED computation).
 */
export function deriveRekeyedIkeKeys(oldPrf: Prf, oldSkD: Uint8Array, newSuite: IkeSuite, sharedSecret: Uint8Array, ni: Uint8Array, nr: Uint8Array, spiI: Uint8Array, spiR: Uint8Array): IkeKeys {
  const fn = "keymat.deriveRekeyedIkeKeys";
  rejectFixedKeyPrf(fn, newSuite.prf.id, newSuite.prf.name);
  if (spiI.length !== 8 || spiR.length !== 8) throw new CryptoError("INVALID_ARGUMENT", fn, "IKE SPIs must be 8 bytes");
  const k = oldPrf.withKey(oldSkD);
  const skeyseed = k.compute(concat(sharedSecret, ni, nr));
  k.dispose();
  return split(fn, newSuite, skeyseed, concat(ni, nr, spiI, spiR));
}

/** Keys of one Child SA (ESP), per direction. */
export interface ChildKeys {
  /** Initiator → responder: encryption key material (incl. GCM salt), integrity key (empty for AEAD). */
  encrI: Uint8Array;
  integI: Uint8Array;
  /** Responder → initiator. */
  encrR: Uint8Array;
  integR: Uint8Array;
}

/**
 * RFC 7296 §2.17:
 *   KEYMAT = prf+(SK_d, Ni | Nr)                 (no PFS)
 *   KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)    (with PFS)
 * Keys for initiator→responder are taken first, encryption before integrity (§2.17).
 * Ni and Nr are the nonces of the exchange that created the Child SA (IKE_AUTH: those of IKE_SA_INIT).
 */
export function deriveChildKeys(prf: Prf, skD: Uint8Array, encr: Encr, integ: Integ | undefined, ni: Uint8Array, nr: Uint8Array, pfsSharedSecret?: Uint8Array): ChildKeys {
  const encLen = encr.keyMaterialLen;
  const integLen = integ ? integ.keyLen : 0;
  const seed = pfsSharedSecret ? concat(pfsSharedSecret, ni, nr) : concat(ni, nr);
  const km = prf.prfPlus(skD, seed, 2 * (encLen + integLen));
  let o = 0;
  const take = (n: number) => { const k = km.slice(o, o + n); o += n; return k; };
  const keys = { encrI: take(encLen), integI: take(integLen), encrR: take(encLen), integR: take(integLen) };
  wipe(km, seed);
  return keys;
}

/** The PSK padding string of RFC 7296 §2.15, "Key Pad for IKEv2" (17 octets, no terminator). */
export const KEY_PAD = new Uint8Array([0x4b, 0x65, 0x79, 0x20, 0x50, 0x61, 0x64, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x49, 0x4b, 0x45, 0x76, 0x32]);

/**
 * RFC 7296 §2.15: the octets signed or MACed by one side.
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI
 *   MACedIDForI = prf(SK_pi, RestOfInitIDPayload)
 * (and symmetrically for the responder with RealMessage2, NonceIData, SK_pr, RestOfRespIDPayload).
 * `idPayloadBody` is RestOfIDPayload: the ID payload after its generic header (ID Type, RESERVED, data).
 */
export function signedOctets(prf: Prf, realMessage: Uint8Array, peerNonce: Uint8Array, skP: Uint8Array, idPayloadBody: Uint8Array): Uint8Array {
  const k = prf.withKey(skP);
  const macedId = k.compute(idPayloadBody);
  k.dispose();
  return concat(realMessage, peerNonce, macedId);
}

/** RFC 7296 §2.15: AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>). */
export function pskAuth(prf: Prf, psk: Uint8Array, octets: Uint8Array): Uint8Array {
  const k1 = prf.withKey(psk);
  const padKey = k1.compute(KEY_PAD);
  k1.dispose();
  const k2 = prf.withKey(padKey);
  const auth = k2.compute(octets);
  k2.dispose();
  wipe(padKey);
  return auth;
}

/** Resolves an IKE suite from transform IDs against a provider (throws CryptoError UNSUPPORTED). */
export function resolveIkeSuite(p: CryptoProvider, ids: { encr: number; encrKeyBits: number; prf: number; integ?: number }): IkeSuite {
  // Checked before asking the provider, so the error says why an IKE SA cannot use these PRFs (§2.14),
  // whatever the provider implements.
  rejectFixedKeyPrf("keymat.resolveIkeSuite", ids.prf, ids.prf === PRF.PRF_AES128_XCBC ? "PRF_AES128_XCBC" : "PRF_AES128_CMAC");
  const encr = p.encr(ids.encr, ids.encrKeyBits);
  const prf = p.prf(ids.prf);
  if (encr.aead) {
    if (ids.integ !== undefined && ids.integ !== 0) throw new CryptoError("INVALID_ARGUMENT", "keymat.resolveIkeSuite", "an AEAD cipher takes no integrity transform (RFC 5282 §8)");
    return { encr, prf };
  }
  if (ids.integ === undefined || ids.integ === 0) throw new CryptoError("INVALID_ARGUMENT", "keymat.resolveIkeSuite", `${encr.name} needs an integrity transform`);
  return { encr, prf, integ: p.integ(ids.integ) };
}
