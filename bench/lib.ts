// Shared measurement helpers for the benchmarks (bench/ is a program, not a test).
// Each measurement: warm up, then several timed rounds; report the median ops/s and the spread.

declare const Deno: { version: { deno: string } } | undefined;
declare const Bun: { version: string } | undefined;
declare const process: { versions: Record<string, string> } | undefined;

export const runtime: "node" | "deno" | "bun" =
  typeof Deno !== "undefined" ? "deno" : typeof Bun !== "undefined" ? "bun" : "node";

export function runtimeVersion(): string {
  if (typeof Deno !== "undefined") return `deno ${Deno.version.deno}`;
  if (typeof Bun !== "undefined") return `bun ${Bun.version}`;
  return `node ${process!.versions.node}`;
}

export interface Measurement { opsPerSec: number; min: number; max: number; rounds: number }

/** Runs fn repeatedly: a warm-up of ~warmMs, then `rounds` rounds of ~roundMs; ops/s per round. */
export function measure(fn: () => void, opts: { roundMs?: number; rounds?: number; warmMs?: number } = {}): Measurement {
  const roundMs = opts.roundMs ?? 200, rounds = opts.rounds ?? 5, warmMs = opts.warmMs ?? 100;
  let t0 = performance.now();
  let calib = 0;
  while (performance.now() - t0 < warmMs) { fn(); calib++; }
  const perOp = (performance.now() - t0) / Math.max(calib, 1);
  const batch = Math.max(1, Math.floor(roundMs / Math.max(perOp, 1e-6) / 4));
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    t0 = performance.now();
    let el = 0;
    do {
      for (let i = 0; i < batch; i++) fn();
      n += batch;
      el = performance.now() - t0;
    } while (el < roundMs);
    rates.push((n * 1000) / el);
  }
  rates.sort((a, b) => a - b);
  return { opsPerSec: rates[Math.floor(rates.length / 2)], min: rates[0], max: rates[rates.length - 1], rounds };
}
