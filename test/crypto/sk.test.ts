// ts/crypto/sk.ts: the SK payload (RFC 7296 §3.14 AES-CBC + HMAC, RFC 5282 AES-GCM) and SKF fragments
// (RFC 7383). Every SK/SKF payload strongSwan sent in the recorded scenarios opens with the logged keys
// through every provider; a single flipped bit anywhere is refused before anything is decrypted; our
// sealer's output opens with our opener and with node:crypto (test/interop/ikev2-wire.mjs); fragments
// split and reassemble under every rule of RFC 7383 §2.5-§2.6.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { hex, runtime, test, toHex } from "../lib/harness.ts";
import { CryptoError, seededRandom, type CryptoProvider, type Encr, type RandomSource } from "../../ts/crypto/index.ts";
import {
  FragmentReassembler, sealFragments, SkOpener, SkSealer, DEFAULT_REASSEMBLY_LIMITS, PAYLOAD_SK, PAYLOAD_SKF,
  type Opened, type ReassemblyLimits, type SkDirectionKeys,
} from "../../ts/crypto/sk.ts";
import { providers } from "./providers-lib.ts";
import {
  bytesOf, findEncrypted, firstInnerOf, fixtures, ikeSaOf, plaintextOf, SCENARIOS, senderKeys, type Fixture,
} from "./strongswan-keys.ts";
// @ts-ignore: plain JS test tooling (node:crypto), independent of ts/crypto
import { decryptSK } from "../interop/ikev2-wire.mjs";

const PROVIDERS = ["wasm", "wasm-scalar", "native", "js"] as const;
let subjects: ReturnType<typeof providers> | undefined;
function provider(label: string): CryptoProvider {
  subjects ??= providers();
  const s = subjects.find((x) => x.label === label);
  if (!s) throw new Error(`providers-lib has no provider labelled ${label} (has ${subjects.map((x) => x.label).join(", ")})`);
  return s.p;
}
const fixture = (name: string): Fixture => fixtures().find((f) => f.name === name)!;

/** A 28-octet IKE header (RFC 7296 §3.1) whose Next Payload is `next`; Length is patched by the sealer. */
function ikeHeader(next: number, messageId = 7, flags = 0x08): Uint8Array {
  const h = new Uint8Array(28);
  h.set(hex("0102030405060708 1112131415161718"));
  h[16] = next; h[17] = 0x20; h[18] = 37; h[19] = flags;
  new DataView(h.buffer).setUint32(20, messageId);
  return h;
}

/** Wraps an Encr so the test sees every decryption: "nothing parsed" means nothing was even decrypted. */
function spy(encr: Encr, seen: { decrypts: number; opens: number }): Encr {
  const wrapped = Object.create(encr) as Encr & { withKey(k: Uint8Array): unknown };
  wrapped.withKey = (key: Uint8Array) => {
    const k = encr.withKey(key) as unknown as Record<string, (...a: unknown[]) => unknown>;
    const w = Object.create(k);
    if (encr.aead) {
      w.open = (...a: unknown[]) => { const r = k.open(...a); if (r) seen.opens++; return r; };
    } else {
      w.decrypt = (...a: unknown[]) => { seen.decrypts++; return k.decrypt(...a); };
      w.decryptInto = (...a: unknown[]) => { seen.decrypts++; return k.decryptInto(...a); };
    }
    return w;
  };
  return wrapped;
}

/** Keys for a fresh direction: CBC (ENCR 12) with an HMAC, or GCM (18/19/20). */
function freshKeys(p: CryptoProvider, encrId: number, bits: number, integId?: number, seed = 1): SkDirectionKeys {
  const rnd = seededRandom(seed);
  const encr = p.encr(encrId, bits);
  const encrKey = new Uint8Array(encr.keyMaterialLen); rnd(encrKey);
  if (encr.aead) return { encr, encrKey };
  const integ = p.integ(integId!);
  const integKey = new Uint8Array(integ.keyLen); rnd(integKey);
  return { encr, encrKey, integ, integKey };
}

const CBC_SUITES = [128, 192, 256].flatMap((bits) => [2, 12, 13, 14].map((integ) => ({ encr: 12, bits, integ })));
const GCM_SUITES = [128, 192, 256].flatMap((bits) => [18, 19, 20].map((encr) => ({ encr, bits, integ: undefined as number | undefined })));

// ---------------------------------------------------------------------------------------------------
// strongSwan's messages

for (const name of SCENARIOS) {
  for (const label of PROVIDERS) {
    test(`sk ${name} [${label}]: every recorded SK/SKF payload opens with the logged keys to the recorded plaintext`, () => {
      const f = fixture(name), p = provider(label);
      let opened = 0, fragments = 0;
      for (const m of f.messages) {
        const bytes = bytesOf(m);
        const enc = findEncrypted(bytes);
        if (m.decryptedHex === undefined) { assert.equal(enc, undefined, `message ${m.i} is unprotected`); continue; }
        assert.ok(enc, `message ${m.i} carries SK or SKF`);
        assert.equal(enc.type, m.fragment ? PAYLOAD_SKF : PAYLOAD_SK);
        const sa = ikeSaOf(f, m);
        const opener = new SkOpener(senderKeys(p, sa, bytes));
        const r = opener.open(bytes, enc.offset, enc.type);
        assert.ok(r, `${name} message ${m.i} (${m.exchange}${m.response ? " response" : ""}) opens`);
        assert.equal(toHex(r.inner), m.decryptedHex, `${name} message ${m.i}: plaintext`);
        assert.equal(r.firstInner, bytes[enc.offset]);
        if (m.fragment) {
          assert.deepEqual(r.fragment, m.fragment);
          if (m.fragment.number > 1) assert.equal(r.firstInner, 0, "RFC 7383 §2.5: Next Payload is 0 after the first fragment");
          fragments++;
        } else assert.equal(r.fragment, undefined);
        assert.equal(opener.icvFailures, 0);
        // The other direction's keys do not open it (SK_ei vs SK_er, §2.14).
        const other = new Uint8Array(bytes); other[19] ^= 0x08;
        const wrong = new SkOpener(senderKeys(p, sa, other));
        assert.equal(wrong.open(bytes, enc.offset, enc.type), null);
        assert.equal(wrong.icvFailures, 1);
        opened++;
      }
      const expected = f.messages.filter((m) => m.decryptedHex !== undefined).length;
      assert.equal(opened, expected);
      assert.ok(opened >= 12, `${name}: ${opened} protected messages`);
      if (name === "fragmented") assert.equal(fragments, 10); else assert.equal(fragments, 0);
    });

    test(`sk ${name} [${label}]: a flipped bit anywhere in a protected message is refused before anything is decrypted`, () => {
      const f = fixture(name), p = provider(label);
      let attempts = 0;
      const protectedMsgs = f.messages.filter((m) => m.decryptedHex !== undefined);
      // The smallest message gets every bit flipped; the others one bit in every byte (a different bit each byte).
      const smallest = protectedMsgs.reduce((a, b) => (a.udpPayloadHex.length <= b.udpPayloadHex.length ? a : b));
      for (const m of protectedMsgs) {
        const bytes = bytesOf(m);
        const enc = findEncrypted(bytes)!;
        const seen = { decrypts: 0, opens: 0 };
        const keys = senderKeys(p, ikeSaOf(f, m), bytes);
        const opener = new SkOpener({ ...keys, encr: spy(keys.encr, seen) });
        const bits = m === smallest ? bytes.length * 8 : bytes.length;
        for (let k = 0; k < bits; k++) {
          const bit = m === smallest ? k : k * 8 + (k % 8);
          const bad = new Uint8Array(bytes);
          bad[bit >> 3] ^= 1 << (bit & 7);
          assert.equal(opener.open(bad, enc.offset, enc.type), null, `${name} message ${m.i}: bit ${bit} flipped`);
          attempts++;
          assert.equal(opener.icvFailures, k + 1);
        }
        assert.equal(seen.decrypts, 0, "CBC: nothing decrypted when the ICV fails");
        assert.equal(seen.opens, 0, "GCM: no plaintext released");
        // The untouched message still opens with the same opener, and the spy sees that one decryption.
        assert.ok(opener.open(bytes, enc.offset, enc.type));
        assert.equal(seen.decrypts + seen.opens, 1, "the spy sees decryptions");
      }
      assert.ok(attempts > 1000);
    });
  }
}

test("sk fragmented: strongSwan's SKF fragments reassemble to the recorded plaintext, in order and reversed", () => {
  const f = fixture("fragmented");
  for (const label of PROVIDERS) {
    const p = provider(label);
    const lasts = f.messages.filter((m) => m.reassembledFrom);
    assert.equal(lasts.length, 5, "the IKE_AUTH request and four CREATE_CHILD_SA messages came in 2 fragments each");
    for (const last of lasts) {
      const sa = ikeSaOf(f, last);
      const opened = last.reassembledFrom!.map((i) => {
        const b = bytesOf(f.messages[i]);
        const e = findEncrypted(b)!;
        return new SkOpener(senderKeys(p, sa, b)).open(b, e.offset, e.type)!;
      });
      for (const order of [opened, [...opened].reverse()]) {
        const r = new FragmentReassembler();
        const results = order.map((o) => r.add(last.messageId, o, 0));
        const done = results.at(-1)!;
        assert.deepEqual(results.slice(0, -1).map((x) => x.kind), order.slice(1).map(() => "pending"));
        assert.equal(done.kind, "complete");
        if (done.kind !== "complete") continue;
        assert.equal(toHex(done.inner), toHex(plaintextOf(f, last)!));
        assert.equal(done.firstInner, firstInnerOf(f, last));
        assert.equal(r.size, 0);
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------------
// Our sealer

for (const label of PROVIDERS) {
  test(`sk [${label}]: SkSealer output opens with SkOpener and with node:crypto, for every CBC and GCM key size and ICV length`, () => {
    const p = provider(label);
    const random = seededRandom(11);
    const inners = [0, 1, 2, 3, 14, 15, 16, 17, 31, 32, 33, 200].map((n) => { const b = new Uint8Array(n); random(b); return b; });
    // A cleartext payload before SK: a Vendor ID (43) whose Next Payload names SK (46). The AAD / ICV must cover it.
    const vendor = hex("2e000008cafebabe");
    for (const s of [...CBC_SUITES, ...GCM_SUITES]) {
      const keys = freshKeys(p, s.encr, s.bits, s.integ, s.encr * 1000 + s.bits + (s.integ ?? 0));
      const sealer = new SkSealer(keys, random), opener = new SkOpener(keys);
      for (const inner of inners) {
        for (const withVendor of [false, true]) {
          const prefix = withVendor ? new Uint8Array([...ikeHeader(43), ...vendor]) : ikeHeader(PAYLOAD_SK);
          const out = sealer.seal(prefix, 35, inner);
          const where = `${keys.encr.name}-${s.bits}${keys.integ ? "/" + keys.integ.name : ""}, ${inner.length} bytes${withVendor ? " after a V payload" : ""}`;
          // Layout (§3.14): prefix | SK header | IV | ciphertext (payloads, padding, Pad Length) | ICV.
          assert.equal(toHex(out.subarray(0, 24)) + toHex(out.subarray(28, prefix.length)), toHex(prefix.subarray(0, 24)) + toHex(prefix.subarray(28)), `${where}: prefix kept`);
          assert.equal(new DataView(out.buffer, out.byteOffset).getUint32(24), out.length, `${where}: IKE header Length patched`);
          const skOff = prefix.length;
          assert.equal(out[skOff], 35, "SK Next Payload = first inner payload");
          assert.equal(out[skOff + 1], 0, "C bit and RESERVED are zero");
          assert.equal((out[skOff + 2] << 8) | out[skOff + 3], out.length - skOff, "SK Payload Length");
          const ctLen = out.length - skOff - 4 - sealer.ivLen - sealer.icvLen;
          if (!keys.encr.aead) {
            assert.equal(ctLen % 16, 0, `${where}: whole AES blocks`);
            assert.ok(ctLen >= inner.length + 1 && ctLen < inner.length + 17, `${where}: minimal padding`);
          } else assert.equal(ctLen, inner.length + 1, `${where}: GCM needs no padding`);
          assert.equal(out.length - skOff, sealer.overhead(inner.length) + inner.length, `${where}: overhead() is exact`);
          const r = opener.open(out, skOff);
          assert.ok(r, `${where}: opens`);
          assert.equal(toHex(r.inner), toHex(inner));
          assert.equal(r.firstInner, 35);
          // node:crypto, through the fixture tooling's own SK code (Deno's node:crypto has no AES-192).
          if (s.bits === 192 && runtime === "deno") continue;
          const theirs = decryptSK(Buffer.from(out), { encrId: s.encr, integId: s.integ ?? null },
            { SK_e: Buffer.from(keys.encrKey), SK_a: keys.integKey ? Buffer.from(keys.integKey) : undefined });
          assert.equal(toHex(theirs.plaintext), toHex(inner), `${where}: node:crypto agrees`);
          assert.equal(theirs.innerFirst, 35);
        }
      }
      assert.equal(opener.icvFailures, 0);
    }
  });

  test(`sk [${label}]: AES-GCM IVs never repeat across 1000 messages; AES-CBC IVs are fresh random bytes`, () => {
    const p = provider(label);
    const gcm = freshKeys(p, 20, 128);
    const sealer = new SkSealer(gcm, () => { throw new Error("GCM must not need randomness for its IV"); });
    const opener = new SkOpener(gcm);
    const ivs = new Set<string>();
    const inner = new Uint8Array(40);
    for (let i = 0; i < 1000; i++) {
      const out = sealer.seal(ikeHeader(PAYLOAD_SK, i), 41, inner);
      ivs.add(toHex(out.subarray(32, 40)));
      if (i % 97 === 0) assert.ok(opener.open(out, 28));
    }
    assert.equal(ivs.size, 1000);

    // CBC: the IV is exactly what the injected RandomSource produced, never derived from earlier ciphertext.
    const drawn: string[] = [];
    const base = seededRandom(99);
    const recording: RandomSource = (out) => { base(out); drawn.push(toHex(out)); };
    const cbc = freshKeys(p, 12, 256, 12);
    const cs = new SkSealer(cbc, recording), co = new SkOpener(cbc);
    const cbcIvs = new Set<string>();
    let prevLastBlock = "";
    for (let i = 0; i < 1000; i++) {
      const out = cs.seal(ikeHeader(PAYLOAD_SK, i), 41, inner);
      const iv = toHex(out.subarray(32, 48));
      assert.equal(iv, drawn[i], "IV = the random bytes drawn for this message");
      assert.notEqual(iv, prevLastBlock, "not the previous message's last ciphertext block");
      prevLastBlock = toHex(out.subarray(out.length - 16 - 16, out.length - 16));
      cbcIvs.add(iv);
      if (i % 97 === 0) assert.ok(co.open(out, 28));
    }
    assert.equal(drawn.length, 1000);
    assert.equal(cbcIvs.size, 1000);
  });
}

test("sk: sealer and opener refuse wrong key material and a missing integrity transform", () => {
  const p = provider("native");
  const throwsCode = (f: () => unknown, code: string) => assert.throws(f, (e: unknown) => e instanceof CryptoError && e.code === code);
  throwsCode(() => new SkSealer({ encr: p.encr(20, 128), encrKey: new Uint8Array(16) }, seededRandom(1)), "INVALID_KEY_LENGTH");
  throwsCode(() => new SkOpener({ encr: p.encr(12, 256), encrKey: new Uint8Array(16), integ: p.integ(12), integKey: new Uint8Array(32) }), "INVALID_KEY_LENGTH");
  throwsCode(() => new SkSealer({ encr: p.encr(12, 128), encrKey: new Uint8Array(16) }, seededRandom(1)), "INVALID_ARGUMENT");
  throwsCode(() => new SkOpener({ encr: p.encr(12, 128), encrKey: new Uint8Array(16) }), "INVALID_ARGUMENT");
  const s = new SkSealer(freshKeys(p, 20, 128), seededRandom(1));
  throwsCode(() => s.seal(new Uint8Array(27), 41, new Uint8Array(1)), "INVALID_ARGUMENT");
  throwsCode(() => s.sealFragment(ikeHeader(PAYLOAD_SKF), 41, new Uint8Array(1), 0, 1), "INVALID_ARGUMENT");
  throwsCode(() => s.sealFragment(ikeHeader(PAYLOAD_SKF), 41, new Uint8Array(1), 3, 2), "INVALID_ARGUMENT");
  throwsCode(() => s.seal(ikeHeader(PAYLOAD_SK), 41, new Uint8Array(70000)), "INVALID_INPUT_LENGTH");
});

test("sk: malformed SK payloads (bad lengths, truncated, trailing bytes, wrong offset) return null and are counted", () => {
  const p = provider("native");
  for (const keys of [freshKeys(p, 20, 128), freshKeys(p, 12, 128, 12)]) {
    const sealer = new SkSealer(keys, seededRandom(3)), opener = new SkOpener(keys);
    const good = sealer.seal(ikeHeader(PAYLOAD_SK), 41, new Uint8Array(20));
    const cases: [string, Uint8Array, number][] = [
      ["truncated by one byte", good.subarray(0, good.length - 1), 28],
      ["one extra byte", new Uint8Array([...good, 0]), 28],
      ["shorter than the IKE header", good.subarray(0, 20), 28],
      ["SK offset inside the header", good, 4],
      ["SK offset past the end", good, good.length],
      ["only the SK header", (() => { const b = new Uint8Array([...ikeHeader(PAYLOAD_SK), 41, 0, 0, 4]); new DataView(b.buffer).setUint32(24, b.length); return b; })(), 28],
    ];
    let n = 0;
    for (const [what, b, off] of cases) {
      assert.equal(opener.open(b, off), null, what);
      assert.equal(opener.icvFailures, ++n, what);
    }
    // The right bytes as SKF (or the wrong type) do not open either: the fragment fields shift everything.
    assert.equal(opener.open(good, 28, PAYLOAD_SKF), null);
    assert.ok(opener.open(good, 28));
  }
});

// ---------------------------------------------------------------------------------------------------
// Fragments (RFC 7383)

/** Deterministic Fisher-Yates shuffle. */
function shuffle<T>(a: T[], seed: number): T[] {
  const out = [...a], rnd = seededRandom(seed), b = new Uint8Array(4);
  for (let i = out.length - 1; i > 0; i--) { rnd(b); const j = new DataView(b.buffer).getUint32(0) % (i + 1); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

for (const label of PROVIDERS) {
  test(`sk [${label}]: sealFragments splits at several sizes; every fragment fits; any order reassembles`, () => {
    const p = provider(label);
    const inner = new Uint8Array(1500); seededRandom(5)(inner);
    for (const keys of [freshKeys(p, 20, 128), freshKeys(p, 19, 256), freshKeys(p, 12, 128, 12), freshKeys(p, 12, 256, 14)]) {
      const sealer = new SkSealer(keys, seededRandom(6)), opener = new SkOpener(keys);
      for (const max of [100, 150, 241, 576, 1280, 1600]) {
        const frags = sealFragments(sealer, ikeHeader(PAYLOAD_SKF, 3), 35, inner, max);
        const where = `${keys.encr.name}, max ${max}`;
        if (max === 1600) assert.equal(frags.length, 1, `${where}: one fragment when it all fits`);
        else assert.ok(frags.length > 1, where);
        const opened: Opened[] = [];
        frags.forEach((fr, i) => {
          assert.ok(fr.length <= max, `${where}: fragment ${i + 1} is ${fr.length} bytes`);
          // No room wasted: all but the last fill the limit (CBC: within one block).
          if (i < frags.length - 1) assert.ok(fr.length > max - (keys.encr.aead ? 1 : 16), `${where}: fragment ${i + 1} is only ${fr.length} bytes`);
          const o = opener.open(fr, 28, PAYLOAD_SKF);
          assert.ok(o, `${where}: fragment ${i + 1} opens`);
          assert.deepEqual(o.fragment, { number: i + 1, total: frags.length });
          assert.equal(o.firstInner, i === 0 ? 35 : 0);
          // node:crypto agrees, with the fragment fields in the AAD / ICV.
          if (keys.encr.keyLen === 24 && runtime === "deno") { opened.push(o); return; }
          const theirs = decryptSK(Buffer.from(fr), { encrId: keys.encr.id, integId: keys.integ?.id ?? null },
            { SK_e: Buffer.from(keys.encrKey), SK_a: keys.integKey ? Buffer.from(keys.integKey) : undefined });
          assert.deepEqual(theirs.fragment, o.fragment);
          opened.push(o);
        });
        for (const seed of [1, 2, 3]) {
          const r = new FragmentReassembler({ ...DEFAULT_REASSEMBLY_LIMITS, maxFragments: 200 });
          const order = shuffle(opened, seed * max);
          const res = order.map((o) => r.add(3, o, 0));
          const last = res.at(-1)!;
          assert.ok(res.slice(0, -1).every((x) => x.kind === "pending"));
          assert.equal(last.kind, "complete", where);
          if (last.kind === "complete") {
            assert.equal(toHex(last.inner), toHex(inner));
            assert.equal(last.firstInner, 35);
          }
        }
      }
      assert.throws(() => sealFragments(sealer, ikeHeader(PAYLOAD_SKF), 35, inner, 28 + 8 + sealer.ivLen + sealer.icvLen + 1),
        (e: unknown) => e instanceof CryptoError && e.code === "INVALID_ARGUMENT");
    }
  });
}

test("sk: FragmentReassembler rules (RFC 7383 §2.5-§2.6): duplicates, timeout, limits, PMTUD restart", () => {
  const p = provider("native");
  const keys = freshKeys(p, 20, 128);
  const sealer = new SkSealer(keys, seededRandom(8)), opener = new SkOpener(keys);
  const inner = new Uint8Array(300); seededRandom(9)(inner);
  const split = (max: number, id = 1) => sealFragments(sealer, ikeHeader(PAYLOAD_SKF, id), 35, inner, max).map((b) => opener.open(b, 28, PAYLOAD_SKF)!);
  const three = split(180);
  assert.equal(three.length, 3);
  const limits: ReassemblyLimits = { ...DEFAULT_REASSEMBLY_LIMITS };

  // Duplicate: dropped, the set still completes.
  {
    const r = new FragmentReassembler(limits);
    assert.equal(r.add(1, three[0], 0).kind, "pending");
    const dup = r.add(1, three[0], 1);
    assert.deepEqual(dup, { kind: "dropped", reason: "duplicate fragment" });
    assert.equal(r.add(1, three[2], 2).kind, "pending");
    assert.equal(r.add(1, three[1], 3).kind, "complete");
  }
  // Missing fragment: the set is discarded at the deadline on the injected clock.
  {
    const r = new FragmentReassembler(limits);
    assert.equal(r.nextDeadline(), undefined);
    r.add(1, three[0], 1000);
    r.add(1, three[1], 5000);
    assert.equal(r.nextDeadline(), 1000 + limits.timeoutMs, "the deadline counts from the first fragment");
    r.expire(1000 + limits.timeoutMs - 1);
    assert.equal(r.size, 1);
    r.expire(1000 + limits.timeoutMs);
    assert.equal(r.size, 0);
    assert.equal(r.nextDeadline(), undefined);
    // A late third fragment starts a new set instead of completing the discarded one.
    assert.equal(r.add(1, three[2], 1000 + limits.timeoutMs + 1).kind, "pending");
  }
  // Too many fragments.
  {
    const r = new FragmentReassembler({ ...limits, maxFragments: 2 });
    const res = r.add(1, three[0], 0);
    assert.equal(res.kind, "dropped");
    assert.match((res as { reason: string }).reason, /total fragments 3 exceeds limit 2/);
    assert.equal(r.size, 0);
  }
  // Oversize total: the set is dropped once its bytes pass the limit.
  {
    const r = new FragmentReassembler({ ...limits, maxBytes: 200 });
    assert.equal(r.add(1, three[0], 0).kind, "pending");
    const res = r.add(1, three[1], 0);
    assert.equal(res.kind, "dropped");
    assert.match((res as { reason: string }).reason, /exceeds 200 bytes/);
    assert.equal(r.size, 0);
  }
  // A larger Total Fragments restarts the set (PMTUD, §2.5.2); a smaller one is then ignored.
  {
    const two = split(241);
    assert.equal(two.length, 2);
    const r = new FragmentReassembler(limits);
    assert.equal(r.add(1, two[0], 0).kind, "pending");
    assert.equal(r.add(1, three[0], 1).kind, "pending");
    assert.equal(r.add(1, two[1], 2).kind, "dropped", "fragment of the older, smaller set");
    assert.equal(r.add(1, three[1], 3).kind, "pending");
    const done = r.add(1, three[2], 4);
    assert.equal(done.kind, "complete");
    if (done.kind === "complete") assert.equal(toHex(done.inner), toHex(inner));
  }
  // Several message IDs at once, bounded by maxPending; an unfragmented Opened is refused.
  {
    const r = new FragmentReassembler({ ...limits, maxPending: 2 });
    assert.equal(r.add(1, three[0], 0).kind, "pending");
    assert.equal(r.add(2, three[0], 0).kind, "pending");
    assert.deepEqual(r.add(3, three[0], 0), { kind: "dropped", reason: "too many messages in reassembly" });
    assert.equal(r.add(4, { firstInner: 35, inner: new Uint8Array(4) }, 0).kind, "dropped");
    assert.equal(r.add(5, { firstInner: 35, inner: new Uint8Array(4), fragment: { number: 4, total: 3 } }, 0).kind, "dropped");
    assert.equal(r.add(5, { firstInner: 35, inner: new Uint8Array(4), fragment: { number: 0, total: 3 } }, 0).kind, "dropped");
    assert.equal(r.size, 2);
  }
});
