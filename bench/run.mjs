#!/usr/bin/env node
// Runs a benchmark on Node, Deno and Bun in one run and writes bench/out/<name>.json (+ .md, .svg).
//   node bench/run.mjs <crypto|handshake|espkernel|scale> [--quick] [--core] [--runtimes node,deno,bun] [--only TEXT]
// (--core: a smaller set of kernels / ESP suites, used by `npm run bench -- --quick`; see bench/all.mjs.)
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderCrypto } from "./report-crypto.mjs";
import { renderHandshake } from "./report-handshake.mjs";
import { renderEsp, renderScale } from "./report-all.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const name = args[0];
const opt = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
const quick = args.includes("--quick");
const runtimes = (opt("--runtimes") ?? "node,deno,bun").split(",");
const benches = {
  crypto: { entry: "bench/crypto.ts", render: renderCrypto },
  handshake: { entry: "bench/handshake.ts", render: renderHandshake },
  // ESP seal/open in one process (bench/esp.ts) -> espkernel.json; bench:esp (bench/esp-tunnel.mjs) owns esp.json.
  espkernel: { entry: "bench/esp.ts", render: renderEsp },
  scale: { entry: "bench/scale.ts", render: renderScale },
};
if (!benches[name]) {
  console.error(`usage: node bench/run.mjs <${Object.keys(benches).join("|")}> [--quick] [--runtimes node,deno,bun] [--only TEXT]`);
  process.exit(2);
}
const bin = (n) => join(root, "node_modules", ".bin", n);
const outDir = join(root, "bench", "out");
mkdirSync(outDir, { recursive: true });
mkdirSync(join(root, ".build"), { recursive: true });

// A small wrapper sets the arguments as a global so the bench file itself stays runtime-neutral.
const benchArgs = JSON.stringify({ quick, core: args.includes("--core"), only: opt("--only") ?? "" });
const wrapper = join(root, ".build", `bench-${name}.entry.ts`);
writeFileSync(wrapper, `(globalThis as any).__BENCH_ARGS__ = ${benchArgs};\nawait import(${JSON.stringify(join(root, benches[name].entry))});\n`);

function cmdFor(rt) {
  if (rt === "node") {
    const out = join(root, ".build", `bench-${name}.node.mjs`);
    execFileSync(bin("esbuild"), [wrapper, "--bundle", "--platform=node", "--format=esm", "--packages=external",
      "--target=node20", "--log-level=warning", `--outfile=${out}`], { cwd: root, stdio: "inherit" });
    return [process.execPath, ["--expose-gc", out]];
  }
  if (rt === "deno") return [bin("deno"), ["run", "-A", "--quiet", "--v8-flags=--expose-gc", wrapper]];
  if (rt === "bun") return [bin("bun"), ["run", wrapper]];
  throw new Error("unknown runtime " + rt);
}

const rows = [];
const t0 = Date.now();
for (const rt of runtimes) {
  const [cmd, cargs] = cmdFor(rt);
  console.error(`bench ${name}: ${rt} ...`);
  await new Promise((resolve, reject) => {
    const child = spawn(cmd, cargs, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
        if (line.startsWith("@@BENCH ")) {
          const r = JSON.parse(line.slice(8)); rows.push(r);
          process.stderr.write(`  ${JSON.stringify(r)}\n`);
        } else if (line && !line.startsWith("@@BENCH-DONE")) process.stderr.write(line + "\n");
      }
    });
    child.on("close", (code) => code === 0 ? resolve() : reject(new Error(`${rt} exited ${code}`)));
  });
}
const meta = { date: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000), quick };
writeFileSync(join(outDir, `${name}.json`), JSON.stringify(rows, null, 1) + "\n");
const { markdown, svg } = benches[name].render(rows, meta);
writeFileSync(join(outDir, `${name}.md`), markdown);
writeFileSync(join(outDir, `${name}.svg`), svg);
console.log(markdown);
console.error(`wrote bench/out/${name}.json, ${name}.md, ${name}.svg (${meta.seconds} s)`);
