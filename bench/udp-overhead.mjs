#!/usr/bin/env node
// bench:udpraw — our UdpSocket adapter (runtimes/<rt>/udp.ts) against a raw loop on the runtime's own
// socket API, per runtime, side by side in one process (bench/udp-overhead.ts): datagram echo over
// 127.0.0.1 with a window of datagrams in flight, 100- and 1400-byte payloads. Writes
// bench/out/udpraw.json (rendered by bench/report-all.mjs as part of `npm run bench`).
//
//   node bench/udp-overhead.mjs [--quick] [--runtimes node,deno,bun] [--sizes 100,1400] [--window 16]
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { udprawSection } from "./report-all.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
const quick = args.includes("--quick");
const runtimes = (opt("--runtimes") ?? "node,deno,bun").split(",");
for (const rt of runtimes) if (!["node", "deno", "bun"].includes(rt)) { console.error(`unknown runtime ${rt}`); process.exit(2); }
const settings = {
  sizes: (opt("--sizes") ?? "100,1400").split(",").map(Number),
  // 16 in flight: enough to keep both sockets busy, few enough that 1400-byte datagrams fit the
  // default socket receive buffer (so nothing is dropped and no round stalls on a lost datagram).
  window: +(opt("--window") ?? 16),
  warmMs: quick ? 200 : 1000,
  roundMs: quick ? 80 : 300,
  rounds: quick ? 5 : 9,
};
const bin = (n) => join(root, "node_modules", ".bin", n);
const outDir = join(root, "bench", "out");
mkdirSync(outDir, { recursive: true });
mkdirSync(join(root, ".build"), { recursive: true });

function commandFor(rt) {
  const entry = join(root, "bench", "udp-overhead.ts");
  if (rt === "node") {
    const out = join(root, ".build", "bench-udpraw.node.mjs");
    execFileSync(bin("esbuild"), [entry, "--bundle", "--platform=node", "--format=esm", "--packages=external",
      "--target=node20", "--log-level=warning", `--outfile=${out}`], { cwd: root, stdio: "inherit" });
    return [process.execPath, [out]];
  }
  if (rt === "deno") return [bin("deno"), ["run", "-A", "--unstable-net", "--quiet", entry]];
  return [bin("bun"), [entry]];
}

const t0 = Date.now();
const rows = [];
const errors = [];
for (const rt of runtimes) {
  const [cmd, cargs] = commandFor(rt);
  console.error(`bench:udpraw: ${rt} ...`);
  try {
    await new Promise((resolve, reject) => {
      const child = spawn(cmd, [...cargs, JSON.stringify(settings)], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
      const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`${rt}: no result within 120 s`)); }, 120_000);
      let buf = "";
      child.stdout.on("data", (d) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
          if (line.startsWith("@@BENCH ")) {
            const r = JSON.parse(line.slice(8)); rows.push(r);
            console.error(`  ${rt} ${String(r.bytes).padStart(4)} B: adapter ${r.adapter.pps} (${r.adapter.min}–${r.adapter.max}) raw ${r.raw.pps} (${r.raw.min}–${r.raw.max}) datagrams/s, adapter/raw ${r.ratio} (${r.ratioMin}–${r.ratioMax}); per CPU-second adapter ${r.adapter.perCpuSecond} raw ${r.raw.perCpuSecond}, adapter/raw ${r.cpuRatio} (${r.cpuRatioMin}–${r.cpuRatioMax})${r.adapter.lost + r.raw.lost ? `, lost ${r.adapter.lost}/${r.raw.lost}` : ""}`);
          } else if (line && !line.startsWith("@@BENCH-DONE")) process.stderr.write(line + "\n");
        }
      });
      child.on("close", (code) => { clearTimeout(timer); code === 0 ? resolve() : reject(new Error(`${rt} exited ${code}`)); });
    });
  } catch (e) {
    errors.push(e instanceof Error ? e.message : String(e));
    console.error(`  ${errors.at(-1)}`);
  }
}
const meta = {
  date: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000), quick, ...settings,
  method: `one process per runtime, 127.0.0.1: an echo socket and a client socket keeping ${settings.window} datagrams in flight, both through the same API; adapter and raw rounds of ${settings.roundMs} ms alternate (${settings.rounds} each after a ${settings.warmMs} ms warm-up); datagrams/s counts every datagram received (2 per round trip), per second of wall time and per second of the process's CPU time`,
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`, loadavg: loadavg().map((x) => +x.toFixed(2)),
};
const result = { meta, rows, errors };
writeFileSync(join(outDir, "udpraw.json"), JSON.stringify(result, null, 1) + "\n");
console.log(udprawSection(result).md);
console.error(`wrote bench/out/udpraw.json (${meta.seconds} s)${errors.length ? `; failed: ${errors.join("; ")}` : ""}`);
process.exit(errors.length ? 1 : 0);
