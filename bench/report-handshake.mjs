// Renders bench/out/handshake.json: handshakes per second per runtime, proposal and provider, and memory rows.
export function renderHandshake(rows, meta) {
  const hs = rows.filter((r) => r.kind === "handshake");
  const mem = rows.filter((r) => r.kind === "memory");
  const runtimes = [...new Set(hs.map((r) => r.runtime))];
  const keys = [...new Set(hs.map((r) => `${r.proposal}|${r.impl}`))];
  const lines = [`# bench:handshake (${meta.date}${meta.quick ? ", --quick" : ""}, ${meta.seconds} s)`, "",
    "IKE_SA_INIT + IKE_AUTH (PSK, one Child SA) per second, both ends in one process (median of rounds; min–max).", "",
    `| proposal | provider | ${runtimes.join(" | ")} |`, `|---|---|${runtimes.map(() => "---:").join("|")}|`];
  for (const k of keys) {
    const [proposal, impl] = k.split("|");
    lines.push(`| ${proposal} | ${impl} | ${runtimes.map((rt) => { const r = hs.find((x) => x.runtime === rt && x.proposal === proposal && x.impl === impl); return r ? `${r.handshakesPerSec} (${r.min}–${r.max})` : "–"; }).join(" | ")} |`);
  }
  lines.push("", "For scale (issue figures, not measured here): strongSwan's load-tester ~758 SAs/s with x25519 and ~199 SAs/s with MODP-2048 on this machine.", "", "## Memory", "");
  for (const m of mem) lines.push(`- ${m.runtime}: ${m.what}: ${m.bytes !== undefined ? `${m.bytes} bytes (both sides ${m.bothSidesBytes} bytes; ${m.sas} SAs; gc ${m.gc ? "forced" : "not available"})` : `${m.before} → ${m.after} (timers left: ${m.timersLeft})`}`);
  const w = 640, barH = 16, left = 260, max = Math.max(1, ...hs.map((r) => r.handshakesPerSec));
  const items = hs.map((r) => ({ label: `${r.runtime} ${r.impl} ${r.proposal.split("-").pop()}`, v: r.handshakesPerSec }));
  const h = 50 + items.length * (barH + 4) + 30;
  const svg = [`<svg xmlns="http://www.w3.org/2000/svg" width="${left + w + 60}" height="${h}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="18" font-size="14">bench:handshake — handshakes per second (in-process, PSK, one Child SA)</text>`];
  items.forEach((it, i) => {
    const y = 40 + i * (barH + 4);
    svg.push(`<text x="${left - 6}" y="${y + 12}" text-anchor="end">${it.label}</text>`);
    svg.push(`<rect x="${left}" y="${y}" width="${(it.v / max) * w}" height="${barH}" fill="#1f77b4"/><text x="${left + (it.v / max) * w + 4}" y="${y + 12}">${it.v}</text>`);
  });
  svg.push(`<text x="${left + w / 2}" y="${h - 8}" text-anchor="middle">handshakes/s</text></svg>`);
  return { markdown: lines.join("\n") + "\n", svg: svg.join("\n") + "\n" };
}
