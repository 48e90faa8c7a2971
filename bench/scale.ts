// bench:scale — how the responder's cost grows with the number of established SAs, measured (not
// extrapolated) in one runtime with the in-process endpoint pair of bench/handshake.ts:
//   - memory: responder heap (after forced GC) per established IKE SA with one Child SA, at each level
//     (below MEM_SAS SAs: R responders of N SAs each against R empty ones, so the growth is measurable),
//     and per additional Child SA (the same IKE SAs with a second Child SA from CREATE_CHILD_SA);
//   - tick(): time of one call when nothing is due, with N SAs held;
//   - handshake rate with N SAs held: IKE_SA_INIT + IKE_AUTH + the INFORMATIONAL delete of that IKE SA
//     (the delete keeps the responder at N), from a fresh initiator endpoint.
// SAs are built by initiator endpoints of 1000 handshakes each, dropped once done, so the heap holds
// the responder's SAs only. Levels 1, 100, 1,000, 10,000, 50,000 (--quick: 1, 100, 1,000, 5,000, to stay inside npm run bench -- --quick's two minutes).
// Prints `@@BENCH {...}` lines; bench/run.mjs runs it on each runtime and writes bench/out/scale.json.
import type { Endpoint } from "../ts/engine/endpoint.ts";
import { createNativeProvider } from "../ts/crypto/native/provider.ts";
import { seededRandom } from "../ts/crypto/random.ts";
import { exchange, gc, handshakeId, heapUsed, initiator, responder, rss } from "./pair.ts";
import { measure, runtime } from "./lib.ts";

const args = (globalThis as any).__BENCH_ARGS__ ?? {};
const quick = !!args.quick;
const LEVELS = (args.levels as number[] | undefined) ?? (quick ? [1, 100, 1000, 5000] : [1, 100, 1000, 10000, 50000]);
const IKE = "aes128gcm16-prfsha256-x25519", ESP = "aes128gcm16", PROVIDER = "native";
const MEM_SAS = quick ? 500 : 2000;
const roundMs = quick ? 100 : 500, rounds = quick ? 3 : 5, warmMs = quick ? 30 : 150;

function emit(row: object) { console.log("@@BENCH " + JSON.stringify({ runtime, ike: IKE, impl: PROVIDER, ...row })); }
const provider = createNativeProvider({ random: seededRandom(3) });
const hasGc = gc();
// Warm-up: the first handshakes compile code and fill lazy caches, which would count as the first SA's memory.
{ const w = responder(IKE, ESP, provider); build(w, 50); }

/** Adds `count` established IKE SAs (one Child SA each) to b, 1000 per initiator endpoint. */
function build(b: Endpoint, count: number, child2 = false): void {
  while (count > 0) {
    const n = Math.min(1000, count);
    const a = initiator(IKE, ESP, provider);
    for (let i = 0; i < n; i++) {
      const id = handshakeId(a, b, 0);
      if (id < 0) throw new Error("handshake failed while building SAs");
      if (child2 && exchange(a, b, a.createChild(id, "net", 0), 0) !== 2) throw new Error("CREATE_CHILD_SA failed");
    }
    count -= n;
  }
}

// Per Child SA: M IKE SAs with one Child SA against M with two, each set in its own responder, each
// against its own baseline (median of REPS). Runs first, while the heap is small (Bun's collector is
// conservative: big garbage can linger).
function perChild(): void {
  const M = quick ? 500 : 2000, REPS = quick ? 1 : 3;
  { const w = responder(IKE, ESP, provider); build(w, 50, true); } // warms the CREATE_CHILD_SA path
  /** Heap growth per IKE SA of a responder holding M IKE SAs with one or two Child SAs each. */
  const once = (child2: boolean): number => {
    gc();
    const h0 = heapUsed();
    const b = responder(IKE, ESP, provider);
    build(b, M, child2);
    gc();
    const h1 = heapUsed();
    if (b.childCount !== (child2 ? 2 : 1) * M) throw new Error(`Child SA count ${b.childCount}`);
    return (h1 - h0) / M;
  };
  const one: number[] = [], two: number[] = [];
  for (let r = 0; r < REPS; r++) { one.push(once(false)); two.push(once(true)); }
  const med = (x: number[]) => x.sort((p, q) => p - q)[Math.floor(x.length / 2)];
  const perIke1 = med(one), perIke2 = med(two);
  emit({ kind: "memory", ikeSas: M, reps: REPS, bytesPerIkeSaOneChild: Math.round(perIke1), bytesPerIkeSaTwoChildren: Math.round(perIke2), bytesPerChildSa: Math.round(perIke2 - perIke1), gc: hasGc });
}

// Scale curve (in a function, so that its responder is garbage once it returns).
function scaleCurve(): void {
  const b = responder(IKE, ESP, provider);
  gc();
  const h0 = heapUsed(), r0 = rss();
  let built = 0, buildMs = 0, prevHeap = 0, prevLevel = 0;
  for (const level of LEVELS) {
    const t0 = performance.now();
    build(b, level - built);
    buildMs += performance.now() - t0;
    built = level;
    gc();
    const heap = heapUsed() - h0, rssDelta = rss() - r0;
    // Below 1,000 SAs one responder's growth is lost in the heap's noise: measure R responders holding
    // `level` SAs each against R empty ones (R × level = MEM_SAS), and divide.
    let perSa = Math.round(heap / level), memMethod = "one responder";
    if (level < MEM_SAS) {
      const R = Math.ceil(MEM_SAS / level);
      const many: Endpoint[] = [];
      gc();
      const e0 = heapUsed();
      for (let i = 0; i < R; i++) many.push(responder(IKE, ESP, provider));
      gc();
      const e1 = heapUsed();
      for (const m of many) build(m, level);
      gc();
      const e2 = heapUsed();
      if (many.some((m) => m.ikeCount !== level)) throw new Error("replicated responders: wrong SA count");
      perSa = Math.round((e2 - e1) / (R * level));
      memMethod = `${R} responders of ${level} SA(s) against ${R} empty ones (${Math.round((e1 - e0) / R)} bytes each)`;
      many.length = 0;
    }
    // Marginal bytes per SA since the previous level (the first level: since the empty responder).
    const marginal = Math.round((heap - prevHeap) / (level - prevLevel));
    prevHeap = heap; prevLevel = level;
    if (b.ikeCount !== level || b.childCount !== level) throw new Error(`expected ${level} SAs, have ${b.ikeCount} IKE / ${b.childCount} Child`);
    // tick() when nothing is due (no lifetimes, no DPD, nothing outstanding).
    const probe = b.tick(1000);
    if (probe.datagrams.length) throw new Error("tick sent datagrams: the measurement would not be of an idle tick");
    const tick = measure(() => { b.tick(1000); }, { roundMs, rounds, warmMs });
    // Handshake + delete against the responder holding `level` SAs.
    const a = initiator(IKE, ESP, provider);
    const one = () => {
      const id = handshakeId(a, b, 0);
      if (id < 0) throw new Error("handshake failed");
      exchange(a, b, a.deleteIke(id, 0), 0);
    };
    const hs = measure(one, { roundMs, rounds, warmMs });
    if (b.ikeCount !== level) throw new Error(`the deletes left ${b.ikeCount} SAs, expected ${level}`);
    const us = (x: number) => +(1e6 / x).toPrecision(4);
    emit({
      kind: "scale", sas: level, heapBytes: heap, bytesPerIkeSa: perSa, heapPerSaOneResponder: Math.round(heap / level), marginalBytesPerIkeSa: marginal, memMethod, rssBytes: rssDelta,
      tickUs: us(tick.opsPerSec), tickUsMin: us(tick.max), tickUsMax: us(tick.min),
      handshakesPerSec: +hs.opsPerSec.toFixed(1), min: +hs.min.toFixed(1), max: +hs.max.toFixed(1),
      buildSeconds: +(buildMs / 1000).toFixed(2), gc: hasGc,
    });
  }
}

perChild();
scaleCurve();
console.log("@@BENCH-DONE");
