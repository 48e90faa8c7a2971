// Proposals in the strongSwan notation users know from swanctl.conf:
//   IKE:  "aes128gcm16-prfsha256-ecp256", "aes256-sha256-modp2048", "aes128-sha256-x25519"
//   ESP:  "aes128gcm16", "aes256-sha256-modp2048" (the KE group is the PFS group), "...-esn" / "-noesn"
// Several proposals are separated by commas, in order of preference. Parsing yields transform IDs
// (RFC 7296 §3.3.2); an unknown keyword is an error naming it.
import { ENCR, INTEG, KE, PRF } from "../crypto/types.ts";

/** Transform Type 5 - Extended Sequence Numbers (RFC 7296 §3.3.2). */
export const ESN = { NO_ESN: 0, ESN: 1 } as const;

export interface EncrChoice { id: number; keyBits: number }

/** One proposal: alternatives per transform type, each list in order of preference. */
export interface ProposalSpec {
  encr: EncrChoice[];
  prf: number[];
  integ: number[];
  ke: number[];
  esn: number[];
}

export class ProposalSyntaxError extends Error {
  override readonly name = "ProposalSyntaxError";
  constructor(readonly proposal: string, readonly keyword: string, detail: string) {
    super(`proposal "${proposal}": ${detail}`);
  }
}

const ENCR_KEYWORDS: Record<string, EncrChoice> = {};
for (const bits of [128, 192, 256]) {
  ENCR_KEYWORDS[`aes${bits}`] = { id: ENCR.ENCR_AES_CBC, keyBits: bits };
  ENCR_KEYWORDS[`aes${bits}cbc`] = { id: ENCR.ENCR_AES_CBC, keyBits: bits };
  for (const [icv, id] of [[8, ENCR.ENCR_AES_GCM_8], [12, ENCR.ENCR_AES_GCM_12], [16, ENCR.ENCR_AES_GCM_16]] as const) {
    ENCR_KEYWORDS[`aes${bits}gcm${icv}`] = { id, keyBits: bits };
    ENCR_KEYWORDS[`aes${bits}gcm${icv * 8}`] = { id, keyBits: bits };
  }
}
ENCR_KEYWORDS["aes"] = { id: ENCR.ENCR_AES_CBC, keyBits: 128 };

const INTEG_KEYWORDS: Record<string, number> = {
  sha1: INTEG.AUTH_HMAC_SHA1_96,
  sha: INTEG.AUTH_HMAC_SHA1_96,
  sha256: INTEG.AUTH_HMAC_SHA2_256_128,
  sha2_256: INTEG.AUTH_HMAC_SHA2_256_128,
  sha384: INTEG.AUTH_HMAC_SHA2_384_192,
  sha2_384: INTEG.AUTH_HMAC_SHA2_384_192,
  sha512: INTEG.AUTH_HMAC_SHA2_512_256,
  sha2_512: INTEG.AUTH_HMAC_SHA2_512_256,
};

const PRF_KEYWORDS: Record<string, number> = {
  prfsha1: PRF.PRF_HMAC_SHA1,
  prfsha256: PRF.PRF_HMAC_SHA2_256,
  prfsha384: PRF.PRF_HMAC_SHA2_384,
  prfsha512: PRF.PRF_HMAC_SHA2_512,
  prfaesxcbc: PRF.PRF_AES128_XCBC,
  prfaescmac: PRF.PRF_AES128_CMAC,
};

/** strongSwan derives the IKE PRF from the integrity algorithm when none is named. */
const PRF_FOR_INTEG: Record<number, number> = {
  [INTEG.AUTH_HMAC_SHA1_96]: PRF.PRF_HMAC_SHA1,
  [INTEG.AUTH_HMAC_SHA2_256_128]: PRF.PRF_HMAC_SHA2_256,
  [INTEG.AUTH_HMAC_SHA2_384_192]: PRF.PRF_HMAC_SHA2_384,
  [INTEG.AUTH_HMAC_SHA2_512_256]: PRF.PRF_HMAC_SHA2_512,
};

const KE_KEYWORDS: Record<string, number> = {
  modp768: KE.MODP_768,
  modp1024: KE.MODP_1024,
  modp1536: KE.MODP_1536,
  modp2048: KE.MODP_2048,
  modp3072: KE.MODP_3072,
  modp4096: KE.MODP_4096,
  modp6144: KE.MODP_6144,
  modp8192: KE.MODP_8192,
  ecp256: KE.ECP_256,
  ecp384: KE.ECP_384,
  ecp521: KE.ECP_521,
  x25519: KE.CURVE25519,
  curve25519: KE.CURVE25519,
  x448: KE.CURVE448,
  curve448: KE.CURVE448,
};

export const PROPOSAL_KEYWORDS = {
  encr: Object.keys(ENCR_KEYWORDS),
  integ: Object.keys(INTEG_KEYWORDS),
  prf: Object.keys(PRF_KEYWORDS),
  ke: Object.keys(KE_KEYWORDS),
  esn: ["esn", "noesn"],
};

function isAead(id: number): boolean {
  return id === ENCR.ENCR_AES_GCM_8 || id === ENCR.ENCR_AES_GCM_12 || id === ENCR.ENCR_AES_GCM_16;
}

/** Parses one proposal ("aes128gcm16-prfsha256-ecp256") for IKE or ESP. */
export function parseProposal(text: string, kind: "ike" | "esp"): ProposalSpec {
  const spec: ProposalSpec = { encr: [], prf: [], integ: [], ke: [], esn: [] };
  const words = text.trim().toLowerCase().split("-").filter((w) => w.length > 0);
  if (words.length === 0) throw new ProposalSyntaxError(text, "", "is empty");
  for (const w of words) {
    if (w in ENCR_KEYWORDS) spec.encr.push(ENCR_KEYWORDS[w]);
    else if (w in INTEG_KEYWORDS) spec.integ.push(INTEG_KEYWORDS[w]);
    else if (w in PRF_KEYWORDS) {
      if (kind === "esp") throw new ProposalSyntaxError(text, w, `"${w}" is a PRF, which ESP proposals do not take`);
      spec.prf.push(PRF_KEYWORDS[w]);
    } else if (w in KE_KEYWORDS) spec.ke.push(KE_KEYWORDS[w]);
    else if (w === "esn" || w === "noesn") {
      if (kind === "ike") throw new ProposalSyntaxError(text, w, `"${w}" applies to ESP proposals only`);
      spec.esn.push(w === "esn" ? ESN.ESN : ESN.NO_ESN);
    } else throw new ProposalSyntaxError(text, w, `unknown algorithm keyword "${w}"`);
  }
  if (spec.encr.length === 0) throw new ProposalSyntaxError(text, "", "names no encryption algorithm (e.g. aes128gcm16 or aes256)");
  const aead = spec.encr.filter((e) => isAead(e.id)).length;
  if (aead && aead !== spec.encr.length) throw new ProposalSyntaxError(text, "", "mixes AEAD (gcm) and non-AEAD ciphers in one proposal; split them with a comma");
  if (aead && spec.integ.length) throw new ProposalSyntaxError(text, "", "an AEAD cipher (gcm) takes no integrity algorithm (RFC 5282 §8)");
  if (!aead && spec.integ.length === 0) throw new ProposalSyntaxError(text, "", "a CBC cipher needs an integrity algorithm (e.g. sha256)");
  if (kind === "ike") {
    if (spec.prf.length === 0) {
      if (aead) throw new ProposalSyntaxError(text, "", "an AEAD IKE proposal must name a PRF (e.g. prfsha256)");
      spec.prf = [...new Set(spec.integ.map((i) => PRF_FOR_INTEG[i]))];
    }
    if (spec.ke.length === 0) throw new ProposalSyntaxError(text, "", "an IKE proposal must name a key exchange group (e.g. ecp256, x25519, modp2048)");
  } else if (spec.esn.length === 0) spec.esn = [ESN.NO_ESN];
  return spec;
}

/** Parses a comma-separated list of proposals, most preferred first. */
export function parseProposals(text: string, kind: "ike" | "esp"): ProposalSpec[] {
  const parts = text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new ProposalSyntaxError(text, "", "no proposal given");
  return parts.map((p) => parseProposal(p, kind));
}

/** The strongSwan notation for a chosen set of transforms (for logs and status). */
export function formatSuite(t: { encr: EncrChoice; prf?: number; integ?: number; ke?: number; esn?: number }): string {
  const name = (table: Record<string, number>, id: number) => Object.keys(table).find((k) => table[k] === id) ?? `#${id}`;
  const e = Object.entries(ENCR_KEYWORDS).find(([k, v]) => v.id === t.encr.id && v.keyBits === t.encr.keyBits && /^aes\d+(gcm\d+)?$/.test(k) && !/gcm(64|96|128)$/.test(k));
  const parts = [e ? e[0] : `encr#${t.encr.id}/${t.encr.keyBits}`];
  if (t.integ) parts.push(name(INTEG_KEYWORDS, t.integ));
  if (t.prf) parts.push(name(PRF_KEYWORDS, t.prf));
  if (t.ke) parts.push(name(KE_KEYWORDS, t.ke));
  if (t.esn === ESN.ESN) parts.push("esn");
  return parts.join("-");
}
