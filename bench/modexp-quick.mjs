#!/usr/bin/env node
// node bench/modexp-quick.mjs [--full] [--runtimes node,deno,bun]: bench/modexp-quick.ts on each runtime.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const i = args.indexOf("--runtimes");
const runtimes = (i >= 0 ? args[i + 1] : "node,deno,bun").split(",");
const bin = (n) => join(root, "node_modules", ".bin", n);
mkdirSync(join(root, ".build"), { recursive: true });
const entry = join(root, ".build", "bench-modexp.entry.ts");
writeFileSync(entry, `(globalThis as any).__BENCH_ARGS__ = ${JSON.stringify({ full: args.includes("--full") })};\n` +
  `await import(${JSON.stringify(join(root, "bench", "modexp-quick.ts"))});\n`);
for (const rt of runtimes) {
  let cmd, cargs;
  if (rt === "node") {
    const out = join(root, ".build", "bench-modexp.node.mjs");
    execFileSync(bin("esbuild"), [entry, "--bundle", "--platform=node", "--format=esm", "--packages=external",
      "--target=node20", "--log-level=warning", `--outfile=${out}`], { cwd: root, stdio: "inherit" });
    [cmd, cargs] = [process.execPath, [out]];
  } else if (rt === "deno") [cmd, cargs] = [bin("deno"), ["run", "-A", "--quiet", entry]];
  else [cmd, cargs] = [bin("bun"), ["run", entry]];
  execFileSync(cmd, cargs, { cwd: root, stdio: "inherit" });
}
