// Key log lines in the formats Wireshark reads (its UAT files), so a capture of our traffic can be
// decrypted: `ikev2_decryption_table` for IKE SAs and `esp_sa` for Child SAs. The algorithm names are
// Wireshark's own strings.
import { ENCR, INTEG } from "../crypto/types.ts";
import type { IkeKeys } from "../crypto/keymat.ts";
import type { ChosenSuite } from "./proposals.ts";
import type { ChildSa, IkeSa } from "./sa.ts";

const hex = (b: Uint8Array) => { let s = ""; for (const x of b) s += x.toString(16).padStart(2, "0"); return s; };

function ikeEncrName(s: ChosenSuite): string {
  const bits = s.encr.keyBits;
  switch (s.encr.id) {
    case ENCR.ENCR_AES_CBC: return `AES-CBC-${bits} [RFC3602]`;
    case ENCR.ENCR_AES_GCM_8: return `AES-GCM-${bits} with 8 octet ICV [RFC5282]`;
    case ENCR.ENCR_AES_GCM_12: return `AES-GCM-${bits} with 12 octet ICV [RFC5282]`;
    case ENCR.ENCR_AES_GCM_16: return `AES-GCM-${bits} with 16 octet ICV [RFC5282]`;
    default: return `encr ${s.encr.id}`;
  }
}

function ikeIntegName(id: number | undefined): string {
  switch (id) {
    case undefined: case 0: return "NONE [RFC4306]";
    case INTEG.AUTH_HMAC_SHA1_96: return "HMAC_SHA1_96 [RFC2404]";
    case INTEG.AUTH_HMAC_SHA2_256_128: return "HMAC_SHA2_256_128 [RFC4868]";
    case INTEG.AUTH_HMAC_SHA2_384_192: return "HMAC_SHA2_384_192 [RFC4868]";
    case INTEG.AUTH_HMAC_SHA2_512_256: return "HMAC_SHA2_512_256 [RFC4868]";
    default: return `integ ${id}`;
  }
}

/** One ikev2_decryption_table line: SPIi,SPIr,SK_ei,SK_er,"encr",SK_ai,SK_ar,"integ". */
export function keylogIke(spiI: Uint8Array, spiR: Uint8Array, s: ChosenSuite, k: IkeKeys): string {
  return `${hex(spiI)},${hex(spiR)},${hex(k.sk_ei)},${hex(k.sk_er)},"${ikeEncrName(s)}",${hex(k.sk_ai)},${hex(k.sk_ar)},"${ikeIntegName(s.integ)}"`;
}

function espEncrName(s: ChosenSuite): string {
  switch (s.encr.id) {
    case ENCR.ENCR_AES_CBC: return "AES-CBC [RFC3602]";
    case ENCR.ENCR_AES_GCM_8: return "AES-GCM with 8 octet ICV [RFC4106]";
    case ENCR.ENCR_AES_GCM_12: return "AES-GCM with 12 octet ICV [RFC4106]";
    case ENCR.ENCR_AES_GCM_16: return "AES-GCM with 16 octet ICV [RFC4106]";
    default: return `encr ${s.encr.id}`;
  }
}

function espIntegName(id: number | undefined): string {
  switch (id) {
    case undefined: case 0: return "NULL";
    case INTEG.AUTH_HMAC_SHA1_96: return "HMAC-SHA-1-96 [RFC2404]";
    case INTEG.AUTH_HMAC_SHA2_256_128: return "HMAC-SHA-256-128 [RFC4868]";
    case INTEG.AUTH_HMAC_SHA2_384_192: return "HMAC-SHA-384-192 [RFC4868]";
    case INTEG.AUTH_HMAC_SHA2_512_256: return "HMAC-SHA-512-256 [RFC4868]";
    default: return `integ ${id}`;
  }
}

/** Two esp_sa lines (inbound, outbound): "IPv4","src","dst","0xSPI","encr","0xkey","auth","0xkey". */
export function keylogChild(sa: IkeSa, c: ChildSa, inbound: { e: Uint8Array; i: Uint8Array }, outbound: { e: Uint8Array; i: Uint8Array }): string[] {
  const fam = sa.remote.ip.includes(":") ? "IPv6" : "IPv4";
  const spi = (n: number) => "0x" + n.toString(16).padStart(8, "0");
  const line = (src: string, dst: string, s: number, k: { e: Uint8Array; i: Uint8Array }) =>
    `"${fam}","${src}","${dst}","${spi(s)}","${espEncrName(c.chosen)}","0x${hex(k.e)}","${espIntegName(c.chosen.integ)}","0x${hex(k.i)}"`;
  return [line(sa.remote.ip, sa.local.ip, c.spiIn, inbound), line(sa.local.ip, sa.remote.ip, c.spiOut, outbound)];
}
