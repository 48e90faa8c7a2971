// Renders bench/out/crypto.json rows as a Markdown table, the issue's targets, and an SVG bar chart of ratios.

const fmt = (x) => x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toPrecision(3);

export function renderCrypto(rows, meta) {
  const runtimes = [...new Set(rows.map((r) => r.runtime))];
  const key = (r) => `${r.op}|${r.bytes}`;
  const ops = [...new Set(rows.map(key))];
  const get = (rt, k, impl) => rows.find((r) => r.runtime === rt && key(r) === k && r.impl === impl)?.opsPerSec;
  const lines = [];
  lines.push(`# bench:crypto (${meta.date}${meta.quick ? ", --quick" : ""}, ${meta.seconds} s)`, "");
  lines.push("ops/s per runtime and provider; ratios are wasm÷native and wasm÷js measured side by side in this run.", "");
  lines.push(`| op | bytes | ${runtimes.map((rt) => `${rt} wasm | ${rt} native | ${rt} js | ${rt} w/n | ${rt} w/js`).join(" | ")} |`);
  lines.push(`|---|---:|${runtimes.map(() => "---:|---:|---:|---:|---:").join("|")}|`);
  for (const k of ops) {
    const [op, bytes] = k.split("|");
    const cells = runtimes.map((rt) => {
      const w = get(rt, k, "wasm"), n = get(rt, k, "native"), j = get(rt, k, "js");
      return [w, n, j].map((v) => (v ? fmt(v) : "–")).join(" | ") + ` | ${w && n ? (w / n).toFixed(2) : "–"} | ${w && j ? (w / j).toFixed(2) : "–"}`;
    });
    lines.push(`| ${op} | ${bytes} | ${cells.join(" | ")} |`);
  }
  const targets = [
    ["AES-128-GCM 1400 B: wasm ≥ 2× js", "aes-128-gcm-seal|1400", "js", 2],
    ["HMAC-SHA256 1400 B: wasm ≥ 2.5× js", "hmac-sha256|1400", "js", 2.5],
    ["prf+ 224 B: wasm ≥ 2× native", "prf+-sha256-224|224", "native", 2],
    ["MODP-2048, 256-bit exponent: wasm ≥ 0.4× native", "modexp-modp2048-e256|256", "native", 0.4],
    ["MODP-2048, 256-bit exponent: wasm ≥ 3× js", "modexp-modp2048-e256|256", "js", 3],
  ];
  lines.push("", "## Targets", "", `| target | ${runtimes.join(" | ")} |`, `|---|${runtimes.map(() => "---").join("|")}|`);
  for (const [label, k, other, goal] of targets) {
    lines.push(`| ${label} | ${runtimes.map((rt) => {
      const w = get(rt, k, "wasm"), o = get(rt, k, other);
      if (!w || !o) return "not measured";
      const r = w / o;
      return `${r.toFixed(2)}× ${r >= goal ? "✅ holds" : "❌ misses"}`;
    }).join(" | ")} |`);
  }
  return { markdown: lines.join("\n") + "\n", svg: ratioChart(rows, runtimes, ops, get, meta) };
}

function ratioChart(rows, runtimes, ops, get, meta) {
  // Horizontal bars: log2(wasm/native) and log2(wasm/js) per op and runtime; 1× line in the middle.
  const items = [];
  for (const k of ops) for (const rt of runtimes) {
    const w = get(rt, k, "wasm"), n = get(rt, k, "native"), j = get(rt, k, "js");
    items.push({ label: `${k.replace("|", " ")} B · ${rt}`, vn: w && n ? w / n : null, vj: w && j ? w / j : null });
  }
  const rowH = 14, top = 60, left = 300, width = 520, lmin = -4, lmax = 4;
  const h = top + items.length * rowH + 40;
  const x = (ratio) => left + ((Math.max(lmin, Math.min(lmax, Math.log2(ratio))) - lmin) / (lmax - lmin)) * width;
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 40}" height="${h}" font-family="sans-serif" font-size="10">`);
  out.push(`<text x="10" y="18" font-size="14">bench:crypto — wasm speed relative to native (blue) and js (orange), log scale (${esc(meta.date)})</text>`);
  for (let l = lmin; l <= lmax; l++) {
    const xx = x(2 ** l);
    out.push(`<line x1="${xx}" y1="${top - 10}" x2="${xx}" y2="${h - 30}" stroke="${l === 0 ? "#000" : "#ddd"}"/>`);
    out.push(`<text x="${xx}" y="${top - 14}" text-anchor="middle">${l >= 0 ? 2 ** l : "1/" + 2 ** -l}×</text>`);
  }
  out.push(`<text x="${left + width / 2}" y="${h - 10}" text-anchor="middle">ratio wasm ÷ other (ops/s), same run; right of the black line = wasm faster</text>`);
  items.forEach((it, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${left - 6}" y="${y + 10}" text-anchor="end">${esc(it.label)}</text>`);
    const bar = (r, dy, color) => {
      if (!r) return;
      const x0 = x(1), x1 = x(r);
      out.push(`<rect x="${Math.min(x0, x1)}" y="${y + dy}" width="${Math.max(1, Math.abs(x1 - x0))}" height="5" fill="${color}"><title>${r.toFixed(2)}×</title></rect>`);
    };
    bar(it.vn, 1, "#1f77b4");
    bar(it.vj, 7, "#ff7f0e");
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
