// Shared setup for test/crypto/providers*.test.ts: every provider (and both wasm AES builds), a
// RandomSource that replays fixed private values, vector-file loading that fails loudly, and a
// helper to assert CryptoErrors.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hex, projectRoot } from "../lib/harness.ts";
import { CryptoError, createJsProvider, createNativeProvider, createWasmProvider, seededRandom } from "../../ts/crypto/index.ts";
import type { Aead, Cipher, CryptoErrorCode, CryptoProvider, RandomSource } from "../../ts/crypto/index.ts";

export interface Subject { label: string; p: CryptoProvider }

/** wasm (auto, and scalar when auto picked SIMD), native and js, all on one seeded random source. */
export function providers(random: RandomSource = seededRandom(7)): Subject[] {
  return [
    { label: "wasm", p: createWasmProvider({ random, variant: "auto" }) },
    { label: "wasm-scalar", p: createWasmProvider({ random, variant: "scalar" }) },
    { label: "native", p: createNativeProvider({ random }) },
    { label: "js", p: createJsProvider({ random }) },
  ];
}

/** A RandomSource that hands out the given values in order, each exactly filling one request. */
export function replay(...values: Uint8Array[]): RandomSource {
  let i = 0;
  return (out) => {
    const v = values[i++];
    if (!v) throw new Error(`replay: asked for value #${i} (${out.length} bytes) but only ${values.length} were given`);
    if (v.length !== out.length) throw new Error(`replay: value #${i} has ${v.length} bytes, the request wants ${out.length}`);
    out.set(v);
  };
}

/** Parses test/vectors/<name>; a missing file fails with a message naming it and who writes it. */
export function vectors<T>(name: string, writer: string): T {
  const p = join(projectRoot, "test", "vectors", name);
  if (!existsSync(p)) throw new Error(`VECTOR FILE MISSING: test/vectors/${name} (written by ${writer}) does not exist`);
  return JSON.parse(readFileSync(p, "utf8")) as T;
}

/** Asserts that fn throws a CryptoError with this code (and fn name, when given); returns it. */
export function throwsCrypto(f: () => unknown, code: CryptoErrorCode, fn?: string, msg?: RegExp): CryptoError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof CryptoError, `expected CryptoError ${code}, got ${err === undefined ? "no error" : String(err)}`);
  assert.equal(err.code, code, err.message);
  if (fn !== undefined) assert.equal(err.fn, fn, err.message);
  if (msg) assert.match(err.message, msg);
  return err;
}

export const PRF_OF = { sha1: 2, sha256: 5, sha384: 6, sha512: 7 } as const;
export const INTEG_OF = { sha1: 2, sha256: 12, sha384: 13, sha512: 14 } as const;
export const GCM_OF: Record<number, number> = { 8: 18, 12: 19, 16: 20 };

/** encr(ENCR_AES_CBC, bits), typed as the non-AEAD Cipher. */
export function cbcOf(p: CryptoProvider, bits: number): Cipher {
  const e = p.encr(12, bits);
  if (e.aead) throw new Error("ENCR_AES_CBC came back as an AEAD");
  return e;
}

/** encr(18/19/20, bits), typed as Aead. */
export function aeadOf(p: CryptoProvider, id: number, bits: number): Aead {
  const e = p.encr(id, bits);
  if (!e.aead) throw new Error(`encr ${id} came back as a plain cipher`);
  return e;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export { hex };
