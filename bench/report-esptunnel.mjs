// Renders bench/out/esp.json (bench/esp-tunnel.mjs): iperf3 TCP throughput through our tunnel
// (same runtime and provider on both ends) and through strongSwan <-> strongSwan, per ESP suite; the
// ratio to strongSwan's figure for the same suite. `node bench/report-esptunnel.mjs` re-renders
// esp.md and esp.svg from esp.json.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { barChart } from "./charts.mjs";

const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));
const cell = (s) => String(s).split("\n")[0].replace(/\|/g, "/").slice(0, 140);

/** { meta, rows } -> { markdown, svg }. */
export function renderEspTunnel({ meta, rows }) {
  const suites = Object.keys(meta.suites);
  const ss = (suite) => rows.find((r) => r.kind === "strongswan" && r.suite === suite && !r.error);
  const ratio = (r) => { const ref = ss(r.suite); return !r.error && ref && r.kind === "ours" ? r.mbps / ref.mbps : undefined; };
  const label = (r) => (r.kind === "strongswan" ? "strongSwan ↔ strongSwan" : `${r.runtime} ${r.provider}`);
  const ssMeasured = rows.some((r) => r.kind === "strongswan");
  const L = [
    `# bench:esp (${meta.date}${meta.quick ? ", --quick" : ""}, ${meta.seconds} s)`, "",
    `TCP throughput through an IPsec tunnel between two network namespaces joined by a veth pair (test/interop/lab.mjs): ${meta.method}.`,
    `"ours": our tunnel program (initiator) in namespace A and our gateway program (responder) in namespace B, each with its TUN device (MTU ${meta.mtu}), the same runtime and crypto provider on both ends. ` +
      `"strongSwan ↔ strongSwan": two charons with kernel-libipsec (ESP in user space through a TUN device, like ours) in the same namespaces, measured in the same run. ` +
      `ESP is UDP-encapsulated (RFC 3948) on both, IKE ${meta.ike}, no rekeying during the run.`,
    `Each measurement: tunnel up, one ping through it, ${meta.warmSeconds} s iperf3 warm-up (not counted), ${meta.rounds} round${meta.rounds === 1 ? "" : "s"} of ${meta.roundSeconds} s, tunnel down. ` +
      `× strongSwan = our median ÷ strongSwan's median for the same suite. CPU % = CPU time (user + system, all threads, /proc/<pid>/stat) of the initiator / responder process over the rounds (100 = one core); ` +
      `"other" = CPU used meanwhile by everything else (iperf3, the kernel's network stack, other work on the machine), median over the rounds.`,
    `strongSwan: ${meta.strongswan}. Machine: ${meta.cpus}; load average at the end ${meta.loadavg.join(" ")}. ` +
      `${Object.entries(meta.versions).filter(([, v]) => v).map(([k, v]) => `${k} ${String(v).replace(/^(deno|bun|iperf) /, "")}`).join(", ")}.`, "",
  ];
  for (const suite of suites) {
    L.push(`## ${meta.suites[suite]} (\`${suite}\`)`, "",
      "| tunnel | Mbit/s, median (min–max) | × strongSwan | CPU % initiator / responder | other CPU % | TCP retransmits / round |",
      "|---|---:|---:|---:|---:|---:|");
    for (const r of rows.filter((x) => x.suite === suite)) {
      if (r.error) { L.push(`| ${label(r)} | error: ${cell(r.error)} | | | | |`); continue; }
      const q = ratio(r);
      const other = r.rounds.map((x) => x.otherCpuPct).filter((x) => x !== null).sort((a, b) => a - b);
      const retr = r.rounds.map((x) => x.retransmits).filter((x) => x !== null);
      L.push(`| ${label(r)} | ${fmt(r.mbps, 1)} (${fmt(r.min, 1)}–${fmt(r.max, 1)}) | ${r.kind === "strongswan" ? "1" : q === undefined ? "–" : fmt(q, 2) + "×"} | ${fmt(r.cpuPct.initiator)} / ${fmt(r.cpuPct.responder)} | ${other.length ? other[other.length >> 1] : "–"} | ${retr.length ? retr.join(", ") : "–"} |`);
    }
    if (!ssMeasured) L.push("", "strongSwan was not measured in this run: no ratios.");
    else if (!ss(suite)) L.push("", "strongSwan's measurement failed for this suite: no ratios.");
    L.push("");
  }
  const failed = rows.filter((r) => r.failedRounds?.length);
  if (failed.length) {
    L.push("## Rounds that failed and were run again", "", "| tunnel | suite | round | error |", "|---|---|---:|---|");
    for (const r of failed) for (const f of r.failedRounds) L.push(`| ${label(r)} | ${r.suite} | ${f.round} | ${cell(f.error)} |`);
    L.push("");
  }
  const warned = rows.filter((r) => r.warnings?.length || r.dataPlane);
  if (warned.length) {
    L.push("## Our data plane after the rounds", "", "Drops counted by the two programs' data planes over the whole measurement (/status `dataPlane.drops`, warm-up and ping included) and the warnings in their logs.", "",
      "| tunnel | suite | initiator drops | responder drops | warnings |", "|---|---|---|---|---|");
    const drops = (dp) => (dp?.drops ? Object.entries(dp.drops).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", ") || "none" : "–");
    for (const r of warned) L.push(`| ${label(r)} | ${r.suite} | ${drops(r.dataPlane?.initiator)} | ${drops(r.dataPlane?.responder)} | ${cell((r.warnings ?? []).join("; "))} |`);
    L.push("");
  }
  L.push("## Every round", "", "| tunnel | suite | round | Mbit/s (receiver) | sender Mbit/s | retransmits | CPU s initiator / responder | wall s | other CPU % |", "|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    if (r.error) continue;
    r.rounds.forEach((x, i) => L.push(`| ${label(r)} | ${r.suite} | ${i + 1} | ${fmt(x.mbps, 1)} | ${fmt(x.senderMbps, 1)} | ${x.retransmits ?? "–"} | ${fmt(x.cpuSeconds.initiator, 2)} / ${fmt(x.cpuSeconds.responder, 2)} | ${fmt(x.wallSeconds, 1)} | ${x.otherCpuPct ?? "–"} |`));
  }
  L.push("");

  // One group per tunnel (runtime + provider, strongSwan last), one bar per suite.
  const groupOf = (r) => label(r);
  const groups = [...new Set([...rows.filter((r) => r.kind === "ours"), ...rows.filter((r) => r.kind === "strongswan")].map(groupOf))];
  const series = suites.map((s) => meta.suites[s]);
  // The label carries the ratios to strongSwan, one per suite in legend order.
  const groupLabel = (g) => {
    const qs = suites.map((s) => { const r = rows.find((x) => groupOf(x) === g && x.suite === s); return r ? ratio(r) : undefined; });
    return qs.some((q) => q !== undefined) ? `${g} (${qs.map((q) => (q === undefined ? "–" : fmt(q, 2) + "×")).join(" / ")})` : g;
  };
  const svg = barChart({
    title: "TCP throughput through the IPsec tunnel (iperf3, namespace A → B)",
    unit: `Mbit/s (median of ${meta.rounds} × ${meta.roundSeconds} s; whiskers: min–max)`,
    series,
    groups: groups.map((g) => ({
      label: groupLabel(g),
      bars: suites.map((s) => {
        const r = rows.find((x) => groupOf(x) === g && x.suite === s);
        return { series: meta.suites[s], value: r && !r.error ? r.mbps : undefined, min: r && !r.error ? r.min : undefined, max: r && !r.error ? r.max : undefined };
      }),
    })),
    note: `×: ratio to strongSwan ↔ strongSwan (two charons, kernel-libipsec) for the same suite, in legend order.${ssMeasured ? "" : " strongSwan not measured."}`,
  });
  return { markdown: L.join("\n") + "\n", svg: svg + "\n" };
}

// `node bench/report-esptunnel.mjs`: re-render from bench/out/esp.json.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(dirname(fileURLToPath(import.meta.url)), "out");
  const { markdown, svg } = renderEspTunnel(JSON.parse(readFileSync(join(out, "esp.json"), "utf8")));
  writeFileSync(join(out, "esp.md"), markdown);
  writeFileSync(join(out, "esp.svg"), svg);
  console.log(markdown);
}
