#!/usr/bin/env node
// `npm run build`: the Node library and programs in dist/.
//   dist/index.js            ts/index.ts bundled with esbuild (ESM, platform neutral; npm packages
//                            and node:* built-ins stay imports)
//   dist/types/**/*.d.ts     declarations, when the `typescript` package is installed
//   dist/node/gateway.mjs    runtimes/node/gateway.ts and tunnel.ts for `node` (Node 20 runs no TS)
//   dist/node/tunnel.mjs
// Deno and Bun need none of this: they import ts/index.ts and run runtimes/<rt>/*.ts directly.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const esbuild = join(root, "node_modules", ".bin", "esbuild");
const run = (args) => execFileSync(esbuild, [...args, "--log-level=warning"], { cwd: root, stdio: "inherit" });

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "node"), { recursive: true });

run(["ts/index.ts", "--bundle", "--format=esm", "--platform=neutral", "--target=es2022", "--packages=external",
  "--external:node:*", "--sourcemap", "--outfile=dist/index.js"]);
for (const prog of ["gateway", "tunnel"]) {
  run([`runtimes/node/${prog}.ts`, "--bundle", "--format=esm", "--platform=node", "--target=node20", "--packages=external",
    `--outfile=dist/node/${prog}.mjs`]);
}

// Declarations need the TypeScript compiler; the bundles above do not.
let ts;
try { ts = (await import("typescript")).default; } catch { ts = undefined; }
if (!ts) {
  console.warn("build: the typescript package is not installed: skipped dist/types (npm install -D typescript to emit them)");
} else {
  const program = ts.createProgram([join(root, "ts", "index.ts")], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true, declaration: true, emitDeclarationOnly: true, noCheck: true, skipLibCheck: true,
    strict: true, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], rootDir: join(root, "ts"), outDir: join(dist, "types"),
  });
  const r = program.emit();
  if (r.emitSkipped) { console.error("build: declaration emit failed"); process.exit(1); }
  // The sources import "./x.ts"; declarations are found as "./x.js" -> "./x.d.ts" by every resolver.
  (function fix(d) {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) fix(p);
      else if (f.endsWith(".d.ts")) writeFileSync(p, readFileSync(p, "utf8").replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\.ts\2/g, "$1$2$3.js$2"));
    }
  })(join(dist, "types"));
}
console.log("build: dist/index.js, dist/node/gateway.mjs, dist/node/tunnel.mjs" + (ts ? ", dist/types/" : ""));
