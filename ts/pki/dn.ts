// Distinguished Names (RFC 5280 §4.1.2.4): text for logs, comparison (§7.1, simplified), and the
// DER of a DN written as text ("C=CH, O=Example, CN=gw") for ID_DER_ASN1_DN identities (RFC 7296 §3.5).
// Own DER walk (ts/crypto/sig/der.ts) so comparison does not depend on a runtime's locale.
import { TAG, encodeTlv, oidBytes, oidText, readAll, readOne, type Tlv } from "../crypto/sig/der.ts";
import { PkiParseError } from "./pem.ts";

/** Attribute types by short name (RFC 4514 §3, plus E and serialNumber as OpenSSL and strongSwan print them). */
const ATTRIBUTES: Record<string, string> = {
  CN: "2.5.4.3", SN: "2.5.4.4", serialNumber: "2.5.4.5", C: "2.5.4.6", L: "2.5.4.7", ST: "2.5.4.8", STREET: "2.5.4.9",
  O: "2.5.4.10", OU: "2.5.4.11", T: "2.5.4.12", GN: "2.5.4.42", E: "1.2.840.113549.1.9.1", DC: "0.9.2342.19200300.100.1.25",
  UID: "0.9.2342.19200300.100.1.1",
};
const NAMES: Record<string, string> = Object.fromEntries(Object.entries(ATTRIBUTES).map(([k, v]) => [v, k]));
const ALIASES: Record<string, string> = { emailaddress: "E", email: "E", s: "ST", surname: "SN", givenname: "GN", title: "T" };

const STRING = { UTF8: 0x0c, PRINTABLE: 0x13, TELETEX: 0x14, IA5: 0x16, VISIBLE: 0x1a, UNIVERSAL: 0x1c, BMP: 0x1e } as const;

/** The text of a string value, or null for a value that is not a string type. */
function stringValue(t: Tlv): string | null {
  switch (t.tag) {
    case STRING.UTF8: case STRING.PRINTABLE: case STRING.IA5: case STRING.VISIBLE: return new TextDecoder().decode(t.value);
    case STRING.TELETEX: return String.fromCharCode(...t.value); // T.61 in practice carries Latin-1
    case STRING.BMP: {
      let s = "";
      for (let i = 0; i + 1 < t.value.length; i += 2) s += String.fromCharCode((t.value[i] << 8) | t.value[i + 1]);
      return s;
    }
    case STRING.UNIVERSAL: {
      let s = "";
      for (let i = 0; i + 3 < t.value.length; i += 4) s += String.fromCodePoint(((t.value[i] << 24) | (t.value[i + 1] << 16) | (t.value[i + 2] << 8) | t.value[i + 3]) >>> 0);
      return s;
    }
  }
  return null;
}

interface Atv { type: string; value: Tlv }

/** RDNSequence as a list of RDNs, each a list of AttributeTypeAndValue. Throws on malformed DER. */
function rdns(der: Uint8Array): Atv[][] {
  const what = "distinguished name";
  const seq = readOne(what, der);
  if (seq.tag !== TAG.SEQUENCE) throw new PkiParseError(what, "Name is not a SEQUENCE");
  return readAll(what, seq.value).map((set) => {
    if (set.tag !== 0x31) throw new PkiParseError(what, "RelativeDistinguishedName is not a SET");
    return readAll(what, set.value).map((atv) => {
      const [type, value, ...rest] = atv.tag === TAG.SEQUENCE ? readAll(what, atv.value) : [];
      if (type?.tag !== TAG.OID || !value || rest.length) throw new PkiParseError(what, "malformed AttributeTypeAndValue");
      return { type: oidText(what, type.value), value };
    });
  });
}

function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += (x < 16 ? "0" : "") + x.toString(16);
  return s;
}

/** "CN=edge, O=skeyseed test" in encoding order (RFC 4514 escapes; non-string values as #hex). */
export function dnText(der: Uint8Array): string {
  try {
    const parts = rdns(der).map((rdn) => rdn.map(({ type, value }) => {
      const s = stringValue(value);
      const v = s === null ? "#" + hex(value.raw) : s.replace(/([,+"\\<>;])/g, "\\$1").replace(/^([ #])/, "\\$1").replace(/ $/, "\\ ");
      return `${NAMES[type] ?? type}=${v}`;
    }).join(" + "));
    return parts.join(", ") || "(empty DN)";
  } catch {
    return "#" + hex(der);
  }
}

/** RFC 5280 §7.1 in short: insignificant spaces dropped, case folded. */
function prep(s: string): string {
  return s.trim().replace(/ +/g, " ").toLowerCase();
}

function atvEquals(a: Atv, b: Atv): boolean {
  if (a.type !== b.type) return false;
  const sa = stringValue(a.value), sb = stringValue(b.value);
  if (sa !== null && sb !== null) return prep(sa) === prep(sb);
  return a.value.raw.length === b.value.raw.length && a.value.raw.every((x, i) => x === b.value.raw[i]);
}

/** True when two DER Names are equal: byte-equal, or RDN by RDN with string values compared as RFC 5280 §7.1 asks (simplified). */
export function dnEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length === b.length && a.every((x, i) => x === b[i])) return true;
  let ra: Atv[][], rb: Atv[][];
  try {
    ra = rdns(a);
    rb = rdns(b);
  } catch {
    return false;
  }
  if (ra.length !== rb.length) return false;
  return ra.every((rdn, i) => rdn.length === rb[i].length && rdn.every((atv) => rb[i].some((other) => atvEquals(atv, other))));
}

/** True when a Name has no RDNs (an empty subject, RFC 5280 §4.1.2.6). */
export function dnIsEmpty(der: Uint8Array): boolean {
  try {
    return rdns(der).length === 0;
  } catch {
    return false;
  }
}

/** Splits "a=b, c=d" at unescaped separators. */
function splitUnescaped(text: string, seps: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && i + 1 < text.length) { cur += c + text[++i]; continue; }
    if (seps.includes(c)) { out.push(cur); cur = ""; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(v: string): string {
  return v.replace(/\\([0-9a-fA-F]{2}|.)/g, (_, x: string) => (x.length === 2 ? String.fromCharCode(parseInt(x, 16)) : x));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * The DER Name for a DN in text, strongSwan/RFC 4514 style ("C=CH, O=Example, CN=gw.example") or
 * OpenSSL style ("/C=CH/O=Example/CN=gw"), in the order written. Values are PrintableString when
 * they fit, else UTF8String; E and DC are IA5String. Throws PkiParseError naming the bad part.
 */
export function dnFromText(text: string): Uint8Array {
  const what = `distinguished name "${text}"`;
  const t = text.trim();
  const parts = t.startsWith("/") ? splitUnescaped(t.slice(1), "/") : splitUnescaped(t, ",;");
  const sets: Uint8Array[] = [];
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) throw new PkiParseError(what, "empty RDN");
    if (splitUnescaped(p, "+").length > 1) throw new PkiParseError(what, `multi-valued RDN "${p}" is not supported`);
    const eq = p.indexOf("=");
    if (eq <= 0) throw new PkiParseError(what, `"${p}" is not TYPE=value`);
    const key = p.slice(0, eq).trim();
    const name = ALIASES[key.toLowerCase()] ?? Object.keys(ATTRIBUTES).find((k) => k.toLowerCase() === key.toLowerCase());
    const oid = name ? ATTRIBUTES[name] : /^\d+(\.\d+)+$/.test(key) ? key : undefined;
    if (!oid) throw new PkiParseError(what, `unknown attribute type "${key}" (known: ${Object.keys(ATTRIBUTES).join(", ")}, or a dotted OID)`);
    const value = unescape(p.slice(eq + 1).trim());
    const tag = name === "E" || name === "DC" ? STRING.IA5 : PRINTABLE.test(value) ? STRING.PRINTABLE : STRING.UTF8;
    if (name === "C" && !/^[A-Za-z]{2}$/.test(value)) throw new PkiParseError(what, `country "${value}" is not a two-letter code`);
    const atv = encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OID, oidBytes(oid)), encodeTlv(tag, new TextEncoder().encode(value)));
    sets.push(encodeTlv(0x31, atv));
  }
  return encodeTlv(TAG.SEQUENCE, ...sets);
}
