// Bitsliced AES on 64-bit words, four blocks at a time (the scalar build). The idea is BearSSL's
// aes_ct64: 4 blocks x 16 bytes x 8 bits = 8 words of 64 bits, word i holding bit i of all 64 bytes.
// Within a word, bit (row * 16 + col * 4 + block) is state byte (row, col) of that block, so
// ShiftRows rotates each 16-bit row group and MixColumns' "next row" is a 16-bit word rotation.
// Every operation is a fixed sequence of word operations: no table, no data-dependent branch or address.
import { subBytes } from "./sbox";

/** Blocks per batch, and bytes per batch. */
export const LANES: i32 = 4;
export const BATCH: i32 = 64;
/** Bytes of one round key in plane form (8 words). */
export const RK_BYTES: i32 = 64;

// ---- Packing: 4 blocks <-> 8 bit planes ------------------------------------------------------------

/** Spreads the 4 bytes of a 32-bit value to the even bytes of a 64-bit one. */
@inline function spread(x: u64): u64 {
  x = (x | (x << 16)) & 0x0000FFFF0000FFFF;
  return (x | (x << 8)) & 0x00FF00FF00FF00FF;
}
/** Inverse of spread: gathers the even bytes of x into a 32-bit value. */
@inline function gather(x: u64): u64 {
  x &= 0x00FF00FF00FF00FF;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFF;
  return (x | (x >> 16)) & 0x00000000FFFFFFFF;
}

/** Exchanges the bits of a selected by (mask << n) with the bits of b selected by mask. */
@inline function swapmove(q: usize, ia: i32, ib: i32, mask: u64, n: i32): void {
  const a = load<u64>(q + 8 * ia), b = load<u64>(q + 8 * ib);
  const t = ((a >> n) ^ b) & mask;
  store<u64>(q + 8 * ib, b ^ t);
  store<u64>(q + 8 * ia, a ^ (t << n));
}

/**
 * Transposes, independently in each of the 8 byte positions, the 8x8 bit matrix (word k, bit i):
 * afterwards bit i of byte b of word k is what bit k of byte b of word i was. Its own inverse.
 */
function ortho(q: usize): void {
  swapmove(q, 0, 1, 0x5555555555555555, 1);
  swapmove(q, 2, 3, 0x5555555555555555, 1);
  swapmove(q, 4, 5, 0x5555555555555555, 1);
  swapmove(q, 6, 7, 0x5555555555555555, 1);
  swapmove(q, 0, 2, 0x3333333333333333, 2);
  swapmove(q, 1, 3, 0x3333333333333333, 2);
  swapmove(q, 4, 6, 0x3333333333333333, 2);
  swapmove(q, 5, 7, 0x3333333333333333, 2);
  swapmove(q, 0, 4, 0x0F0F0F0F0F0F0F0F, 4);
  swapmove(q, 1, 5, 0x0F0F0F0F0F0F0F0F, 4);
  swapmove(q, 2, 6, 0x0F0F0F0F0F0F0F0F, 4);
  swapmove(q, 3, 7, 0x0F0F0F0F0F0F0F0F, 4);
}

/**
 * Loads 4 blocks from src into planes at q. Word (c * 4 + block), c in {0, 1}, first gets that
 * block's columns c and c + 2 interleaved byte by byte (row r of column c at byte 2r, of column
 * c + 2 at byte 2r + 1); the transpose then puts byte (row, col) of the block at bit
 * row * 16 + col * 4 + block of every plane.
 */
export function load4(src: usize, q: usize): void {
  for (let blk = 0; blk < 4; blk++) {
    const lo = load<u64>(src + 16 * blk), hi = load<u64>(src + 16 * blk, 8);
    store<u64>(q + 8 * blk, spread(lo & 0xFFFFFFFF) | (spread(hi & 0xFFFFFFFF) << 8));
    store<u64>(q + 8 * (blk + 4), spread(lo >> 32) | (spread(hi >> 32) << 8));
  }
  ortho(q);
}

/** Inverse of load4: planes at q (clobbered) back to 4 blocks at dst. */
export function store4(q: usize, dst: usize): void {
  ortho(q);
  for (let blk = 0; blk < 4; blk++) {
    const w0 = load<u64>(q + 8 * blk), w1 = load<u64>(q + 8 * (blk + 4));
    store<u64>(dst + 16 * blk, gather(w0) | (gather(w1) << 32));
    store<u64>(dst + 16 * blk, gather(w0 >> 8) | (gather(w1 >> 8) << 32), 8);
  }
}

// ---- Round layers -----------------------------------------------------------------------------------

/** ShiftRows: row r of the state turns left by r columns, i.e. its 16-bit group right by 4r bits. */
@inline function shiftRows(x: u64): u64 {
  return (x & 0x000000000000FFFF)
    | ((x >> 4) & 0x000000000FFF0000) | ((x << 12) & 0x00000000F0000000)
    | ((x >> 8) & 0x000000FF00000000) | ((x << 8) & 0x0000FF0000000000)
    | ((x << 4) & 0xFFF0000000000000) | ((x >> 12) & 0x000F000000000000);
}
@inline function invShiftRows(x: u64): u64 {
  return (x & 0x000000000000FFFF)
    | ((x << 4) & 0x00000000FFF00000) | ((x >> 12) & 0x00000000000F0000)
    | ((x >> 8) & 0x000000FF00000000) | ((x << 8) & 0x0000FF0000000000)
    | ((x >> 4) & 0x0FFF000000000000) | ((x << 12) & 0xF000000000000000);
}

/**
 * MixColumns then AddRoundKey on planes x0..x7. With r = the column turned by one row (a 16-bit
 * rotation) and t = x ^ r, the column map 2a0 + 3a1 + a2 + a3 is 2t + r + (t turned by two rows);
 * doubling in GF(2^8) on planes moves plane i to i + 1 and folds plane 7 into planes 0, 1, 3, 4.
 */
@inline function mixAndKey(q: usize, k: usize,
  x0: u64, x1: u64, x2: u64, x3: u64, x4: u64, x5: u64, x6: u64, x7: u64): void {
  const r0 = rotr<u64>(x0, 16), r1 = rotr<u64>(x1, 16), r2 = rotr<u64>(x2, 16), r3 = rotr<u64>(x3, 16);
  const r4 = rotr<u64>(x4, 16), r5 = rotr<u64>(x5, 16), r6 = rotr<u64>(x6, 16), r7 = rotr<u64>(x7, 16);
  const t0 = x0 ^ r0, t1 = x1 ^ r1, t2 = x2 ^ r2, t3 = x3 ^ r3;
  const t4 = x4 ^ r4, t5 = x5 ^ r5, t6 = x6 ^ r6, t7 = x7 ^ r7;
  store<u64>(q, t7 ^ r0 ^ rotr<u64>(t0, 32) ^ load<u64>(k));
  store<u64>(q, t0 ^ t7 ^ r1 ^ rotr<u64>(t1, 32) ^ load<u64>(k, 8), 8);
  store<u64>(q, t1 ^ r2 ^ rotr<u64>(t2, 32) ^ load<u64>(k, 16), 16);
  store<u64>(q, t2 ^ t7 ^ r3 ^ rotr<u64>(t3, 32) ^ load<u64>(k, 24), 24);
  store<u64>(q, t3 ^ t7 ^ r4 ^ rotr<u64>(t4, 32) ^ load<u64>(k, 32), 32);
  store<u64>(q, t4 ^ r5 ^ rotr<u64>(t5, 32) ^ load<u64>(k, 40), 40);
  store<u64>(q, t5 ^ r6 ^ rotr<u64>(t6, 32) ^ load<u64>(k, 48), 48);
  store<u64>(q, t6 ^ r7 ^ rotr<u64>(t7, 32) ^ load<u64>(k, 56), 56);
}

function addRoundKey(q: usize, k: usize): void {
  for (let i = 0; i < 64; i += 8) store<u64>(q + i, load<u64>(q + i) ^ load<u64>(k + i));
}

/** One full encryption round after SubBytes: ShiftRows, MixColumns, AddRoundKey. */
function encRound(q: usize, k: usize): void {
  mixAndKey(q, k,
    shiftRows(load<u64>(q)), shiftRows(load<u64>(q, 8)), shiftRows(load<u64>(q, 16)), shiftRows(load<u64>(q, 24)),
    shiftRows(load<u64>(q, 32)), shiftRows(load<u64>(q, 40)), shiftRows(load<u64>(q, 48)), shiftRows(load<u64>(q, 56)));
}

function lastEncRound(q: usize, k: usize): void {
  for (let i = 0; i < 64; i += 8) store<u64>(q + i, shiftRows(load<u64>(q + i)) ^ load<u64>(k + i));
}

/**
 * One decryption round after InvSubBytes: InvShiftRows, AddRoundKey, InvMixColumns. InvMixColumns is
 * MixColumns after a ^ 4(a ^ a turned by two rows) (the circulant (05, 00, 04, 00) times (02, 03, 01, 01)
 * is (0e, 0b, 0d, 09)); quadrupling moves planes by two and folds planes 6 and 7 back in.
 */
function decRound(q: usize, k: usize): void {
  const a0 = invShiftRows(load<u64>(q)) ^ load<u64>(k), a1 = invShiftRows(load<u64>(q, 8)) ^ load<u64>(k, 8);
  const a2 = invShiftRows(load<u64>(q, 16)) ^ load<u64>(k, 16), a3 = invShiftRows(load<u64>(q, 24)) ^ load<u64>(k, 24);
  const a4 = invShiftRows(load<u64>(q, 32)) ^ load<u64>(k, 32), a5 = invShiftRows(load<u64>(q, 40)) ^ load<u64>(k, 40);
  const a6 = invShiftRows(load<u64>(q, 48)) ^ load<u64>(k, 48), a7 = invShiftRows(load<u64>(q, 56)) ^ load<u64>(k, 56);
  const u0 = a0 ^ rotr<u64>(a0, 32), u1 = a1 ^ rotr<u64>(a1, 32), u2 = a2 ^ rotr<u64>(a2, 32), u3 = a3 ^ rotr<u64>(a3, 32);
  const u4 = a4 ^ rotr<u64>(a4, 32), u5 = a5 ^ rotr<u64>(a5, 32), u6 = a6 ^ rotr<u64>(a6, 32), u7 = a7 ^ rotr<u64>(a7, 32);
  mixAndKey(q, ZERO_KEY,
    a0 ^ u6, a1 ^ u6 ^ u7, a2 ^ u0 ^ u7, a3 ^ u1 ^ u6, a4 ^ u2 ^ u6 ^ u7, a5 ^ u3 ^ u7, a6 ^ u4, a7 ^ u5);
}

function lastDecRound(q: usize, k: usize): void {
  for (let i = 0; i < 64; i += 8) store<u64>(q + i, invShiftRows(load<u64>(q + i)) ^ load<u64>(k + i));
}

/** An all-zero round key, for the MixColumns inside decRound (which adds its key earlier). */
const ZERO_KEY = memory.data(64, 16);

// ---- Block functions ----------------------------------------------------------------------------------

/** Encrypts the 4 blocks held as planes at q with nr rounds of plane keys at rk (nr + 1 keys). */
export function encryptPlanes(q: usize, rk: usize, nr: i32): void {
  addRoundKey(q, rk);
  for (let r = 1; r < nr; r++) {
    subBytes<u64>(q, false);
    encRound(q, rk + r * RK_BYTES);
  }
  subBytes<u64>(q, false);
  lastEncRound(q, rk + nr * RK_BYTES);
}

export function decryptPlanes(q: usize, rk: usize, nr: i32): void {
  addRoundKey(q, rk + nr * RK_BYTES);
  for (let r = nr - 1; r > 0; r--) {
    subBytes<u64>(q, true);
    decRound(q, rk + r * RK_BYTES);
  }
  subBytes<u64>(q, true);
  lastDecRound(q, rk);
}

/** Writes round key `rk16` (16 bytes) in plane form at out, using `tmp` (64 bytes) as scratch. */
export function roundKeyPlanes(rk16: usize, out: usize, tmp: usize): void {
  for (let b = 0; b < 4; b++) memory.copy(tmp + 16 * b, rk16, 16);
  load4(tmp, out);
  memory.fill(tmp, 0, 64);
}
