// Inline SVG charts for the benchmark report (no scripts, no fonts or styles fetched): horizontal bars
// with min–max whiskers, and line charts; both with axes, tick labels, units and a legend.
export const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
export const colorOf = (series, name) => COLORS[Math.max(0, series.indexOf(name)) % COLORS.length];

function niceTicks(max, n = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  for (let t = 0; t <= max + step * 0.999; t += step) ticks.push(+t.toPrecision(6));
  return ticks;
}
const logTicks = (lo, hi) => { const t = []; for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) t.push(10 ** e); return t; };
export const fmtNum = (v) => {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1e9) return +(v / 1e9).toPrecision(3) + "G";
  if (a >= 1e6) return +(v / 1e6).toPrecision(3) + "M";
  if (a >= 1e4) return +(v / 1e3).toPrecision(3) + "k";
  if (a >= 100 || Number.isInteger(v)) return v.toFixed(0);
  if (a >= 1) return String(+v.toPrecision(3));
  return String(+v.toPrecision(2));
};

/**
 * Horizontal grouped bars. groups: [{ label, bars: [{ series, value, min?, max? }] }]; series: legend order.
 * unit: the x axis label (with its unit).
 */
export function barChart({ title, unit, groups, series, note }) {
  const barH = 12, gap = 8, left = 230, width = 520, top = 52 + (series.length > 1 ? 16 : 0);
  const nBars = groups.reduce((n, g) => n + g.bars.length, 0);
  const h = top + nBars * (barH + 2) + groups.length * gap + 50 + (note ? 14 : 0);
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.bars.map((b) => Math.max(b.value ?? 0, b.max ?? 0))));
  const ticks = niceTicks(max);
  const xmax = ticks[ticks.length - 1];
  const x = (v) => left + (Math.max(0, v) / xmax) * width;
  const o = [`<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 90}" height="${h}" font-family="sans-serif" font-size="11" role="img" aria-label="${esc(title)}">`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`];
  series.forEach((s, i) => o.push(`<rect x="${left + i * 110}" y="30" width="10" height="10" fill="${colorOf(series, s)}"/><text x="${left + i * 110 + 14}" y="39">${esc(s)}</text>`));
  const bottom = h - 40 - (note ? 14 : 0);
  for (const t of ticks) {
    o.push(`<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${bottom}" stroke="${t === 0 ? "#000" : "#ddd"}"/>`);
    o.push(`<text x="${x(t)}" y="${bottom + 14}" text-anchor="middle">${fmtNum(t)}</text>`);
  }
  o.push(`<text x="${left + width / 2}" y="${bottom + 30}" text-anchor="middle">${esc(unit)}</text>`);
  if (note) o.push(`<text x="10" y="${h - 8}" fill="#555">${esc(note)}</text>`);
  let y = top;
  for (const g of groups) {
    const gy = y;
    for (const b of g.bars) {
      const c = colorOf(series, b.series);
      if (b.value !== undefined && b.value !== null) {
        o.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(b.value) - left)}" height="${barH}" fill="${c}"><title>${esc(`${g.label} ${b.series}: ${b.value}${b.min !== undefined ? ` (${b.min}–${b.max})` : ""}`)}</title></rect>`);
        if (b.min !== undefined && b.max !== undefined) {
          const ym = y + barH / 2;
          o.push(`<line x1="${x(b.min)}" y1="${ym}" x2="${x(b.max)}" y2="${ym}" stroke="#000"/><line x1="${x(b.min)}" y1="${y + 2}" x2="${x(b.min)}" y2="${y + barH - 2}" stroke="#000"/><line x1="${x(b.max)}" y1="${y + 2}" x2="${x(b.max)}" y2="${y + barH - 2}" stroke="#000"/>`);
        }
        o.push(`<text x="${Math.max(x(b.value), x(b.max ?? 0)) + 4}" y="${y + barH - 2}" font-size="10">${fmtNum(b.value)}</text>`);
      } else o.push(`<text x="${left + 4}" y="${y + barH - 2}" font-size="10" fill="#a00">not measured</text>`);
      y += barH + 2;
    }
    o.push(`<text x="${left - 6}" y="${gy + (y - gy) / 2 + 4}" text-anchor="end">${esc(g.label)}</text>`);
    y += gap;
  }
  o.push("</svg>");
  return o.join("\n");
}

/** Line chart. series: [{ name, points: [{ x, y, min?, max? }] }]; logX/logY for log axes. */
export function lineChart({ title, xLabel, yLabel, series, logX = true, logY = false, note }) {
  const left = 80, width = 560, top = 52, height = 260, h = top + height + 60 + (note ? 14 : 0);
  const pts = series.flatMap((s) => s.points).filter((p) => p.y !== undefined && p.y !== null && Number.isFinite(p.y));
  const xs = pts.map((p) => p.x), ys = pts.flatMap((p) => [p.y, p.min ?? p.y, p.max ?? p.y]);
  const xlo = Math.min(...xs, 1), xhi = Math.max(...xs, 10);
  const yPos = ys.filter((v) => v > 0);
  const ylo = logY ? 10 ** Math.floor(Math.log10(Math.min(...yPos, 1))) : 0;
  const yTicks = logY ? logTicks(ylo, Math.max(...yPos, 1)) : niceTicks(Math.max(...ys, 1e-9));
  const yhi = yTicks[yTicks.length - 1];
  const xTicks = logX ? logTicks(xlo, xhi) : niceTicks(xhi);
  const xa = logX ? Math.log10(xTicks[0]) : 0, xb = logX ? Math.log10(xTicks[xTicks.length - 1]) : xTicks[xTicks.length - 1];
  const X = (v) => left + ((logX ? Math.log10(v) : v) - xa) / (xb - xa || 1) * width;
  const Y = (v) => top + height - (logY ? (Math.log10(Math.max(v, ylo)) - Math.log10(ylo)) / (Math.log10(yhi) - Math.log10(ylo) || 1) : v / (yhi || 1)) * height;
  const names = series.map((s) => s.name);
  const o = [`<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 40}" height="${h}" font-family="sans-serif" font-size="11" role="img" aria-label="${esc(title)}">`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`];
  names.forEach((s, i) => o.push(`<rect x="${left + i * 110}" y="30" width="10" height="10" fill="${colorOf(names, s)}"/><text x="${left + i * 110 + 14}" y="39">${esc(s)}</text>`));
  for (const t of yTicks) o.push(`<line x1="${left}" y1="${Y(t)}" x2="${left + width}" y2="${Y(t)}" stroke="#ddd"/><text x="${left - 6}" y="${Y(t) + 4}" text-anchor="end">${fmtNum(t)}</text>`);
  for (const t of xTicks) o.push(`<line x1="${X(t)}" y1="${top}" x2="${X(t)}" y2="${top + height}" stroke="#ddd"/><text x="${X(t)}" y="${top + height + 14}" text-anchor="middle">${fmtNum(t)}</text>`);
  o.push(`<line x1="${left}" y1="${top + height}" x2="${left + width}" y2="${top + height}" stroke="#000"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + height}" stroke="#000"/>`);
  o.push(`<text x="${left + width / 2}" y="${top + height + 32}" text-anchor="middle">${esc(xLabel)}${logX ? " (log scale)" : ""}</text>`);
  o.push(`<text transform="translate(16 ${top + height / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}${logY ? " (log scale)" : ""}</text>`);
  if (note) o.push(`<text x="10" y="${h - 8}" fill="#555">${esc(note)}</text>`);
  for (const s of series) {
    const c = colorOf(names, s.name);
    const ps = s.points.filter((p) => p.y !== undefined && p.y !== null && Number.isFinite(p.y) && (!logY || p.y > 0));
    if (ps.length > 1) o.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${ps.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(" ")}"/>`);
    for (const p of ps) {
      if (p.min !== undefined && p.max !== undefined) o.push(`<line x1="${X(p.x)}" y1="${Y(p.min)}" x2="${X(p.x)}" y2="${Y(p.max)}" stroke="${c}"/>`);
      o.push(`<circle cx="${X(p.x)}" cy="${Y(p.y)}" r="3" fill="${c}"><title>${esc(`${s.name}: ${p.x} → ${p.y}${p.min !== undefined ? ` (${p.min}–${p.max})` : ""}`)}</title></circle>`);
    }
  }
  o.push("</svg>");
  return o.join("\n");
}
