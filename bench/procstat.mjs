// CPU time from /proc, shared by the benchmarks that watch processes (udp.mjs, esp-tunnel.mjs,
// gateway-rss.mjs). Linux only; each reader returns undefined when /proc cannot be read.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const clkTck = (() => { try { return +execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim() || 100; } catch { return 100; } })();

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return (+f[11] + +f[12]) / clkTck;
  } catch { return undefined; }
}

/** CPU seconds the whole machine has spent busy (all cores, everything but idle and iowait). */
export function machineBusySeconds() {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) / clkTck;
  } catch { return undefined; }
}
