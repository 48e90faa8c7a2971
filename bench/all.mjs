#!/usr/bin/env node
// npm run bench — every benchmark on Node, Deno and Bun in one run, one report:
//   crypto kernels (bench/crypto.ts), in-process handshakes (bench/handshake.ts), ESP encap/decap
//   in one process (bench/esp.ts, section espkernel), scale curves (bench/scale.ts) through bench/run.mjs; handshakes over UDP per
//   runtime pair, and against strongSwan when run as root with charon installed (bench/udp.mjs); our
//   UDP adapter against a raw socket loop per runtime (bench/udp-overhead.mjs); the gateway program's
//   resident memory with 10,000 IKE SAs per runtime (bench/gateway-rss.mjs); and, as root, TCP
//   throughput through our tunnel per runtime and provider next to strongSwan's (bench/esp-tunnel.mjs,
//   section esp).
// Writes bench/out/report.json, report.md and report.html (inline SVG, no network fetches).
//
//   npm run bench [-- --quick] [--runtimes node,deno,bun] [--no-strongswan]
//   npm run bench -- --compare a.json b.json [--min-change PCT]   what got faster or slower beyond the
//        noise: the two runs' min–max ranges do not overlap (and, with --min-change, the medians differ by
//        more than PCT %). Several report.json files per side (a1.json,a2.json) merge into one side: the
//        median of the medians and the widest range, so that the noise between runs counts too.
//   npm run bench -- --render bench/out/report.json   report.md and report.html again, from the data
//
// --quick: fewer and shorter rounds, a core set of kernels and ESP suites, scale up to 5,000 SAs, no
// strongSwan, UDP with the native provider only and 0.5 s windows, short UDP adapter rounds, and no
// gateway RSS (building 10,000 SAs through the gateway takes longer than the whole quick run may: the
// report says so); under two minutes on two cores.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compare, formatCompare, renderReport } from "./report-all.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };

if (args.includes("--compare")) {
  const i = args.indexOf("--compare");
  const [a, b] = [args[i + 1], args[i + 2]];
  if (!a || !b) { console.error("usage: npm run bench -- --compare a.json[,a2.json...] b.json[,b2.json...] [--min-change PCT]"); process.exit(2); }
  const load = (p) => { const j = JSON.parse(readFileSync(p, "utf8")); if (!j.sections) throw new Error(`${p}: not a report.json of npm run bench`); return j; };
  const A = a.split(",").map(load), B = b.split(",").map(load);
  const describe = (files, reps) => reps.map((r, k) => `${files[k]}: ${r.env.date}, commit ${r.env.git.commit.slice(0, 12)}${r.env.git.dirty ? "+changes" : ""}${r.quick ? ", --quick" : ""}`).join("; ");
  console.log(`a: ${describe(a.split(","), A)}\nb: ${describe(b.split(","), B)}`);
  if (new Set([...A, ...B].map((r) => r.env.cpuModel)).size > 1) console.log("note: the runs are from different CPUs");
  if ([...A, ...B].some((r) => r.quick)) console.log("note: --quick runs have short rounds whose spread understates the noise between runs; prefer full runs, several per side (a1.json,a2.json).");
  const minChange = +(opt("--min-change") ?? 0);
  console.log(formatCompare(compare(A.length > 1 ? A : A[0], B.length > 1 ? B : B[0], { minChange }), a, b, minChange));
  process.exit(0);
}

// --render report.json: write report.md and report.html again from a report.json (no measuring).
if (args.includes("--render")) {
  const file = args[args.indexOf("--render") + 1] ?? "bench/out/report.json";
  const { markdown, html } = renderReport(JSON.parse(readFileSync(file, "utf8")));
  const dir = dirname(file);
  writeFileSync(join(dir, "report.md"), markdown);
  writeFileSync(join(dir, "report.html"), html);
  console.error(`wrote ${join(dir, "report.md")}, ${join(dir, "report.html")}`);
  process.exit(0);
}

const quick = args.includes("--quick");
const runtimes = opt("--runtimes");
const outDir = join(root, "bench", "out");
mkdirSync(outDir, { recursive: true });
const bin = (n) => join(root, "node_modules", ".bin", n);
const sh = (cmd, a) => { try { return execFileSync(cmd, a, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(); } catch { return undefined; } };

// The environment, read now.
const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
const field = (name) => new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(cpuinfo)?.[1]?.trim();
const env = {
  date: new Date().toISOString(),
  cpuModel: field("model name") ?? cpus()[0]?.model ?? "unknown CPU",
  cpuFlags: field("flags") ?? field("Features") ?? "unknown",
  cores: cpus().length,
  memTotal: `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
  kernel: sh("uname", ["-srm"]) ?? "unknown kernel",
  versions: {
    node: process.versions.node,
    deno: sh(bin("deno"), ["--version"])?.split("\n")[0].replace(/^deno /, "") ?? "unavailable",
    bun: sh(bin("bun"), ["--version"]) ?? "unavailable",
  },
  git: { commit: sh("git", ["rev-parse", "HEAD"]) ?? "unknown", dirty: (sh("git", ["status", "--porcelain"]) ?? "").split("\n").filter(Boolean).length },
  loadStart: loadavg().map((x) => +x.toFixed(2)),
};

const q = quick ? ["--quick"] : [];
const rt = runtimes ? ["--runtimes", runtimes] : [];
const SECTIONS = [
  ["crypto", ["bench/run.mjs", "crypto", ...q, ...(quick ? ["--core"] : []), ...rt]],
  ["handshake", ["bench/run.mjs", "handshake", ...q, ...(quick ? ["--core"] : []), ...rt]],
  ["espkernel", ["bench/run.mjs", "espkernel", ...q, ...(quick ? ["--core"] : []), ...rt]],
  ["scale", ["bench/run.mjs", "scale", ...q, ...rt]],
  // --quick: 0.5 s windows after a 1 s first warm-up (udp.mjs's own quick is 1 s and 1.5 s), to leave
  // room in the two minutes for udpraw.
  ["udp", ["bench/udp.mjs", ...q, ...(quick ? ["--seconds", "0.5", "--warm", "1"] : []), ...rt, ...(quick || args.includes("--no-strongswan") ? ["--no-strongswan"] : [])]],
  ["udpraw", ["bench/udp-overhead.mjs", ...q, ...rt]],
  // ESP throughput through TUN devices between two namespaces, ours on each runtime and provider next
  // to strongSwan's (bench/esp-tunnel.mjs): needs root, iperf3 and charon.
  ["esp", ["bench/esp-tunnel.mjs", ...q, ...rt], process.getuid?.() !== 0 ? "it needs root (network namespaces and TUN devices): run `sudo npm run bench` or `sudo npm run bench:esp`" : undefined],
  ["gatewayrss", ["bench/gateway-rss.mjs", ...rt], quick ? "--quick leaves it out, since bringing 10,000 IKE SAs up through the gateway takes longer per runtime than the whole quick run may add (and a smaller count would not be the figure asked for); `npm run bench` or `npm run bench:rss` measures it" : undefined],
];

const t0 = Date.now();
const sections = {};
for (const [name, argv, skipped] of SECTIONS) {
  // The file of an earlier run must never stand in for this one's.
  const file = join(outDir, `${name}.json`);
  rmSync(file, { force: true });
  if (skipped) { sections[name] = { seconds: 0, skipped }; console.error(`\n=== ${name}: ${skipped}`); continue; }
  const s0 = Date.now();
  console.error(`\n=== ${name} (${argv.join(" ")}) — ${Math.round((s0 - t0) / 1000)} s into the run`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    child.on("close", (c, sig) => resolve(c ?? sig));
  });
  const sec = { seconds: Math.round((Date.now() - s0) / 1000), load: loadavg().map((x) => +x.toFixed(2)) };
  if (existsSync(file)) sec.data = JSON.parse(readFileSync(file, "utf8"));
  if (code !== 0) sec.error = `${argv.join(" ")} exited with ${code}${sec.data ? " (some measurements failed; the rest is reported)" : ""}`;
  sections[name] = sec;
}
const report = { quick, env, seconds: Math.round((Date.now() - t0) / 1000), loadEnd: loadavg().map((x) => +x.toFixed(2)), sections };
writeFileSync(join(outDir, "report.json"), JSON.stringify(report, null, 1) + "\n");
const { markdown, html } = renderReport(report);
writeFileSync(join(outDir, "report.md"), markdown);
writeFileSync(join(outDir, "report.html"), html);
console.log(markdown);
const failed = Object.entries(sections).filter(([, v]) => v.error).map(([k]) => k);
console.error(`\nwrote bench/out/report.json, report.md, report.html — the whole run took ${report.seconds} s${failed.length ? `; failures in ${failed.join(", ")}` : ""}`);
process.exit(failed.length ? 1 : 0);
