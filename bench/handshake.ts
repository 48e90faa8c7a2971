// bench:handshake — IKE_SA_INIT + IKE_AUTH (PSK, one Child SA) per second, in-process with both ends in
// one runtime, for two proposals and the wasm and native providers. Also the responder's memory per
// established IKE SA with one Child SA, and what a vanished half-open peer costs after the timeout.
// Prints `@@BENCH {...}` lines; bench/run.mjs runs it on each runtime and writes bench/out/handshake.json.
import type { Endpoint } from "../ts/engine/endpoint.ts";
import { gc, handshake, heapUsed, pair } from "./pair.ts";
import { createWasmProvider } from "../ts/crypto/wasm/provider.ts";
import { createNativeProvider } from "../ts/crypto/native/provider.ts";
import { seededRandom } from "../ts/crypto/random.ts";
import type { CryptoProvider } from "../ts/crypto/types.ts";
import { runtime } from "./lib.ts";

const args = (globalThis as any).__BENCH_ARGS__ ?? {};
const quick = !!args.quick;

function emit(row: object) { console.log("@@BENCH " + JSON.stringify({ runtime, ...row })); }

const PROPOSALS: [string, string][] = [["aes128gcm16-prfsha256-x25519", "aes128gcm16"], ["aes128-sha256-modp2048", "aes128-sha256"]];
const providers: Record<string, () => CryptoProvider> = {
  wasm: () => createWasmProvider({ random: seededRandom(1) }),
  native: () => createNativeProvider({ random: seededRandom(2) }),
};

for (const [ike, esp] of PROPOSALS) {
  for (const [impl, make] of Object.entries(providers)) {
    const provider = make();
    let { a, b } = pair(ike, esp, provider);
    // Warm up, then timed rounds; a fresh pair every 200 handshakes keeps the tables small.
    for (let i = 0; i < 20; i++) if (!handshake(a, b, 0)) throw new Error("handshake failed in warm-up");
    const rates: number[] = [];
    const roundMs = quick ? 300 : 1000, rounds = quick ? 3 : 5;
    for (let r = 0; r < rounds; r++) {
      let n = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < roundMs) {
        if (!handshake(a, b, 0)) throw new Error("handshake failed");
        if (++n % 200 === 0) ({ a, b } = pair(ike, esp, provider));
      }
      rates.push((n * 1000) / (performance.now() - t0));
    }
    rates.sort((x, y) => x - y);
    emit({ kind: "handshake", proposal: ike, impl, handshakesPerSec: +rates[Math.floor(rates.length / 2)].toFixed(1), min: +rates[0].toFixed(1), max: +rates[rates.length - 1].toFixed(1) });
  }
}

// Memory per established IKE SA + Child SA in the responder (heap delta over N handshakes, after GC).
// Not with --core (npm run bench -- --quick): bench/scale.ts measures it there.
if (!args.core) {
  const N = quick ? 1000 : 5000;
  const provider = providers.native();
  const p: { a?: Endpoint; b: Endpoint } = pair("aes128gcm16-prfsha256-x25519", "aes128gcm16", provider);
  let a: Endpoint | undefined = p.a!;
  const b = p.b;
  p.a = undefined;
  handshake(a, b, 0);
  const hasGc = gc();
  const before = heapUsed();
  for (let i = 0; i < N; i++) handshake(a, b, 0);
  gc();
  const after = heapUsed();
  const bytes = Math.round((after - before) / N);
  // The initiator holds N SAs too: drop it whole, and what remains is the responder's.
  a = undefined;
  gc();
  const afterDrop = heapUsed();
  emit({ kind: "memory", what: "responder bytes per IKE SA with one Child SA", bytes: Math.round((afterDrop - before) / N), bothSidesBytes: bytes, sas: b.ikeCount, children: b.childCount, gc: hasGc });
  // A half-open peer that vanishes: state until the timeout, nothing after.
  const { a: a2, b: b2 } = pair("aes128gcm16-prfsha256-x25519", "aes128gcm16", provider);
  for (let i = 0; i < 1000; i++) { const out = a2.initiate("a", 0); for (const dg of out.datagrams) b2.receive({ local: dg.remote, remote: dg.local, data: dg.data }, 0); }
  const halfOpen = b2.halfOpenCount;
  b2.tick(31_000);
  emit({ kind: "memory", what: "half-open SAs before and after the 30 s timeout", before: halfOpen, after: b2.ikeCount, timersLeft: b2.nextDeadline() === undefined ? 0 : 1 });
}
console.log("@@BENCH-DONE");
