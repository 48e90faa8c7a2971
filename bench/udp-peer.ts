// bench:udp — one end of the UDP handshake benchmark: our responder or our initiator, on the runtime
// whose host (runtimes/<rt>/host.ts) the wrapper written by bench/udp.mjs put in
// globalThis.__BENCH_HOST__, with the lines of stdin in globalThis.__BENCH_LINES__. The role and its
// settings come as one JSON argument; the process lives until stdin closes, so it stays warm (JIT,
// wasm tiers) from one measurement to the next.
//
//   responder: binds two sockets (IKE, NAT-T) on `ip` with ephemeral ports, prints
//              `@@PORTS {"ike":p,"natt":q}` and answers; a `stats` line on stdin prints `@@STATS {...}`.
//   initiator: each stdin line {target, warmMs, measureMs} is one measurement: keep `concurrency`
//              handshakes (IKE_SA_INIT + IKE_AUTH, PSK, one Child SA) in flight against target, delete
//              each IKE SA as soon as its Child SA is up and start a new handshake in its slot; warm
//              up, print `@@MARK start`, count completions for measureMs, print `@@MARK end` (bench/udp.mjs
//              reads both processes' CPU time at the marks), let what is in flight finish, print
//              `@@RESULT {...}`.
import type { Host } from "../ts/app/host.ts";
import { Driver, type SocketBinding } from "../ts/io/driver.ts";
import { resolveConfig } from "../ts/engine/config.ts";
import type { EngineEvent } from "../ts/engine/types.ts";
import { createNativeProvider } from "../ts/crypto/native/provider.ts";
import { createWasmProvider } from "../ts/crypto/wasm/provider.ts";
import type { CryptoProvider } from "../ts/crypto/types.ts";

interface Common { ip: string; provider: "native" | "wasm"; ike: string; esp: string; psk: string; tsI: string; tsR: string }
interface ResponderArgs extends Common { role: "responder" }
interface InitiatorArgs extends Common { role: "initiator"; concurrency: number }
interface Phase { target: { ip: string; ike: number; natt: number }; warmMs: number; measureMs: number }

const host: Host = (globalThis as any).__BENCH_HOST__;
const lines: AsyncIterable<string> = (globalThis as any).__BENCH_LINES__;
const args: ResponderArgs | InitiatorArgs = JSON.parse(host.args[0]);
const emit = (tag: string, v?: unknown) => host.stdout(`${tag}${v === undefined ? "" : " " + JSON.stringify(v)}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const provider: CryptoProvider = args.provider === "wasm" ? createWasmProvider({ random: host.random }) : createNativeProvider({ random: host.random });

async function bind(ip: string): Promise<SocketBinding[]> {
  return [{ socket: await host.openUdp({ ip, port: 0 }), natt: false }, { socket: await host.openUdp({ ip, port: 0 }), natt: true }];
}
const portsOf = (b: SocketBinding[]) => ({ ike: b[0].socket.local.port, natt: b[1].socket.local.port });

async function responder(a: ResponderArgs): Promise<void> {
  const sockets = await bind(a.ip);
  const config = {
    ...resolveConfig({
      connections: [{
        name: "bench", local: { id: "resp.bench" }, remote: { id: "%any" }, psk: a.psk,
        ike: { proposals: a.ike, rekeyTime: 0, dpdDelay: 0 },
        children: [{ name: "net", esp: a.esp, localTs: [a.tsR], remoteTs: [a.tsI], rekeyTime: 0 }],
      }],
      // Every handshake comes from one address and identity, many of them half open at once.
      cookieThreshold: 1e9,
    }),
    ports: portsOf(sockets),
  };
  const d = new Driver({ config, crypto: provider, sockets, clock: host.clock });
  let up = 0, failed = 0;
  d.onEvent((e) => {
    if (e.type === "child-up") up++;
    else if (e.type === "ike-failed" || e.type === "auth-failed" || e.type === "child-failed") failed++;
  });
  emit("@@PORTS", portsOf(sockets));
  for await (const l of lines) {
    if (l.trim() !== "stats") continue;
    const c = d.endpoint.counters;
    emit("@@STATS", { childUp: up, failed, ikeSasLeft: d.endpoint.ikeCount, retransmitsSent: c.retransmitsSent, retransmitsAnswered: c.retransmitsAnswered, parseErrors: c.parseErrors, socketErrors: d.counters.socketErrors });
  }
  await d.close();
}

async function measure(a: InitiatorArgs, phase: Phase): Promise<void> {
  const sockets = await bind(a.ip);
  const config = {
    ...resolveConfig({
      connections: [{
        name: "bench", local: { id: "init.bench", address: a.ip },
        remote: { id: "%any", address: phase.target.ip, port: phase.target.ike, nattPort: phase.target.natt }, psk: a.psk,
        ike: { proposals: a.ike, rekeyTime: 0, dpdDelay: 0 },
        children: [{ name: "net", esp: a.esp, localTs: [a.tsI], remoteTs: [a.tsR], rekeyTime: 0 }],
        // Every handshake comes from the same identity: INITIAL_CONTACT would make the responder drop the others.
        initialContact: false,
      }],
    }),
    ports: portsOf(sockets),
  };
  const d = new Driver({ config, crypto: provider, sockets, clock: host.clock });
  const startedAt = new Map<number, number>();
  const deleting = new Set<number>();
  const latencies: number[] = [];
  const failReasons: Record<string, number> = {};
  // Completions per BUCKET_MS of the timed window: the spread of the rate within one measurement.
  const BUCKET_MS = 250;
  const buckets: number[] = [];
  let measuring = false, stopping = false, done = 0, failures = 0, windowStart = 0;

  const refill = () => {
    while (!stopping && startedAt.size < a.concurrency) {
      const out = d.run((ep, now) => ep.initiate("bench", now));
      startedAt.set(out.ikeId, host.clock.now());
    }
  };
  const finish = (ikeId: number, ok: boolean, reason?: string) => {
    const t0 = startedAt.get(ikeId);
    if (t0 === undefined) return;
    startedAt.delete(ikeId);
    if (reason) failReasons[reason] = (failReasons[reason] ?? 0) + 1;
    if (measuring) {
      const now = host.clock.now();
      if (ok) {
        done++;
        latencies.push(now - t0);
        const b = Math.floor((now - windowStart) / BUCKET_MS);
        buckets[b] = (buckets[b] ?? 0) + 1;
      } else failures++;
    }
    queueMicrotask(refill);
  };
  d.onEvent((e: EngineEvent) => {
    switch (e.type) {
      case "child-up": {
        const id = e.child.ikeId;
        if (!startedAt.has(id)) break;
        finish(id, true);
        deleting.add(id);
        queueMicrotask(() => d.run((ep, now) => ep.deleteIke(id, now)));
        break;
      }
      case "ike-down": finish(e.id, false, e.reason); deleting.delete(e.id); break;
      case "ike-failed": case "auth-failed": finish(e.id, false, e.reason); break;
      case "child-failed":
        // The IKE SA came up without its Child SA: a failed handshake; delete the IKE SA.
        if (!startedAt.has(e.ikeId)) break;
        finish(e.ikeId, false, e.reason);
        deleting.add(e.ikeId);
        queueMicrotask(() => d.run((ep, now) => ep.deleteIke(e.ikeId, now)));
        break;
    }
  });

  refill();
  await sleep(phase.warmMs);
  emit("@@MARK start");
  measuring = true;
  const retransmits0 = d.endpoint.counters.retransmitsSent;
  const t0 = windowStart = host.clock.now();
  await sleep(phase.measureMs);
  measuring = false;
  const elapsed = host.clock.now() - t0;
  emit("@@MARK end");
  const retransmits = d.endpoint.counters.retransmitsSent - retransmits0;
  // Let the handshakes in flight and the deletes finish, so the responder ends with empty tables.
  stopping = true;
  for (let i = 0; i < 300 && (startedAt.size > 0 || deleting.size > 0); i++) await sleep(10);
  latencies.sort((x, y) => x - y);
  const pct = (p: number) => (latencies.length ? +latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2) : null);
  const full = Math.floor(elapsed / BUCKET_MS);
  emit("@@RESULT", {
    handshakes: done, seconds: +(elapsed / 1000).toFixed(3), handshakesPerSec: +((done * 1000) / elapsed).toFixed(1),
    perBucket: { ms: BUCKET_MS, handshakesPerSec: Array.from({ length: full }, (_, i) => ((buckets[i] ?? 0) * 1000) / BUCKET_MS) },
    latencyMs: { p50: pct(0.5), p95: pct(0.95), max: pct(1) }, failures, failReasons, retransmits,
    leftInFlight: startedAt.size, leftDeleting: deleting.size, ikeSasLeft: d.endpoint.ikeCount, socketErrors: d.counters.socketErrors,
  });
  await d.close();
}

async function initiator(a: InitiatorArgs): Promise<void> {
  emit("@@READY");
  for await (const l of lines) if (l.trim()) await measure(a, JSON.parse(l));
}

if (args.role === "responder") await responder(args);
else await initiator(args);
host.exit(0);
