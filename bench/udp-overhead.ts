// bench:udpraw — what our UdpSocket adapter (runtimes/<rt>/udp.ts, the UdpOpener of each runtime's
// host.ts) costs against a loop written directly on the runtime's own socket API (node:dgram,
// Deno.listenDatagram, Bun.udpSocket), side by side in one process on 127.0.0.1.
//
// Each variant is an echo pair: an echo socket sends every datagram back to its sender, and a client
// socket keeps WINDOW datagrams in flight, sending the next one for each echo it receives. Both
// sockets of a pair use the same API, so a round trip is two sends and two receives through it.
// Rounds alternate adapter, raw, adapter, raw... so both see the same machine load; the figures are
// datagrams received (both directions: 2 per round trip) per second of wall time and per second of
// the process's CPU time.
// Arguments (one JSON argv): { sizes, window, warmMs, roundMs, rounds }. Prints `@@BENCH {...}` rows.
import { openUdp as nodeOpenUdp } from "../runtimes/node/udp.ts";
import { openUdp as denoOpenUdp } from "../runtimes/deno/udp.ts";
import { openUdp as bunOpenUdp } from "../runtimes/bun/udp.ts";
import type { Address } from "../ts/engine/types.ts";
import type { UdpOpener } from "../ts/io/types.ts";
import { runtime, runtimeVersion } from "./lib.ts";
import { createSocket } from "node:dgram";
import nodeProcess from "node:process";

// The runtime APIs the raw loops use (each only on its own runtime).
interface DenoAddr { transport: "udp"; hostname: string; port: number }
interface DenoConn { readonly addr: DenoAddr; receive(): Promise<[Uint8Array, DenoAddr]>; send(p: Uint8Array, to: DenoAddr): Promise<number>; close(): void }
interface BunSock { readonly port: number; send(d: Uint8Array, port: number, addr: string): boolean; close(): void }
declare const Deno: { args: string[]; listenDatagram(o: DenoAddr): DenoConn };
declare const Bun: { argv: string[]; udpSocket(o: { hostname: string; port: number; binaryType: "uint8array"; socket: { data(s: BunSock, b: Uint8Array, port: number, addr: string): void; drain?(s: BunSock): void } }): Promise<BunSock> };
declare const process: { argv: string[] };

interface Args { sizes: number[]; window: number; warmMs: number; roundMs: number; rounds: number }
const argv = runtime === "deno" ? Deno.args : runtime === "bun" ? Bun.argv.slice(2) : process.argv.slice(2);
const args: Args = { sizes: [100, 1400], window: 16, warmMs: 500, roundMs: 300, rounds: 7, ...JSON.parse(argv[0] ?? "{}") };
const IP = "127.0.0.1";
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One echo pair. `start()` sends `window` datagrams from the client; every echo that comes back is
 * counted and answered with the next datagram until `stop()`.
 */
interface Pair { received: number; sent: number; start(): void; stop(): void; close(): Promise<void> }
type Variant = "adapter" | "raw";

/** The echo pair through our adapter: the UdpOpener of runtimes/<rt>/host.ts. */
async function adapterPair(size: number, window: number): Promise<Pair> {
  const open: UdpOpener = runtime === "deno" ? denoOpenUdp : runtime === "bun" ? bunOpenUdp : nodeOpenUdp;
  const echo = await open({ ip: IP, port: 0 });
  const client = await open({ ip: IP, port: 0 });
  const payload = new Uint8Array(size).fill(0x5a);
  const to: Address = echo.local;
  const p: Pair = {
    received: 0, sent: 0,
    start() { running = true; for (let i = 0; i < window; i++) { p.sent++; client.send(payload, to); } },
    stop() { running = false; },
    async close() { await echo.close(); await client.close(); },
  };
  let running = false;
  echo.onMessage((data, from) => echo.send(data, from));
  client.onMessage(() => { p.received++; if (running) { p.sent++; client.send(payload, to); } });
  return p;
}

/** The same echo pair written directly against the runtime's socket API, as a program would. */
async function rawPair(size: number, window: number): Promise<Pair> {
  const payload = new Uint8Array(size).fill(0x5a);
  let running = false;
  const p: Pair = { received: 0, sent: 0, start() {}, stop() { running = false; }, close: async () => {} };
  if (runtime === "node") {
    const bound = (s: ReturnType<typeof createSocket>) => new Promise<void>((r) => s.bind(0, IP, () => r()));
    const echo = createSocket("udp4"), client = createSocket("udp4");
    await Promise.all([bound(echo), bound(client)]);
    const port = echo.address().port;
    echo.on("message", (buf: Uint8Array, rinfo: { address: string; port: number }) => echo.send(buf, rinfo.port, rinfo.address));
    client.on("message", () => { p.received++; if (running) { p.sent++; client.send(payload, port, IP); } });
    p.start = () => { running = true; for (let i = 0; i < window; i++) { p.sent++; client.send(payload, port, IP); } };
    p.close = async () => { await new Promise<void>((r) => echo.close(() => r())); await new Promise<void>((r) => client.close(() => r())); };
  } else if (runtime === "deno") {
    const echo = Deno.listenDatagram({ transport: "udp", hostname: IP, port: 0 });
    const client = Deno.listenDatagram({ transport: "udp", hostname: IP, port: 0 });
    const to = echo.addr;
    let closed = false;
    const ignore = () => {};
    (async () => {
      while (!closed) {
        const [d, from] = await echo.receive().catch(() => [undefined, undefined] as const);
        if (d) echo.send(d, from).catch(ignore);
      }
    })();
    (async () => {
      while (!closed) {
        const [d] = await client.receive().catch(() => [undefined] as const);
        if (!d) continue;
        p.received++;
        if (running) { p.sent++; client.send(payload, to).catch(ignore); }
      }
    })();
    p.start = () => { running = true; for (let i = 0; i < window; i++) { p.sent++; client.send(payload, to).catch(ignore); } };
    p.close = async () => { closed = true; echo.close(); client.close(); };
  } else {
    const echo = await Bun.udpSocket({ hostname: IP, port: 0, binaryType: "uint8array", socket: { data: (s, b, port, addr) => { s.send(b, port, addr); } } });
    const port = echo.port;
    const client = await Bun.udpSocket({
      hostname: IP, port: 0, binaryType: "uint8array",
      socket: { data: (s) => { p.received++; if (running) { p.sent++; s.send(payload, port, IP); } } },
    });
    p.start = () => { running = true; for (let i = 0; i < window; i++) { p.sent++; client.send(payload, port, IP); } };
    p.close = async () => { echo.close(); client.close(); };
  }
  return p;
}

/** The process's CPU time so far (user + system, all threads), in seconds: node:process on all three runtimes. */
const cpuSeconds = () => { const u = nodeProcess.cpuUsage(); return (u.user + u.system) / 1e6; };

/**
 * Runs the pair for `ms`. pps: datagrams received per second of wall time (echoes + replies = 2 per
 * round trip); perCpuSecond: the same datagrams per second of this process's CPU time, which other
 * programs on the machine do not dilute (the loop keeps the process busy, so on an idle machine the
 * two agree).
 */
async function round(p: Pair, ms: number): Promise<{ pps: number; perCpuSecond: number; lost: number }> {
  const r0 = p.received, s0 = p.sent;
  const c0 = cpuSeconds(), t0 = performance.now();
  p.start();
  await sleep(ms);
  const n = p.received - r0;
  const el = performance.now() - t0, cpu = cpuSeconds() - c0;
  p.stop();
  // Let what is in flight come back; what does not was dropped (the socket buffer was full).
  for (let i = 0; i < 20 && p.received - r0 < p.sent - s0; i++) await sleep(5);
  return { pps: (2 * n * 1000) / el, perCpuSecond: (2 * n) / cpu, lost: (p.sent - s0) - (p.received - r0) };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const size of args.sizes) {
  const pairs: Record<Variant, Pair> = { adapter: await adapterPair(size, args.window), raw: await rawPair(size, args.window) };
  const order: Variant[] = ["adapter", "raw"];
  // Warm-up: both variants, twice each, interleaved (JIT tiers settle).
  for (let i = 0; i < 2; i++) for (const v of order) await round(pairs[v], args.warmMs / 4);
  const rates: Record<Variant, number[]> = { adapter: [], raw: [] }, perCpu: Record<Variant, number[]> = { adapter: [], raw: [] };
  const lost = { adapter: 0, raw: 0 };
  for (let r = 0; r < args.rounds; r++) {
    // Alternate which goes first, so neither always follows the other's garbage.
    for (const v of r % 2 ? [...order].reverse() : order) {
      const x = await round(pairs[v], args.roundMs);
      rates[v].push(x.pps);
      perCpu[v].push(x.perCpuSecond);
      lost[v] += x.lost;
    }
  }
  for (const v of order) await pairs[v].close();
  const stat = (xs: number[]) => ({ median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)) });
  const row = (v: Variant) => {
    const w = stat(rates[v]), c = stat(perCpu[v]);
    return { pps: w.median, min: w.min, max: w.max, perCpuSecond: c.median, perCpuMin: c.min, perCpuMax: c.max, lost: lost[v] };
  };
  // Ratios: of the medians, and the spread of the ratios of rounds run back to back.
  const ratios = (a: number[], b: number[]) => {
    const each = a.map((x, i) => x / b[i]);
    return { ratio: +(median(a) / median(b)).toFixed(3), min: +Math.min(...each).toFixed(3), max: +Math.max(...each).toFixed(3) };
  };
  const wall = ratios(rates.adapter, rates.raw), cpu = ratios(perCpu.adapter, perCpu.raw);
  console.log("@@BENCH " + JSON.stringify({
    runtime, version: runtimeVersion(), bytes: size, window: args.window, rounds: args.rounds, roundMs: args.roundMs,
    adapter: row("adapter"), raw: row("raw"),
    ratio: wall.ratio, ratioMin: wall.min, ratioMax: wall.max,
    cpuRatio: cpu.ratio, cpuRatioMin: cpu.min, cpuRatioMax: cpu.max,
  }));
}
console.log("@@BENCH-DONE");
