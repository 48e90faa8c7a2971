// PEM (RFC 7468): base64 between "-----BEGIN label-----" and "-----END label-----" lines.
export interface PemBlock { label: string; der: Uint8Array }

export class PkiParseError extends Error {
  override readonly name = "PkiParseError";
  constructor(readonly what: string, detail: string) { super(`${what}: ${detail}`); }
}

function base64(what: string, s: string): Uint8Array {
  const c = s.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(c) || c.length % 4) throw new PkiParseError(what, "PEM body is not valid base64");
  const bin = atob(c);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Every PEM block in the text, in order (text outside the blocks is ignored, as OpenSSL does). */
export function decodePem(what: string, text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (/Proc-Type:|DEK-Info:/.test(m[2])) throw new PkiParseError(what, `encrypted ${m[1]} is not supported; decrypt it first (openssl pkey -in key -out plain.key)`);
    out.push({ label: m[1], der: base64(what, m[2]) });
  }
  return out;
}

/** DER as given, or the blocks of PEM text / PEM bytes with the wanted labels. */
export function derBlocks(what: string, input: Uint8Array | string, labels: string[]): PemBlock[] {
  if (typeof input !== "string") {
    if (input.length && input[0] === 0x30) return [{ label: "", der: input }];
    input = new TextDecoder().decode(input);
  }
  const blocks = decodePem(what, input).filter((b) => labels.includes(b.label));
  if (!blocks.length) throw new PkiParseError(what, `no ${labels.join(" or ")} PEM block found`);
  return blocks;
}
