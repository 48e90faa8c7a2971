// The userspace ESP data plane on its own, in one runtime, no sockets, no TUN: per-packet cost of
// encapsulation (table lookup by selector + ESP seal) and decapsulation (SPI lookup, replay window, ICV,
// decrypt, inbound policy check) for the wasm and native providers, AES-GCM and AES-CBC+HMAC-SHA256.
// This is the ceiling the iperf3 tunnel benchmark (issue 6, bench:esp) can reach on this runtime.
// Run: `deno run -A bench/esp.ts`, `bun bench/esp.ts`, or bundle for Node as bench/run.mjs does.
// Prints one `@@BENCH {...}` line per measurement: {runtime, op, suite, impl, bytes, pps, min, max, mbps}
// (pps: median packets/s over the rounds, min/max: the slowest and fastest round, mbps: inner bytes at the median).
// With --core (npm run bench -- --quick): 1400-byte packets, AES-128 suites only.
import { createNativeProvider } from "../ts/crypto/native/provider.ts";
import { createWasmProvider } from "../ts/crypto/wasm/provider.ts";
import { seededRandom } from "../ts/crypto/random.ts";
import type { CryptoProvider } from "../ts/crypto/types.ts";
import type { ChildSaKeys } from "../ts/engine/types.ts";
import { parseSelector } from "../ts/engine/selectors.ts";
import { EspTable, createChildSa } from "../ts/esp/index.ts";
import { measure, runtime, type Measurement } from "./lib.ts";

const args = (globalThis as any).__BENCH_ARGS__ ?? {};
const quick = !!args.quick, core = !!args.core;
const roundMs = quick ? 60 : 200, rounds = quick ? 3 : 5, warmMs = quick ? 40 : 150;

const random = seededRandom(42);
const providers: Record<string, CryptoProvider> = { wasm: createWasmProvider({ random }), native: createNativeProvider({ random }) };
const ALL_SUITES = [
  { name: "aes128gcm16", encr: 20, bits: 128, integ: 0 },
  { name: "aes256gcm16", encr: 20, bits: 256, integ: 0 },
  { name: "aes128-sha256", encr: 12, bits: 128, integ: 12 },
  { name: "aes256-sha256", encr: 12, bits: 256, integ: 12 },
];
const SUITES = core ? ALL_SUITES.filter((s) => s.bits === 128) : ALL_SUITES;

function keys(p: CryptoProvider, s: (typeof ALL_SUITES)[number]): { a: ChildSaKeys; b: ChildSaKeys } {
  const e = p.encr(s.encr, s.bits), il = s.integ ? p.integ(s.integ).keyLen : 0;
  const r = (n: number) => { const b = new Uint8Array(n); random(b); return b; };
  const [e1, e2, i1, i2] = [r(e.keyMaterialLen), r(e.keyMaterialLen), r(il), r(il)];
  const c = { encr: { id: s.encr, keyBits: s.bits }, integ: s.integ, esn: true };
  return {
    a: { ...c, spiIn: 0x1000, spiOut: 0x2000, encrKeyIn: e2, integKeyIn: i2, encrKeyOut: e1, integKeyOut: i1 },
    b: { ...c, spiIn: 0x2000, spiOut: 0x1000, encrKeyIn: e1, integKeyIn: i1, encrKeyOut: e2, integKeyOut: i2 },
  };
}

function udpPacket(len: number): Uint8Array {
  const b = new Uint8Array(len);
  b[0] = 0x45; b[2] = len >> 8; b[3] = len & 0xff; b[8] = 64; b[9] = 17;
  b.set([10, 1, 0, 1], 12); b.set([10, 2, 0, 1], 16);
  b[20] = 0x13; b[21] = 0x88; b[22] = 0x13; b[23] = 0x89; b[24] = (len - 20) >> 8; b[25] = (len - 20) & 0xff;
  return b;
}

const sel = { local: [parseSelector("10.1.0.0/16")], remote: [parseSelector("10.2.0.0/16")] };
const RING = 8192;

for (const bytes of core ? [1400] : [64, 1400]) {
  const inner = udpPacket(bytes);
  for (const s of SUITES) {
    for (const [impl, p] of Object.entries(providers)) {
      const k = keys(p, s);
      let id = 1;
      const fresh = () => {
        const A = new EspTable(), B = new EspTable();
        A.install(createChildSa(p, k.a, { id, selectors: sel }), 0);
        B.install(createChildSa(p, k.b, { id, selectors: { local: sel.remote, remote: sel.local } }), 0);
        id++;
        return { A, B };
      };
      // Encapsulation through the table (selector match + seal).
      let t = fresh();
      const enc = measure(() => { const o = t.A.outbound(inner, 0); if (!o.ok) throw new Error(o.reason); }, { roundMs, rounds, warmMs });
      emit("encap", s.name, impl, bytes, enc);
      // Decapsulation of distinct packets (a duplicate would stop at the replay check), refilled per ring.
      t = fresh();
      const ring: Uint8Array[] = [];
      for (let i = 0; i < RING; i++) { const o = t.A.outbound(inner, 0); if (!o.ok) throw new Error(o.reason); ring.push(o.packet); }
      let i = 0;
      const dec = measure(() => {
        if (i === RING) { i = 0; t.B = fresh().B; }
        const r = t.B.inbound(ring[i++], 0);
        if (!r.ok) throw new Error(r.reason);
      }, { roundMs, rounds, warmMs });
      emit("decap", s.name, impl, bytes, dec);
    }
  }
}
console.log("@@BENCH-DONE");

function emit(op: string, suite: string, impl: string, bytes: number, m: Measurement): void {
  const pps = m.opsPerSec;
  console.log("@@BENCH " + JSON.stringify({ runtime, op, suite, impl, bytes, pps: Math.round(pps), min: Math.round(m.min), max: Math.round(m.max), mbps: +((pps * bytes * 8) / 1e6).toFixed(1) }));
}
