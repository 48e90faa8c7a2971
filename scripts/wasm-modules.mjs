import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

// The kernels in core-wasm/, one WebAssembly module each. `simd: true` also builds a v128 variant,
// chosen at load time with WebAssembly.validate (ts/crypto/wasm/load.ts).
// Shared by scripts/build-wasm.mjs and the staleness test (test/wasm/stale.test.ts).
export const MODULES = [
  { name: "sha", simd: false },
  { name: "aes", simd: true },
  { name: "modexp", simd: true },
];

/** The hash embedded in each generated module: core-wasm sources, asconfig.json, compiler version. */
export function sourceHash(rootDir) {
  const h = createHash("sha256");
  const files = [];
  const walk = (d) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith(".ts")) files.push(p);
    }
  };
  walk(join(rootDir, "core-wasm"));
  for (const f of files) {
    h.update(f.slice(rootDir.length));
    h.update("\0");
    h.update(readFileSync(f));
    h.update("\0");
  }
  h.update(readFileSync(join(rootDir, "asconfig.json")));
  h.update(JSON.parse(readFileSync(join(rootDir, "node_modules/assemblyscript/package.json"), "utf8")).version);
  return h.digest("hex");
}

