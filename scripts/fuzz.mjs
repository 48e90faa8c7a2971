#!/usr/bin/env node
// A longer mutation-fuzzing campaign over valid IKEv2 messages of every exchange (test/wire/fuzz-lib.ts).
//   npm run fuzz -- --iterations 1000000 [--seed N]
// Prints the seed so a failure can be reproduced with --seed.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { iterations: { type: "string", default: "1000000" }, seed: { type: "string" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  console.log("usage: npm run fuzz -- [--iterations N] [--seed N]\n  --iterations N  mutated inputs to try (default 1000000)\n  --seed N        PRNG seed (default: random, printed)");
  process.exit(0);
}
const iterations = Number(values.iterations);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isInteger(iterations) || iterations <= 0) { console.error("fuzz: --iterations must be a positive integer"); process.exit(2); }
mkdirSync(join(root, ".build"), { recursive: true });
const entry = join(root, ".build", "fuzz-entry.ts");
writeFileSync(entry, `export { runFuzz } from ${JSON.stringify(join(root, "test", "wire", "fuzz-lib.ts"))};\n`);
const out = join(root, ".build", "fuzz.mjs");
execFileSync(join(root, "node_modules", ".bin", "esbuild"), [entry, "--bundle", "--platform=node", "--format=esm", "--packages=external", "--log-level=warning", `--outfile=${out}`], { stdio: "inherit" });
const { runFuzz } = await import(pathToFileURL(out).href);
console.log(`fuzz: seed ${seed}, ${iterations} iterations`);
let failures = 0;
const t0 = Date.now();
const r = runFuzz({ seed, iterations, onFailure: (f) => { failures++; console.error("FAILURE", f); } });
console.log(JSON.stringify(r));
console.log(`fuzz: ${failures} failures in ${((Date.now() - t0) / 1000).toFixed(1)} s (seed ${seed})`);
process.exit(failures ? 1 : 0);
