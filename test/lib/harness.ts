// A small test harness that behaves the same on Node, Deno and Bun, so one suite runs unchanged on
// all three and scripts/test-all.mjs can sum the results. Tests use node:assert (Deno's std on JSR is
// out of reach here; node:assert works on every runtime).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type TestFn = () => void | Promise<void>;
interface Case { name: string; fn: TestFn; timeoutMs: number; file: string }

const cases: Case[] = [];
let currentFile = "";

/** Set by the generated index before each test file's import. @internal */
export function setCurrentFile(f: string): void { currentFile = f; }

/**
 * Registers a test. Names should say what behaviour is asserted. `runtimes` limits a test to some
 * runtimes (for tests that drive all three runtimes themselves, such as the interop suite).
 */
export function test(name: string, fn: TestFn, opts: { timeoutMs?: number; runtimes?: ("node" | "deno" | "bun")[] } = {}): void {
  if (opts.runtimes && !opts.runtimes.includes(runtime)) return;
  cases.push({ name, fn, timeoutMs: opts.timeoutMs ?? 120_000, file: currentFile });
}

declare const Deno: unknown;
declare const Bun: unknown;
/** The runtime this suite runs on. */
export const runtime: "node" | "deno" | "bun" =
  typeof Deno !== "undefined" ? "deno" : typeof Bun !== "undefined" ? "bun" : "node";

/** The project root (the folder holding package.json). */
export const projectRoot: string = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, "package.json")) && existsSync(join(d, "core-wasm"))) return d;
    d = dirname(d);
  }
  throw new Error("harness: cannot find the project root from " + import.meta.url);
})();

export const WYCHEPROOF_DIR = join(projectRoot, "..", "shared", "vectors", "wycheproof");

export interface WycheproofFile<G = any> { algorithm: string; numberOfTests: number; testGroups: G[] }

/**
 * Reads a Wycheproof vector file from ../shared/vectors/wycheproof/ (never copied into the project).
 * A missing folder or file fails the test with a message that says so.
 */
export function wycheproof<G = any>(file: string): WycheproofFile<G> {
  const p = join(WYCHEPROOF_DIR, file);
  if (!existsSync(WYCHEPROOF_DIR)) {
    throw new Error(`WYCHEPROOF VECTORS MISSING: ${WYCHEPROOF_DIR} does not exist; ` +
      `these tests need the shared Wycheproof folder beside the project (../shared/vectors/wycheproof)`);
  }
  if (!existsSync(p)) throw new Error(`WYCHEPROOF VECTORS MISSING: ${p} does not exist`);
  return JSON.parse(readFileSync(p, "utf8"));
}

/** Reads a file from test/vectors/. */
export function vectorFile(name: string): string {
  return readFileSync(join(projectRoot, "test", "vectors", name), "utf8");
}

export function hex(s: string): Uint8Array {
  const c = s.replace(/\s+/g, "");
  if (c.length % 2) throw new Error("hex: odd length");
  const out = new Uint8Array(c.length / 2);
  for (let i = 0; i < out.length; i++) {
    const v = parseInt(c.substr(i * 2, 2), 16);
    if (Number.isNaN(v)) throw new Error("hex: bad digit in " + c.substr(i * 2, 2));
    out[i] = v;
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, "0");
  return s;
}

/** A seeded, deterministic byte source for tests (xorshift128+; not for keys outside tests). */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  let s0 = (seed ^ 0x9e3779b9) >>> 0 || 1, s1 = (seed * 0x85ebca6b) >>> 0 || 2;
  const next = () => {
    let x = s0; const y = s1;
    s0 = y; x ^= x << 23; x ^= x >>> 17; x ^= y ^ (y >>> 26); s1 = x >>> 0;
    return (s0 + s1) >>> 0;
  };
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = next();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  };
}

/** Runs every registered test whose name or file contains `filter`; prints a result line. */
export async function runAll(filter = ""): Promise<void> {
  let passed = 0, failed = 0;
  const failures: string[] = [];
  const t0 = Date.now();
  for (const c of cases) {
    if (filter && !c.name.includes(filter) && !c.file.includes(filter)) continue;
    const start = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(c.fn),
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${c.timeoutMs} ms`)), c.timeoutMs); }),
      ]);
      passed++;
      console.log(`ok ${runtime} ${c.file} › ${c.name} (${Date.now() - start} ms)`);
    } catch (e) {
      failed++;
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      failures.push(`${c.file} › ${c.name}`);
      console.log(`not ok ${runtime} ${c.file} › ${c.name}\n  ${msg.split("\n").join("\n  ")}`);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
  if (failures.length) console.log(`failed on ${runtime}:\n  ` + failures.join("\n  "));
  console.log(`@@SKEYSEED-RESULT ${JSON.stringify({ runtime, passed, failed, ms: Date.now() - t0 })}`);
}
