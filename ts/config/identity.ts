// IKE identities (RFC 7296 §3.5) from the strings users write, strongSwan style:
//   "198.18.0.1", "fd00::1"                 → ID_IPV4_ADDR / ID_IPV6_ADDR
//   "gw.example.org", "@gw.example.org",
//   "fqdn:gw.example.org"                   → ID_FQDN
//   "alice@example.org", "email:alice@..."  → ID_RFC822_ADDR
//   "keyid:#0a0b0c", "keyid:text"           → ID_KEY_ID
//   "asn1dn:#3011...", "dn:#3011..."        → ID_DER_ASN1_DN (DER given in hex)
//   "gn:#a0..."                             → ID_DER_ASN1_GN
//   "%any"                                  → matches any peer identity (remote side only)
import { formatIp, parseIpv4, parseIpv6 } from "../util/ip.ts";

/** RFC 7296 §3.5 ID Types. */
export const ID_TYPE = {
  ID_IPV4_ADDR: 1,
  ID_FQDN: 2,
  ID_RFC822_ADDR: 3,
  ID_IPV6_ADDR: 5,
  ID_DER_ASN1_DN: 9,
  ID_DER_ASN1_GN: 10,
  ID_KEY_ID: 11,
} as const;

export interface Identity { type: number; data: Uint8Array }

export class IdentitySyntaxError extends Error {
  override readonly name = "IdentitySyntaxError";
  constructor(readonly text: string, detail: string) { super(`identity "${text}": ${detail}`); }
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

function hexBytes(text: string, h: string): Uint8Array {
  const c = h.replace(/[\s:]/g, "");
  if (!/^([0-9a-fA-F]{2})+$/.test(c)) throw new IdentitySyntaxError(text, "expected hex bytes after '#'");
  const out = new Uint8Array(c.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(c.substr(2 * i, 2), 16);
  return out;
}

/** Parses an identity string; throws IdentitySyntaxError naming the problem. */
export function parseIdentity(text: string): Identity {
  const t = text.trim();
  if (t.length === 0) throw new IdentitySyntaxError(text, "is empty");
  const colon = t.indexOf(":");
  const prefix = colon > 0 ? t.slice(0, colon).toLowerCase() : "";
  const rest = colon > 0 ? t.slice(colon + 1) : "";
  switch (prefix) {
    case "fqdn": return { type: ID_TYPE.ID_FQDN, data: utf8.encode(rest) };
    case "email": case "rfc822": case "userfqdn": return { type: ID_TYPE.ID_RFC822_ADDR, data: utf8.encode(rest) };
    case "keyid": return { type: ID_TYPE.ID_KEY_ID, data: rest.startsWith("#") ? hexBytes(text, rest.slice(1)) : utf8.encode(rest) };
    case "asn1dn": case "dn":
      if (!rest.startsWith("#")) throw new IdentitySyntaxError(text, "a DN identity is given as DER in hex: asn1dn:#30...");
      return { type: ID_TYPE.ID_DER_ASN1_DN, data: hexBytes(text, rest.slice(1)) };
    case "gn": case "asn1gn":
      if (!rest.startsWith("#")) throw new IdentitySyntaxError(text, "a GeneralName identity is given as DER in hex: gn:#...");
      return { type: ID_TYPE.ID_DER_ASN1_GN, data: hexBytes(text, rest.slice(1)) };
    case "ipv4": { const a = parseIpv4(rest); if (!a) throw new IdentitySyntaxError(text, "not an IPv4 address"); return { type: ID_TYPE.ID_IPV4_ADDR, data: a }; }
    case "ipv6": { const a = parseIpv6(rest); if (!a) throw new IdentitySyntaxError(text, "not an IPv6 address"); return { type: ID_TYPE.ID_IPV6_ADDR, data: a }; }
  }
  const v4 = parseIpv4(t);
  if (v4) return { type: ID_TYPE.ID_IPV4_ADDR, data: v4 };
  if (t.includes(":")) {
    const v6 = parseIpv6(t);
    if (v6) return { type: ID_TYPE.ID_IPV6_ADDR, data: v6 };
  }
  if (t.startsWith("@")) return { type: ID_TYPE.ID_FQDN, data: utf8.encode(t.slice(1)) };
  if (t.includes("@")) return { type: ID_TYPE.ID_RFC822_ADDR, data: utf8.encode(t) };
  if (/[=,]/.test(t)) throw new IdentitySyntaxError(text, "looks like a distinguished name; give it as DER in hex (asn1dn:#30...)");
  if (/^[A-Za-z0-9.-]+$/.test(t)) return { type: ID_TYPE.ID_FQDN, data: utf8.encode(t) };
  throw new IdentitySyntaxError(text, "is not an address, FQDN, email address, keyid: or asn1dn: identity");
}

/** The strongSwan-style text of an identity, for logs and status. */
export function formatIdentity(id: Identity): string {
  switch (id.type) {
    case ID_TYPE.ID_IPV4_ADDR: case ID_TYPE.ID_IPV6_ADDR: return formatIp(id.data);
    case ID_TYPE.ID_FQDN: return utf8d.decode(id.data);
    case ID_TYPE.ID_RFC822_ADDR: return utf8d.decode(id.data);
    case ID_TYPE.ID_KEY_ID: return "keyid:#" + hex(id.data);
    case ID_TYPE.ID_DER_ASN1_DN: return "asn1dn:#" + hex(id.data);
    case ID_TYPE.ID_DER_ASN1_GN: return "gn:#" + hex(id.data);
    default: return `id-type-${id.type}:#${hex(id.data)}`;
  }
}

function hex(b: Uint8Array): string { let s = ""; for (const x of b) s += x.toString(16).padStart(2, "0"); return s; }

export function identityEquals(a: Identity, b: Identity): boolean {
  if (a.type !== b.type || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
