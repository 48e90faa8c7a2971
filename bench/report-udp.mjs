// Renders bench/out/udp.json: handshakes per second over UDP per (initiator, responder) runtime pair
// and crypto provider, the ratio to node -> node, and our responder against strongSwan's.
const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));

export function renderUdp({ meta, pairs, strongswan }) {
  const runtimes = [...new Set(pairs.map((r) => r.initiator))];
  const providers = [...new Set(pairs.map((r) => r.provider))];
  const find = (p, i, r) => pairs.find((x) => x.provider === p && x.initiator === i && x.responder === r);
  const rate = (row) => (row && !row.error ? row.handshakesPerSec : undefined);
  const L = [
    `# bench:udp (${meta.date}${meta.quick ? ", --quick" : ""}, ${meta.seconds} s)`, "",
    `IKE_SA_INIT + IKE_AUTH (${meta.auth}, one Child SA; IKE ${meta.ike}, ESP ${meta.esp}) per second between two processes over real UDP,`,
    `${meta.concurrency} handshakes in flight, each IKE SA deleted as soon as its Child SA is up (the delete's cost is included).`,
    `Warm-up ${meta.warmMs.first} ms the first time a process is measured (the same-runtime pairs, run first), ${meta.warmMs.next} ms after that; then ${meta.measureMs} ms timed; one process per runtime and role for all of a provider's pairs. CPU % = CPU time (user + system, all threads) of each process over the timed window; CPU ms/handshake = that time per completed handshake (each side's cost, whichever side is the bottleneck); "other" = CPU everything else on the machine used meanwhile (100 = one core): where it is high, the rate is depressed; above ${meta.remeasureAboveOtherCpuPct ?? 50} % a measurement is taken again (a few per run) and the less disturbed one kept, the other shown in parentheses.`,
    `Machine: ${meta.cpus}; load average at the end ${meta.loadavg.join(" ")}. ${Object.entries(meta.versions).filter(([, v]) => v).map(([k, v]) => `${k} ${String(v).replace(/^(deno|bun) /, "")}`).join(", ")}.`, "",
  ];
  for (const p of providers) {
    const base = rate(find(p, "node", "node"));
    L.push(`## ${p} provider: handshakes/s (initiator ↓, responder →)`, "", `| initiator \\ responder | ${runtimes.join(" | ")} |`, `|---|${runtimes.map(() => "---:").join("|")}|`);
    for (const i of runtimes) L.push(`| ${i} | ${runtimes.map((r) => { const v = rate(find(p, i, r)); return v === undefined ? "error" : `${fmt(v)}${base ? ` (${fmt(v / base, 2)}×)` : ""}`; }).join(" | ")} |`);
    L.push("", base ? "(×: ratio to node → node.)" : "", "");
  }
  L.push("## Every measurement", "", "| provider | initiator → responder | handshakes/s | min–max per 250 ms | latency p50 / p95 ms | CPU % initiator / responder / other | CPU ms/handshake initiator / responder | retransmits | failures |", "|---|---|---:|---:|---:|---:|---:|---:|---:|");
  const ssRows = typeof strongswan === "object" && strongswan.rows ? strongswan.rows : [];
  for (const r of [...pairs, ...ssRows]) {
    if (!r.initiator) { L.push(`| ${r.provider} | – | error: ${r.error.split("\n")[0].replace(/\|/g, "/").slice(0, 120)} | | | | | | |`); continue; }
    if (r.error) { L.push(`| ${r.provider} | ${r.initiator} → ${r.responder} | error: ${r.error.split("\n")[0].replace(/\|/g, "/").slice(0, 120)} | | | | | | |`); continue; }
    const b = r.perBucket.handshakesPerSec;
    const again = r.alsoMeasured ? ` (also ${r.alsoMeasured.map((x) => `${fmt(x.handshakesPerSec)} at other ${x.otherCpuPct} %`).join(", ")})` : "";
    L.push(`| ${r.provider} | ${r.initiator} → ${r.responder} | ${fmt(r.handshakesPerSec, 1)}${again} | ${b.length ? `${fmt(Math.min(...b))}–${fmt(Math.max(...b))}` : "–"} | ${fmt(r.latencyMs.p50, 1)} / ${fmt(r.latencyMs.p95, 1)} | ${fmt(r.cpuPct.initiator)} / ${fmt(r.cpuPct.responder)} / ${fmt(r.cpuPct.other)} | ${fmt(r.cpuMsPerHandshake.initiator, 2)} / ${fmt(r.cpuMsPerHandshake.responder, 2)} | ${r.retransmits} | ${r.failures} |`);
  }
  L.push("", "## Against strongSwan", "");
  if (typeof strongswan === "string") L.push(`strongSwan: ${strongswan}.`);
  else if (strongswan.error) L.push(`strongSwan: error: ${strongswan.error}`);
  else {
    const veth = strongswan.rows.some((r) => r.responder.endsWith("(veth)"));
    L.push(`${strongswan.version}, with kernel-libipsec, as the responder, in ${strongswan.where}; its configuration: ${strongswan.config}.`,
      `"ours" is the same-runtime pair above (over 127.0.0.1)${veth ? `; "ours, veth" is that runtime's responder in namespace B, measured right after charon by the same initiator process` : ""}.`,
      "One initiator process drives each measurement, so where it is the busier side the rate is the initiator's limit: the responder's CPU ms per handshake compares the responders themselves.", "",
      `| provider | initiator | ours | ${veth ? "ours, veth | " : ""}strongSwan | ours / strongSwan | responder CPU ms/handshake: ours${veth ? " (veth)" : ""} / charon | CPU % initiator / charon |`,
      `|---|---|---:|${veth ? "---:|" : ""}---:|---:|---:|---:|`);
    for (const r of strongswan.rows.filter((x) => x.responder === "strongswan")) {
      const oursRow = find(r.provider, r.initiator, r.initiator);
      const v = strongswan.rows.find((x) => x.provider === r.provider && x.initiator === r.initiator && x.responder === `${r.initiator} (veth)`);
      const ours = rate(oursRow), oursVeth = rate(v);
      const theirs = r.error ? undefined : r.handshakesPerSec;
      const ratio = (x) => (x && theirs ? fmt(x / theirs, 2) + "×" : "–");
      const ms = (row) => (row && !row.error ? fmt(row.cpuMsPerHandshake.responder, 2) : "–");
      L.push(`| ${r.provider} | ${r.initiator} | ${fmt(ours, 1)} | ${veth ? `${fmt(oursVeth, 1)} | ` : ""}${r.error ? "error" : fmt(theirs, 1)} | ${ratio(ours)}${veth ? ` (veth ${ratio(oursVeth)})` : ""} | ${ms(oursRow)}${veth ? ` (${ms(v)})` : ""} / ${ms(r)} | ${r.error ? "–" : `${fmt(r.cpuPct.initiator)} / ${fmt(r.cpuPct.responder)}`} |`);
    }
  }
  return L.join("\n") + "\n";
}
