// Renders the whole-suite report (bench/out/report.json, written by bench/all.mjs) as Markdown and as a
// self-contained HTML page with inline SVG charts; also the per-bench renderers for esp and scale
// (bench/run.mjs) and the flattening used by `npm run bench -- --compare`.
// Every number printed here is read from the report: nothing is typed in.
import { renderEspTunnel } from "./report-esptunnel.mjs";
import { barChart, esc, fmtNum, lineChart } from "./charts.mjs";
import { renderCrypto } from "./report-crypto.mjs";
import { renderUdp } from "./report-udp.mjs";

const RUNTIMES = ["node", "deno", "bun"];
const uniq = (xs) => [...new Set(xs)];
const ordered = (xs) => uniq(xs).sort((a, b) => (RUNTIMES.indexOf(a) + 99) % 99 - (RUNTIMES.indexOf(b) + 99) % 99);
const spread = (v, min, max, d) => (v === undefined ? "–" : `${f(v, d)} (${f(min, d)}–${f(max, d)})`);
const f = (v, d) => (v === undefined || v === null || Number.isNaN(v) ? "–" : d === undefined ? fmtNum(v) : (+v).toFixed(d));
const table = (head, rows) => [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

// ------------------------------------------------------------------ ESP (bench/esp.ts)
export function espSection(rows) {
  const runtimes = ordered(rows.map((r) => r.runtime));
  const keys = uniq(rows.map((r) => `${r.op}|${r.suite}|${r.bytes}|${r.impl}`));
  const md = table(["op · suite · inner packet · provider", ...runtimes.map((rt) => `${rt}: Mbit/s · packets/s (min–max)`)], keys.map((k) => {
    const [op, suite, bytes, impl] = k.split("|");
    return [`${op} ${suite} ${bytes} B ${impl}`, ...runtimes.map((rt) => {
      const r = rows.find((x) => x.runtime === rt && `${x.op}|${x.suite}|${x.bytes}|${x.impl}` === k);
      return r ? `${f(r.mbps, 0)} · ${spread(r.pps, r.min, r.max)}` : "–";
    })];
  }));
  const big = Math.max(...rows.map((r) => r.bytes));
  const svg = barChart({
    title: `ESP throughput, ${big}-byte inner packets, one core, no I/O`, unit: "Mbit/s of inner packets (median; whiskers: slowest–fastest round)",
    series: uniq(rows.map((r) => r.impl)),
    groups: uniq(rows.filter((r) => r.bytes === big).map((r) => `${r.runtime}|${r.op}|${r.suite}`)).map((g) => {
      const [rt, op, suite] = g.split("|");
      const mb = (r, v) => +((v * r.bytes * 8) / 1e6).toFixed(1);
      return { label: `${rt} ${op} ${suite}`, bars: rows.filter((r) => r.bytes === big && `${r.runtime}|${r.op}|${r.suite}` === g).map((r) => ({ series: r.impl, value: r.mbps, min: mb(r, r.min), max: mb(r, r.max) })) };
    }),
  });
  return { md, svg };
}
export function renderEsp(rows, meta) {
  const { md, svg } = espSection(rows);
  return { markdown: `# bench:esp (${meta.date}${meta.quick ? ", --quick" : ""}, ${meta.seconds} s)\n\nESP encapsulation (selector lookup + seal) and decapsulation (SPI lookup, replay window, ICV, decrypt, policy check) in one process, no sockets.\n\n${md}\n`, svg: svg + "\n" };
}

// ------------------------------------------------------------------ scale (bench/scale.ts)
export function scaleSection(rows) {
  const sc = rows.filter((r) => r.kind === "scale"), mem = rows.filter((r) => r.kind === "memory");
  const runtimes = ordered(sc.map((r) => r.runtime));
  const levels = uniq(sc.map((r) => r.sas)).sort((a, b) => a - b);
  const L = [];
  const what = sc[0] ? `IKE ${sc[0].ike}, ${sc[0].impl} provider` : "";
  L.push(`Responder holding N established IKE SAs (one Child SA each; ${what}). Heap after a forced GC (gc ${sc.every((r) => r.gc) ? "forced on every runtime" : "NOT available on some runtime: heap figures are rough"}); handshake = IKE_SA_INIT + IKE_AUTH + delete of that IKE SA from a fresh initiator, so the responder stays at N; tick = one idle \`tick()\` call.`, "");
  L.push(table(["runtime", "SAs", "responder heap growth (MB)", "heap / IKE SA (bytes)¹", "marginal bytes / SA since previous level²", "handshakes/s (min–max)", "tick µs (min–max)", "time to build the SAs so far (s)"],
    runtimes.flatMap((rt) => levels.map((n) => {
      const r = sc.find((x) => x.runtime === rt && x.sas === n);
      const prev = sc.filter((x) => x.runtime === rt && x.sas < n).pop();
      const own = (x) => x && (x.memMethod === "one responder" || x.sas >= 1000);
      return r ? [rt, n.toLocaleString("en"), own(r) ? f(r.heapBytes / 1e6, 1) : "below the noise", f(r.bytesPerIkeSa, 0), own(r) && own(prev) ? f(r.marginalBytesPerIkeSa, 0) : "–", spread(r.handshakesPerSec, r.min, r.max, 0), spread(r.tickUs, r.tickUsMin, r.tickUsMax), f(r.buildSeconds, 1)] : [rt, n.toLocaleString("en"), "not measured", "", "", "", "", ""];
    }))));
  L.push("", `¹ At ${uniq(sc.filter((r) => r.memMethod && r.memMethod !== "one responder").map((r) => r.sas)).join(", ") || "no"} SAs: measured on several responders of N SAs each against as many empty ones, since one responder's growth at that size is below the heap's noise; otherwise: the responder's heap growth ÷ N. ² Heap growth of the one responder between two levels ÷ the SAs added, where both levels are large enough to measure it.`);
  if (mem.length) {
    L.push("", `Per Child SA: a responder with N IKE SAs of one Child SA each, and one with N IKE SAs of two (the second from CREATE_CHILD_SA), each measured against its own baseline after a forced GC${mem[0].reps > 1 ? ` (median of ${mem[0].reps} repetitions)` : ""}.`, "");
    L.push(table(["runtime", "IKE SAs", "bytes / IKE SA with 1 Child SA", "with 2 Child SAs", "bytes / additional Child SA"], mem.map((m) => [m.runtime, m.ikeSas.toLocaleString("en"), f(m.bytesPerIkeSaOneChild, 0), f(m.bytesPerIkeSaTwoChildren, 0), f(m.bytesPerChildSa, 0)])));
  }
  const maxLevel = levels[levels.length - 1];
  const builds = runtimes.map((rt) => sc.find((x) => x.runtime === rt && x.sas === maxLevel)).filter(Boolean);
  if (builds.length) L.push("", `Building ${maxLevel.toLocaleString("en")} SAs took ${builds.map((r) => `${f(r.buildSeconds, 1)} s on ${r.runtime}`).join(", ")}.`);
  const series = (key, lo, hi) => runtimes.map((rt) => ({ name: rt, points: sc.filter((x) => x.runtime === rt).map((x) => ({ x: x.sas, y: x[key], min: lo ? x[lo] : undefined, max: hi ? x[hi] : undefined })) }));
  const svgs = [
    lineChart({ title: "Handshake rate with N SAs held by the responder", xLabel: "established IKE SAs held (N)", yLabel: "handshakes + deletes per second", series: series("handshakesPerSec", "min", "max") }),
    lineChart({ title: "Cost of one idle tick() with N SAs", xLabel: "established IKE SAs held (N)", yLabel: "µs per tick()", logY: true, series: series("tickUs", "tickUsMin", "tickUsMax") }),
    lineChart({ title: "Responder heap per IKE SA (one Child SA)", xLabel: "established IKE SAs held (N)", yLabel: "bytes per IKE SA", series: series("bytesPerIkeSa") }),
  ];
  return { md: L.join("\n"), svgs };
}
export function renderScale(rows, meta) {
  const { md, svgs } = scaleSection(rows);
  return { markdown: `# bench:scale (${meta.date}${meta.quick ? ", --quick" : ""}, ${meta.seconds} s)\n\n${md}\n`, svg: svgs[0] + "\n" };
}

// ------------------------------------------------------------------ UDP adapter vs raw socket (bench/udp-overhead.mjs)
export function udprawSection(res) {
  const rows = res.rows ?? [], m = res.meta;
  const runtimes = ordered(rows.map((r) => r.runtime));
  const L = [`Our UdpSocket adapter (runtimes/<rt>/udp.ts, what host.ts gives the driver) against a loop written directly on the runtime's socket API (node:dgram, Deno.listenDatagram, Bun.udpSocket), per runtime in one process on 127.0.0.1. Echo rather than one-way throughput: a client socket keeps ${m.window} datagrams in flight and sends the next for each echo, so the rate is set by the per-datagram work on the two sockets, nothing is sent faster than it is received, and the socket buffer never overflows (one-way blasting measures drops and buffer sizes instead, and is much noisier). Adapter and raw rounds of ${m.roundMs} ms alternate after a ${m.warmMs} ms warm-up; median of ${m.rounds} rounds each (slowest–fastest); datagrams counts every datagram received, both directions (2 per round trip).`,
    "", `Two rates: per second of wall time, and per second of the process's CPU time (user + system, from node:process cpuUsage). The loop keeps its process busy, so on an idle machine they agree; when other work shares the ${m.cpus?.split(" x ")[0] ?? ""} CPUs the wall rate drops by however long the process waited, while the CPU rate still measures the per-datagram work, which is what the adapter adds to (where the CPU rate is below the wall rate, the process kept more than one core busy: runtime threads beside the event loop). adapter/raw: ratio of the medians, in brackets the lowest and highest ratio of two rounds run back to back; below 1× = the adapter is slower. 1-minute load average at the end: ${m.loadavg?.[0] ?? "–"}.`, ""];
  L.push(table(["runtime", "payload", "adapter datagrams/s", "raw datagrams/s", "adapter/raw (wall)", "adapter datagrams per CPU-second", "raw datagrams per CPU-second", "adapter/raw (CPU)", "lost (adapter/raw)"],
    runtimes.flatMap((rt) => rows.filter((r) => r.runtime === rt).map((r) => [`${rt}`, `${r.bytes} B`, spread(r.adapter.pps, r.adapter.min, r.adapter.max), spread(r.raw.pps, r.raw.min, r.raw.max), `**${f(r.ratio, 2)}×** (${f(r.ratioMin, 2)}–${f(r.ratioMax, 2)})`,
      spread(r.adapter.perCpuSecond, r.adapter.perCpuMin, r.adapter.perCpuMax), spread(r.raw.perCpuSecond, r.raw.perCpuMin, r.raw.perCpuMax), `**${f(r.cpuRatio, 2)}×** (${f(r.cpuRatioMin, 2)}–${f(r.cpuRatioMax, 2)})`, `${r.adapter.lost}/${r.raw.lost}`]))));
  if (res.errors?.length) L.push("", `Failed: ${res.errors.join("; ")}.`);
  const chart = (key, lo, hi, unit, title, ratio) => barChart({
    title, unit, series: ["adapter", "raw"],
    groups: rows.map((r) => ({ label: `${r.runtime} ${r.bytes} B (${f(r[ratio], 2)}×)`, bars: ["adapter", "raw"].map((v) => ({ series: v, value: r[v][key], min: r[v][lo], max: r[v][hi] })) })),
    note: `${m.window} datagrams in flight, 127.0.0.1; in brackets: adapter/raw`,
  });
  const svgs = [
    chart("pps", "min", "max", "datagrams received per second of wall time (median; whiskers: slowest–fastest round)", "UDP echo: our adapter against a raw socket loop, per runtime", "ratio"),
    chart("perCpuSecond", "perCpuMin", "perCpuMax", "datagrams received per second of the process's CPU time (median; whiskers: slowest–fastest round)", "UDP echo per CPU-second: our adapter against a raw socket loop", "cpuRatio"),
  ];
  return { md: L.join("\n"), svgs };
}

// ------------------------------------------------------------------ gateway RSS (bench/gateway-rss.mjs)
const mib = (kb) => (kb === undefined ? undefined : kb / 1024);
export function gatewayRssSection(res) {
  const rows = res.rows ?? [], m = res.meta;
  const n = m.count.toLocaleString("en");
  const L = [`The gateway program (runtimes/<rt>/gateway.ts) with ${n} established IKE SAs of one Child SA each (${m.ike}, ESP ${m.esp}, ${m.auth}, ${m.provider} provider), brought up over UDP on 127.0.0.1 by an initiator process on Node with ${m.concurrency} handshakes in flight and kept up (no rekey, no DPD). Resident memory (VmRSS of /proc/<pid>/status): median of ${m.samples} readings ${m.sampleMs} ms apart (min–max), before any SA (${m.settleMs} ms after the gateway first answered /metrics) and ${m.settleMs} ms after the last Child SA came up. Per SA = (RSS with the SAs − baseline) ÷ ${n}; it includes what the runtime keeps for having run ${n} handshakes (compiled code, allocator and collector slack), not only the SA tables. Peak = VmHWM. The count is what the gateway's /metrics (skeyseed_ike_sas, skeyseed_child_sas) and /status said. The build rate is the gateway's (the initiator spreads its SAs over many small endpoints): the gateway's CPU time during the build is shown next to the wall time; when the two are close the gateway was busy throughout, and its cost per handshake grows with the SAs it already holds; when they are far apart, other work on the machine held it up.`, ""];
  L.push(table(["runtime", "baseline RSS (MiB)", `RSS with ${n} SAs (MiB)`, "growth (MiB)", "per IKE SA + Child SA (bytes)", "peak RSS (MiB)", "gateway /metrics: IKE / Child SAs; /status", "IKE datagrams while sampling (in/out)", "built in (handshakes/s; gateway CPU time)"],
    rows.map((r) => r.error && !r.atCountKb ? [r.runtime, "not measured", r.error.split("\n")[0].slice(0, 200), "", "", "", "", "", ""] : [
      r.runtime, spread(mib(r.baselineKb.median), mib(r.baselineKb.min), mib(r.baselineKb.max), 1), spread(mib(r.atCountKb.median), mib(r.atCountKb.min), mib(r.atCountKb.max), 1),
      f(mib(r.deltaKb), 1), f(r.bytesPerSa, 0), f(mib(r.peakKb), 1),
      `${r.metrics.ikeSas} / ${r.metrics.childSas}; ${r.status?.ikeSas ?? "–"}${r.established ? "" : " **(not " + n + ")**"}`,
      `${r.ikeDatagramsDuringSamples.received}/${r.ikeDatagramsDuringSamples.sent}`,
      `${f(r.build.seconds, 1)} s (${r.build.handshakesPerSec}/s${r.build.failed ? `, ${r.build.failed} retried` : ""}; gateway CPU ${f(r.build.gatewayCpuSeconds, 1)} s)`,
    ])));
  const svg = barChart({
    title: `Gateway resident memory (VmRSS), idle and with ${n} IKE SAs`, unit: "MiB resident (median of the readings; whiskers: lowest–highest reading)",
    series: ["baseline (no SA)", `${n} IKE SAs + Child SAs`],
    groups: rows.filter((r) => r.atCountKb).map((r) => ({ label: `${r.runtime} (${f(r.bytesPerSa, 0)} B/SA)`, bars: [
      { series: "baseline (no SA)", value: +mib(r.baselineKb.median).toFixed(1), min: +mib(r.baselineKb.min).toFixed(1), max: +mib(r.baselineKb.max).toFixed(1) },
      { series: `${n} IKE SAs + Child SAs`, value: +mib(r.atCountKb.median).toFixed(1), min: +mib(r.atCountKb.min).toFixed(1), max: +mib(r.atCountKb.max).toFixed(1) },
    ] })),
    note: "in brackets: (RSS with the SAs − baseline) ÷ number of SAs",
  });
  return { md: L.join("\n"), svg };
}

// ------------------------------------------------------------------ the whole report
const CORE_OPS = ["sha256", "hmac-sha256", "aes-128-cbc-enc", "aes-128-cbc-dec", "aes-128-gcm-seal", "aes-128-gcm-open", "prf+-sha256-224", "modexp-modp2048-e256", "ecdh-ecp256", "ecdh-x25519"];
const isCore = (r) => CORE_OPS.includes(r.op) && (r.bytes === 1400 || /^(prf|modexp|ecdh)/.test(r.op));

function cryptoSection(rows, meta) {
  const core = rows.filter(isCore);
  const runtimes = ordered(core.map((r) => r.runtime));
  const get = (rt, op, impl) => core.find((r) => r.runtime === rt && r.op === op && r.impl === impl);
  const ops = CORE_OPS.filter((op) => core.some((r) => r.op === op));
  const ratio = (a, b) => (a && b ? `${(a.opsPerSec / b.opsPerSec).toFixed(2)}×` : "–");
  const md = [
    "Kernel speed ratios (ops/s of wasm ÷ ops/s of the other provider, same runtime, same run; above 1× = wasm faster). Symmetric-key kernels on 1400-byte inputs.", "",
    table(["kernel", ...runtimes.flatMap((rt) => [`${rt} wasm/native`, `${rt} wasm/js`])], ops.map((op) => [`${op}${get(runtimes[0], op, "wasm") ? ` (${get(runtimes[0], op, "wasm").bytes} B)` : ""}`, ...runtimes.flatMap((rt) => [ratio(get(rt, op, "wasm"), get(rt, op, "native")), ratio(get(rt, op, "wasm"), get(rt, op, "js"))])])),
    "", "Operations per second, median (slowest–fastest round):", "",
    table(["kernel", ...runtimes.flatMap((rt) => ["wasm", "native", "js"].map((i) => `${rt} ${i}`))], ops.map((op) => [op, ...runtimes.flatMap((rt) => ["wasm", "native", "js"].map((i) => { const r = get(rt, op, i); return r ? spread(r.opsPerSec, r.min, r.max) : "–"; }))])),
  ].join("\n");
  // The ratio chart of bench/report-crypto.mjs, on the kernels above.
  const svg = renderCrypto(core, meta).svg;
  return { md, svg };
}

function handshakeSection(rows) {
  const hs = rows.filter((r) => r.kind === "handshake"), mem = rows.filter((r) => r.kind === "memory");
  const runtimes = ordered(hs.map((r) => r.runtime));
  const keys = uniq(hs.map((r) => `${r.proposal}|${r.impl}`));
  const md = ["IKE_SA_INIT + IKE_AUTH (PSK, one Child SA) per second, both ends in one process: median (slowest–fastest round).", "",
    table(["IKE proposal", "provider", ...runtimes], keys.map((k) => { const [p, i] = k.split("|"); return [p, i, ...runtimes.map((rt) => { const r = hs.find((x) => x.runtime === rt && x.proposal === p && x.impl === i); return r ? spread(r.handshakesPerSec, r.min, r.max, 0) : "–"; })]; })),
    "", ...mem.filter((m) => m.bytes !== undefined).map((m) => `- ${m.runtime}: ${m.what}: ${m.bytes} bytes (${m.sas} SAs)`),
    ...mem.filter((m) => m.bytes === undefined).map((m) => `- ${m.runtime}: ${m.what}: ${m.before} → ${m.after}`)].join("\n");
  const svg = barChart({
    title: "Handshakes per second, in-process (PSK, one Child SA)", unit: "handshakes/s (median; whiskers: slowest–fastest round)",
    series: uniq(hs.map((r) => r.impl)),
    groups: uniq(hs.map((r) => `${r.runtime}|${r.proposal}`)).map((g) => { const [rt, p] = g.split("|"); return { label: `${rt} ${p.split("-").pop()}`, bars: hs.filter((r) => `${r.runtime}|${r.proposal}` === g).map((r) => ({ series: r.impl, value: r.handshakesPerSec, min: r.min, max: r.max })) }; }),
    note: uniq(hs.map((r) => r.proposal)).join(" / "),
  });
  return { md, svg };
}

function udpSection(udp) {
  const md = renderUdp(udp).replace(/^(#+) /gm, "#$1 ").replace(/^## bench:udp[^\n]*\n+/, "");
  const ok = udp.pairs.filter((r) => r.initiator && !r.error);
  const bucket = (r) => r.perBucket?.handshakesPerSec ?? [];
  const ss = typeof udp.strongswan === "object" && udp.strongswan.rows ? udp.strongswan.rows.filter((r) => !r.error) : [];
  const svg = barChart({
    title: "Handshakes per second over UDP (127.0.0.1), initiator → responder", unit: `handshakes/s (whiskers: slowest–fastest ${udp.meta.measureMs >= 1000 ? "250 ms bucket" : "bucket"})`,
    series: uniq([...ok, ...ss].map((r) => r.provider)),
    groups: uniq([...ok, ...ss].map((r) => `${r.initiator} → ${r.responder}`)).map((g) => ({ label: g, bars: [...ok, ...ss].filter((r) => `${r.initiator} → ${r.responder}` === g).map((r) => ({ series: r.provider, value: +r.handshakesPerSec.toFixed(1), min: bucket(r).length ? Math.min(...bucket(r)) : undefined, max: bucket(r).length ? Math.max(...bucket(r)) : undefined })) })),
  });
  return { md, svg };
}

export function renderReport(rep) {
  const e = rep.env;
  const sec = (name) => rep.sections[name];
  const S = [];
  const head = [`# skeyseed benchmark report${rep.quick ? " (--quick)" : ""}`, "",
    `Run ${e.date} on ${e.cpuModel} (${e.cores} logical CPUs, ${e.memTotal}); ${e.kernel}. Commit ${e.git.commit}${e.git.dirty ? ` with ${e.git.dirty} uncommitted change(s)` : ""}.`,
    `Runtimes: ${Object.entries(e.versions).map(([k, v]) => `${k} ${v}`).join(", ")}. Load average (1/5/15 min) at the start ${e.loadStart.join(" ")}, at the end ${rep.loadEnd.join(" ")}.`,
    `The whole run took ${rep.seconds} s (${Object.entries(rep.sections).map(([k, v]) => `${k} ${v.skipped ? "skipped" : `${v.seconds} s`}`).join(", ")}); 1-minute load average at the end of each part: ${Object.entries(rep.sections).filter(([, v]) => !v.skipped).map(([k, v]) => `${k} ${v.load?.[0] ?? "–"}`).join(", ")} (the benchmark itself accounts for about 1; more means other work shared the ${e.cores} CPUs).`,
    "", "Each figure is the median of several timed rounds after a warm-up, with the slowest and fastest round as the spread (min–max); figures vary between machines and with the load of the machine.",
    "", `CPU flags: ${e.cpuFlags}`];
  S.push({ md: head.join("\n") });
  const errors = Object.entries(rep.sections).filter(([, v]) => v.error).map(([k, v]) => `- ${k}: ${v.error}`);
  if (errors.length) S.push({ md: "## Failures\n\n" + errors.join("\n") });
  const add = (title, name, fn) => {
    const s = sec(name);
    if (s?.skipped) { S.push({ md: `## ${title}\n\nNot measured in this run: ${s.skipped}.` }); return; }
    if (!s?.data) { S.push({ md: `## ${title}\n\nNot measured${s?.error ? `: ${s.error}` : ""}.` }); return; }
    const r = fn(s.data);
    S.push({ md: `## ${title}\n\n${r.md}`, svgs: r.svgs ?? [r.svg] });
  };
  add("Crypto kernels: wasm, native and js per runtime", "crypto", (d) => cryptoSection(d, { date: e.date, quick: rep.quick }));
  add("In-process handshakes per runtime and provider", "handshake", handshakeSection);
  add("ESP through the tunnel: iperf3 TCP per runtime and provider, next to strongSwan", "esp", (d) => {
    const r = renderEspTunnel(d);
    // One section of this report: its own title line goes, its headings move one level down.
    const md = r.markdown.split("\n").slice(1).join("\n").replace(/^## /gm, "### ").trim();
    return { md, svg: r.svg };
  });
  add("ESP encapsulation and decapsulation per runtime and provider (one process, no sockets)", "espkernel", (d) => { const r = espSection(d); return { md: "ESP in one process with no sockets and no TUN device: encap = selector lookup + seal; decap = SPI lookup, replay window, ICV check, decrypt, inbound policy check. Mbit/s counts the inner packets.\n\n" + r.md, svg: r.svg }; });
  add("UDP handshakes per runtime pair", "udp", udpSection);
  add("Scale: memory, handshake rate and tick cost against the number of SAs", "scale", scaleSection);
  add("UDP: our socket adapter against a raw socket loop per runtime", "udpraw", udprawSection);
  add(`Gateway resident memory with ${(sec("gatewayrss")?.data?.meta.count ?? 10000).toLocaleString("en")} IKE SAs per runtime`, "gatewayrss", gatewayRssSection);
  if (sec("crypto")?.data) {
    const rows = sec("crypto").data;
    S.push({ md: "## Appendix: every kernel measurement\n\n" + table(["runtime", "kernel", "bytes", "provider", "ops/s (min–max)"], rows.map((r) => [r.runtime, r.op, r.bytes, r.impl, spread(r.opsPerSec, r.min, r.max)])) });
  }
  const markdown = S.map((s) => s.md).join("\n\n") + "\n";
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>skeyseed benchmark report ${esc(e.date)}</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;line-height:1.4}table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}code{background:#f4f4f4}svg{display:block;margin:1em 0;max-width:100%;height:auto}</style></head><body>\n${S.map((s) => mdToHtml(s.md) + (s.svgs ?? []).filter(Boolean).map((x) => `\n<figure>${x}</figure>`).join("")).join("\n")}\n</body></html>\n`;
  return { markdown, html };
}

/** The small Markdown subset used above: headings, paragraphs, lists, tables, `code`, **bold**. */
function mdToHtml(md) {
  const inline = (s) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>");
  const out = [];
  const blocks = md.split(/\n\s*\n/);
  for (const b of blocks) {
    const lines = b.split("\n").filter((l) => l.trim() !== "");
    if (!lines.length) continue;
    const h = /^(#{1,6}) (.*)$/.exec(lines[0]);
    if (h) { out.push(`<h${h[1].length}>${inline(h[2])}</h${h[1].length}>`); if (lines.length > 1) out.push(mdToHtml(lines.slice(1).join("\n"))); continue; }
    if (lines.every((l) => l.startsWith("|"))) {
      const cells = (l) => l.replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
      const rows = lines.filter((l) => !/^\|[-:| ]+\|$/.test(l));
      out.push(`<table><thead><tr>${cells(rows[0]).map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>${rows.slice(1).map((r) => `<tr>${cells(r).map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`);
      continue;
    }
    if (lines.every((l) => l.startsWith("- "))) { out.push(`<ul>${lines.map((l) => `<li>${inline(l.slice(2))}</li>`).join("")}</ul>`); continue; }
    out.push(`<p>${lines.map(inline).join("<br>\n")}</p>`);
  }
  return out.join("\n");
}

// ------------------------------------------------------------------ --compare
/** Every measurement of a report as key -> { value, min, max, unit, higherIsBetter }. */
export function flatten(rep) {
  const m = new Map();
  const put = (k, value, min, max, unit, higherIsBetter = true) => { if (value !== undefined && value !== null) m.set(k, { value, min, max, unit, higherIsBetter }); };
  const d = (n) => rep.sections[n]?.data;
  for (const r of d("crypto") ?? []) put(`crypto ${r.runtime} ${r.op} ${r.bytes} B ${r.impl}`, r.opsPerSec, r.min, r.max, "ops/s");
  for (const r of d("handshake") ?? []) {
    if (r.kind === "handshake") put(`handshake ${r.runtime} ${r.proposal} ${r.impl}`, r.handshakesPerSec, r.min, r.max, "handshakes/s");
    else if (r.bytes !== undefined) put(`memory ${r.runtime} responder bytes per IKE SA (bench:handshake)`, r.bytes, undefined, undefined, "bytes", false);
  }
  for (const r of d("espkernel") ?? []) put(`espkernel ${r.runtime} ${r.op} ${r.suite} ${r.bytes} B ${r.impl}`, r.pps, r.min, r.max, "packets/s");
  for (const r of d("esp")?.rows ?? []) if (!r.error) put(`esp tunnel ${r.kind === "strongswan" ? "strongSwan" : `${r.runtime} ${r.provider}`} ${r.suite}`, r.mbps, r.min, r.max, "Mbit/s");
  const udp = d("udp");
  if (udp) for (const r of [...udp.pairs, ...(udp.strongswan?.rows ?? [])]) if (r.initiator && !r.error) {
    const b = r.perBucket?.handshakesPerSec ?? [];
    put(`udp ${r.provider} ${r.initiator} -> ${r.responder}`, r.handshakesPerSec, b.length ? Math.min(...b) : undefined, b.length ? Math.max(...b) : undefined, "handshakes/s");
  }
  for (const r of d("udpraw")?.rows ?? []) {
    put(`udpraw ${r.runtime} ${r.bytes} B adapter`, r.adapter.pps, r.adapter.min, r.adapter.max, "datagrams/s");
    put(`udpraw ${r.runtime} ${r.bytes} B raw`, r.raw.pps, r.raw.min, r.raw.max, "datagrams/s");
    put(`udpraw ${r.runtime} ${r.bytes} B adapter/raw`, r.ratio, r.ratioMin, r.ratioMax, "×");
    put(`udpraw ${r.runtime} ${r.bytes} B adapter/raw per CPU-second`, r.cpuRatio, r.cpuRatioMin, r.cpuRatioMax, "×");
  }
  for (const r of d("gatewayrss")?.rows ?? []) if (r.atCountKb) {
    put(`gatewayrss ${r.runtime} baseline RSS`, r.baselineKb.median, r.baselineKb.min, r.baselineKb.max, "KiB", false);
    put(`gatewayrss ${r.runtime} RSS with ${r.count} SAs`, r.atCountKb.median, r.atCountKb.min, r.atCountKb.max, "KiB", false);
    put(`gatewayrss ${r.runtime} RSS bytes per SA`, r.bytesPerSa, undefined, undefined, "bytes", false);
  }
  for (const r of d("scale") ?? []) {
    if (r.kind === "scale") {
      put(`scale ${r.runtime} handshakes/s at ${r.sas} SAs`, r.handshakesPerSec, r.min, r.max, "handshakes/s");
      put(`scale ${r.runtime} tick at ${r.sas} SAs`, r.tickUs, r.tickUsMin, r.tickUsMax, "µs", false);
      put(`scale ${r.runtime} heap bytes per IKE SA at ${r.sas} SAs`, r.bytesPerIkeSa, undefined, undefined, "bytes", false);
    } else put(`scale ${r.runtime} bytes per Child SA`, r.bytesPerChildSa, undefined, undefined, "bytes", false);
  }
  return m;
}

/**
 * One side of a comparison: a report, or several reports of the same code (an array), merged: the median
 * of their medians, and the widest range (so that the noise between runs counts, not only within one).
 */
function merged(reps) {
  if (!Array.isArray(reps)) return flatten(reps);
  const maps = reps.map(flatten), out = new Map();
  for (const k of maps[0].keys()) {
    const xs = maps.map((m) => m.get(k)).filter(Boolean);
    const vals = xs.map((x) => x.value).sort((p, q) => p - q);
    const ranged = xs.every((x) => x.min !== undefined);
    out.set(k, { ...xs[0], value: vals[Math.floor(vals.length / 2)], min: ranged ? Math.min(...xs.map((x) => x.min)) : undefined, max: ranged ? Math.max(...xs.map((x) => x.max)) : undefined });
  }
  return out;
}

/** What got better or worse from a to b beyond the noise: the min–max ranges do not overlap. */
export function compare(a, b, { threshold = 0.1, minChange = 0 } = {}) {
  const A = merged(a), B = merged(b);
  const better = [], worse = [], same = [];
  for (const [k, x] of A) {
    const y = B.get(k);
    if (!y) continue;
    const ratio = y.value / x.value;
    let verdict;
    if (x.min !== undefined && y.min !== undefined) {
      const up = y.min > x.max, down = y.max < x.min;
      verdict = up ? (x.higherIsBetter ? "better" : "worse") : down ? (x.higherIsBetter ? "worse" : "better") : "same";
      if (Math.abs(ratio - 1) * 100 <= minChange) verdict = "same";
    } else {
      // No spread recorded (single measurements, e.g. memory): a change beyond the threshold counts.
      verdict = Math.abs(ratio - 1) <= threshold ? "same" : (ratio > 1) === x.higherIsBetter ? "better" : "worse";
    }
    const row = { key: k, a: x, b: y, ratio, spread: x.min !== undefined && y.min !== undefined };
    (verdict === "better" ? better : verdict === "worse" ? worse : same).push(row);
  }
  const onlyA = [...A.keys()].filter((k) => !B.has(k)), onlyB = [...B.keys()].filter((k) => !A.has(k));
  return { better, worse, same, onlyA, onlyB };
}

export function formatCompare(c, aName, bName, minChange = 0) {
  const line = (r) => `  ${r.key}: ${fmtNum(r.a.value)} → ${fmtNum(r.b.value)} ${r.a.unit} (${r.ratio >= 1 ? "+" : ""}${((r.ratio - 1) * 100).toFixed(1)} %; ranges ${r.spread ? `${fmtNum(r.a.min)}–${fmtNum(r.a.max)} vs ${fmtNum(r.b.min)}–${fmtNum(r.b.max)}` : "not recorded: beyond ±10 %"})`;
  const by = (x, y) => Math.abs(Math.log(y.ratio)) - Math.abs(Math.log(x.ratio));
  const L = [`Comparing ${aName} (a) with ${bName} (b): a change counts when the min–max ranges of the two sides do not overlap${minChange ? ` and the medians differ by more than ${minChange} %` : ""} (measurements without a recorded range, such as memory: when they differ by more than 10 %).`, ""];
  L.push(`Better in b (${c.better.length}):`, ...c.better.sort(by).map(line), "");
  L.push(`Worse in b (${c.worse.length}):`, ...c.worse.sort(by).map(line), "");
  L.push(`Within the noise: ${c.same.length} measurement(s).`);
  if (c.onlyA.length) L.push(`Only in a: ${c.onlyA.length} (${c.onlyA.slice(0, 5).join("; ")}${c.onlyA.length > 5 ? "; …" : ""}).`);
  if (c.onlyB.length) L.push(`Only in b: ${c.onlyB.length} (${c.onlyB.slice(0, 5).join("; ")}${c.onlyB.length > 5 ? "; …" : ""}).`);
  return L.join("\n");
}
