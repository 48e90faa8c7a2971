// Bitsliced AES on v128, eight blocks at a time (the SIMD build), in the layout of Käsper & Schwabe
// ("Faster and timing-attack resistant AES-GCM", 2009): 8 blocks x 16 bytes x 8 bits = 8 vectors;
// vector i holds bit i of every byte, its byte lane j is state byte j (column j >> 2, row j & 3), and
// bit k of that lane belongs to block k. ShiftRows and MixColumns' row turns are then fixed byte
// shuffles of each vector. Only used when ASC_FEATURE_SIMD is set; no table, no data-dependent branch.
import { subBytes } from "./sbox";

export const LANES: i32 = 8;
export const BATCH: i32 = 128;
/** Bytes of one round key in plane form (8 vectors). */
export const RK_BYTES: i32 = 128;

@inline function swapmove(q: usize, ia: i32, ib: i32, mask: u8, n: i32): void {
  const a = v128.load(q + 16 * ia), b = v128.load(q + 16 * ib);
  const t = v128.and(v128.xor(i64x2.shr_u(a, n), b), i8x16.splat(mask));
  v128.store(q + 16 * ib, v128.xor(b, t));
  v128.store(q + 16 * ia, v128.xor(a, i64x2.shl(t, n)));
}

/** In each byte lane, transposes the 8x8 bit matrix (vector k, bit i). Its own inverse. */
function ortho(q: usize): void {
  swapmove(q, 0, 1, 0x55, 1);
  swapmove(q, 2, 3, 0x55, 1);
  swapmove(q, 4, 5, 0x55, 1);
  swapmove(q, 6, 7, 0x55, 1);
  swapmove(q, 0, 2, 0x33, 2);
  swapmove(q, 1, 3, 0x33, 2);
  swapmove(q, 4, 6, 0x33, 2);
  swapmove(q, 5, 7, 0x33, 2);
  swapmove(q, 0, 4, 0x0F, 4);
  swapmove(q, 1, 5, 0x0F, 4);
  swapmove(q, 2, 6, 0x0F, 4);
  swapmove(q, 3, 7, 0x0F, 4);
}

/** Loads 8 blocks from src into planes at q. */
export function load8(src: usize, q: usize): void {
  memory.copy(q, src, 128);
  ortho(q);
}

/** Planes at q (clobbered) back to 8 blocks at dst. */
export function store8(q: usize, dst: usize): void {
  ortho(q);
  memory.copy(dst, q, 128);
}

// Byte shuffles on one vector (lane j = column j >> 2, row j & 3).
@inline function shiftRows(x: v128): v128 {
  return i8x16.shuffle(x, x, 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11);
}
@inline function invShiftRows(x: v128): v128 {
  return i8x16.shuffle(x, x, 0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3);
}
/** Each column turned by one row: lane (c, r) takes lane (c, r + 1). */
@inline function turn1(x: v128): v128 {
  return i8x16.shuffle(x, x, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
}
@inline function turn2(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}

@inline function xor3(a: v128, b: v128, c: v128): v128 { return v128.xor(v128.xor(a, b), c); }
@inline function xor4(a: v128, b: v128, c: v128, d: v128): v128 { return v128.xor(v128.xor(a, b), v128.xor(c, d)); }

/** MixColumns (see ct64.ts: 2t + r + t turned by two rows, t = x + r) then AddRoundKey (k = 0: none). */
@inline function mixAndKey(q: usize, k: usize, withKey: bool,
  x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128): void {
  const r0 = turn1(x0), r1 = turn1(x1), r2 = turn1(x2), r3 = turn1(x3);
  const r4 = turn1(x4), r5 = turn1(x5), r6 = turn1(x6), r7 = turn1(x7);
  const t0 = v128.xor(x0, r0), t1 = v128.xor(x1, r1), t2 = v128.xor(x2, r2), t3 = v128.xor(x3, r3);
  const t4 = v128.xor(x4, r4), t5 = v128.xor(x5, r5), t6 = v128.xor(x6, r6), t7 = v128.xor(x7, r7);
  let o0 = xor3(t7, r0, turn2(t0));
  let o1 = xor4(t0, t7, r1, turn2(t1));
  let o2 = xor3(t1, r2, turn2(t2));
  let o3 = xor4(t2, t7, r3, turn2(t3));
  let o4 = xor4(t3, t7, r4, turn2(t4));
  let o5 = xor3(t4, r5, turn2(t5));
  let o6 = xor3(t5, r6, turn2(t6));
  let o7 = xor3(t6, r7, turn2(t7));
  if (withKey) {
    o0 = v128.xor(o0, v128.load(k));
    o1 = v128.xor(o1, v128.load(k, 16));
    o2 = v128.xor(o2, v128.load(k, 32));
    o3 = v128.xor(o3, v128.load(k, 48));
    o4 = v128.xor(o4, v128.load(k, 64));
    o5 = v128.xor(o5, v128.load(k, 80));
    o6 = v128.xor(o6, v128.load(k, 96));
    o7 = v128.xor(o7, v128.load(k, 112));
  }
  v128.store(q, o0);
  v128.store(q, o1, 16);
  v128.store(q, o2, 32);
  v128.store(q, o3, 48);
  v128.store(q, o4, 64);
  v128.store(q, o5, 80);
  v128.store(q, o6, 96);
  v128.store(q, o7, 112);
}

function addRoundKey(q: usize, k: usize): void {
  for (let i = 0; i < 128; i += 16) v128.store(q + i, v128.xor(v128.load(q + i), v128.load(k + i)));
}

function encRound(q: usize, k: usize): void {
  mixAndKey(q, k, true,
    shiftRows(v128.load(q)), shiftRows(v128.load(q, 16)), shiftRows(v128.load(q, 32)), shiftRows(v128.load(q, 48)),
    shiftRows(v128.load(q, 64)), shiftRows(v128.load(q, 80)), shiftRows(v128.load(q, 96)), shiftRows(v128.load(q, 112)));
}

function lastEncRound(q: usize, k: usize): void {
  for (let i = 0; i < 128; i += 16) v128.store(q + i, v128.xor(shiftRows(v128.load(q + i)), v128.load(k + i)));
}

/** InvShiftRows, AddRoundKey, InvMixColumns (MixColumns after a + 4(a + a turned by two rows)). */
function decRound(q: usize, k: usize): void {
  const a0 = v128.xor(invShiftRows(v128.load(q)), v128.load(k));
  const a1 = v128.xor(invShiftRows(v128.load(q, 16)), v128.load(k, 16));
  const a2 = v128.xor(invShiftRows(v128.load(q, 32)), v128.load(k, 32));
  const a3 = v128.xor(invShiftRows(v128.load(q, 48)), v128.load(k, 48));
  const a4 = v128.xor(invShiftRows(v128.load(q, 64)), v128.load(k, 64));
  const a5 = v128.xor(invShiftRows(v128.load(q, 80)), v128.load(k, 80));
  const a6 = v128.xor(invShiftRows(v128.load(q, 96)), v128.load(k, 96));
  const a7 = v128.xor(invShiftRows(v128.load(q, 112)), v128.load(k, 112));
  const u0 = v128.xor(a0, turn2(a0)), u1 = v128.xor(a1, turn2(a1)), u2 = v128.xor(a2, turn2(a2));
  const u3 = v128.xor(a3, turn2(a3)), u4 = v128.xor(a4, turn2(a4)), u5 = v128.xor(a5, turn2(a5));
  const u6 = v128.xor(a6, turn2(a6)), u7 = v128.xor(a7, turn2(a7));
  mixAndKey(q, 0, false,
    v128.xor(a0, u6), xor3(a1, u6, u7), xor3(a2, u0, u7), xor3(a3, u1, u6),
    xor4(a4, u2, u6, u7), xor3(a5, u3, u7), v128.xor(a6, u4), v128.xor(a7, u5));
}

function lastDecRound(q: usize, k: usize): void {
  for (let i = 0; i < 128; i += 16) v128.store(q + i, v128.xor(invShiftRows(v128.load(q + i)), v128.load(k + i)));
}

export function encryptPlanes(q: usize, rk: usize, nr: i32): void {
  addRoundKey(q, rk);
  for (let r = 1; r < nr; r++) {
    subBytes<v128>(q, false);
    encRound(q, rk + r * RK_BYTES);
  }
  subBytes<v128>(q, false);
  lastEncRound(q, rk + nr * RK_BYTES);
}

export function decryptPlanes(q: usize, rk: usize, nr: i32): void {
  addRoundKey(q, rk + nr * RK_BYTES);
  for (let r = nr - 1; r > 0; r--) {
    subBytes<v128>(q, true);
    decRound(q, rk + r * RK_BYTES);
  }
  subBytes<v128>(q, true);
  lastDecRound(q, rk);
}

/** Round key `rk16` in plane form at out: lane j of vector i is 0xFF when bit i of byte j is set. */
export function roundKeyPlanes(rk16: usize, out: usize): void {
  const x = v128.load(rk16);
  for (let i = 0; i < 8; i++) {
    const bit = v128.and(i8x16.shr_u(x, i), i8x16.splat(1));
    v128.store(out + 16 * i, i8x16.sub(i8x16.splat(0), bit));
  }
}
