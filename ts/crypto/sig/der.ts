// A minimal DER reader/writer (X.690 §10) for the few fixed structures the signature layer needs
// (AlgorithmIdentifier, RSASSA-PSS-params). Strict: definite, minimal lengths only. @internal
import { CryptoError } from "../errors.ts";

export interface Tlv {
  tag: number;
  /** The contents octets. */
  value: Uint8Array;
  /** The whole element (tag, length, contents). */
  raw: Uint8Array;
}

/** Reads one element at `off`; returns it and the offset after it. */
export function readTlv(fn: string, b: Uint8Array, off: number): [Tlv, number] {
  const bad = (d: string): never => { throw new CryptoError("INVALID_ARGUMENT", fn, `malformed DER: ${d}`); };
  if (off + 2 > b.length) bad("truncated");
  const tag = b[off];
  if ((tag & 0x1f) === 0x1f) bad("multi-byte tags are not used here");
  let len = b[off + 1], p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3) bad("unsupported length form");
    if (p + n > b.length) bad("truncated length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i];
    if (b[p] === 0 || len < 0x80) bad("non-minimal length");
    p += n;
  }
  if (p + len > b.length) bad("element runs past its container");
  return [{ tag, value: b.subarray(p, p + len), raw: b.subarray(off, p + len) }, p + len];
}

/** All elements of a constructed value's contents. */
export function readAll(fn: string, contents: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  for (let off = 0; off < contents.length;) {
    const [t, next] = readTlv(fn, contents, off);
    out.push(t);
    off = next;
  }
  return out;
}

/** Exactly one element filling `b`. */
export function readOne(fn: string, b: Uint8Array): Tlv {
  const [t, next] = readTlv(fn, b, 0);
  if (next !== b.length) throw new CryptoError("INVALID_ARGUMENT", fn, "malformed DER: trailing bytes");
  return t;
}

export function encodeTlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const head = len < 0x80 ? [tag, len] : len < 0x100 ? [tag, 0x81, len] : [tag, 0x82, len >> 8, len & 0xff];
  const out = new Uint8Array(head.length + len);
  out.set(head);
  let o = head.length;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** An OBJECT IDENTIFIER's contents from dotted text. */
export function oidBytes(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const out: number[] = [];
  const push = (v: number) => {
    const tmp = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) tmp.unshift((v & 0x7f) | 0x80);
    out.push(...tmp);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return Uint8Array.from(out);
}

/** Dotted text of an OBJECT IDENTIFIER's contents. */
export function oidText(fn: string, v: Uint8Array): string {
  const arcs: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    if (acc === 0 && v[i] === 0x80) throw new CryptoError("INVALID_ARGUMENT", fn, "malformed DER: non-minimal OID arc");
    acc = acc * 128 + (v[i] & 0x7f);
    if (!(v[i] & 0x80)) { arcs.push(acc); acc = 0; }
  }
  if (v.length === 0 || (v[v.length - 1] & 0x80)) throw new CryptoError("INVALID_ARGUMENT", fn, "malformed DER: truncated OID");
  const first = arcs[0] < 80 ? Math.floor(arcs[0] / 40) : 2;
  return [first, arcs[0] - first * 40, ...arcs.slice(1)].join(".");
}

export const TAG = { INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, SEQUENCE: 0x30 } as const;
