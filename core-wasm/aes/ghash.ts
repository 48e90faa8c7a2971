// GHASH (NIST SP 800-38D §6.4) with a constant-time carry-less multiply built from integer multiplies
// "with holes" (the idea of BearSSL's ghash_ctmul): keep only every 4th bit of each operand, so that
// in an integer product at most 8 one-bit products land on any output bit and their carries stay in
// the three bits above it, which are masked away. Sixteen such products give a 32x32 -> 64-bit
// carry-less product; two levels of Karatsuba give the 128x128 one. No table of multiples of H.
//
// Blocks are loaded big-endian, so bit 127 - i of the 128-bit integer [hi:lo] is the coefficient of
// x^i: GCM's reflected bit order. The product of two reflected values is the reflected product
// shifted right by one, hence the shift left before reduction modulo x^128 + x^7 + x^2 + x + 1.
//
// H's side is fixed per key: the key table holds, for each of the 9 Karatsuba operands of H (32 bits
// each), its 4 masked parts (4 x 9 x u64 = 288 bytes), so only the data side is masked per block.

export const GHASH_KEY_BYTES: i32 = 288;

@inline export function bswap64(x: u64): u64 {
  x = ((x >> 8) & 0x00FF00FF00FF00FF) | ((x & 0x00FF00FF00FF00FF) << 8);
  x = ((x >> 16) & 0x0000FFFF0000FFFF) | ((x & 0x0000FFFF0000FFFF) << 16);
  return rotr<u64>(x, 32);
}

/** Carry-less product of x (at most 32 bits) and the 32-bit operand whose masked parts are at yp. */
@inline function bmul32(x: u64, yp: usize): u64 {
  const x0 = x & 0x11111111, x1 = x & 0x22222222, x2 = x & 0x44444444, x3 = x & 0x88888888;
  const y0 = load<u64>(yp), y1 = load<u64>(yp, 8), y2 = load<u64>(yp, 16), y3 = load<u64>(yp, 24);
  const z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  const z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  const z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  const z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  return (z0 & 0x1111111111111111) | (z1 & 0x2222222222222222)
    | (z2 & 0x4444444444444444) | (z3 & 0x8888888888888888);
}

function maskedParts(v: u64, out: usize): void {
  store<u64>(out, v & 0x11111111);
  store<u64>(out, v & 0x22222222, 8);
  store<u64>(out, v & 0x44444444, 16);
  store<u64>(out, v & 0x88888888, 24);
}

function operandParts(v: u64, out: usize): void {
  const lo = v & 0xFFFFFFFF, hi = v >> 32;
  maskedParts(lo, out);
  maskedParts(hi, out + 32);
  maskedParts(lo ^ hi, out + 64);
}

/** Writes the key table for the hash subkey H (16 bytes at h) at out. */
export function ghashKey(h: usize, out: usize): void {
  const h1 = bswap64(load<u64>(h)), h0 = bswap64(load<u64>(h, 8));
  operandParts(h0, out);
  operandParts(h1, out + 96);
  operandParts(h0 ^ h1, out + 192);
}

/** The 9 data-side Karatsuba operands of a block, and their 9 products, one block at a time. */
const XS = memory.data(72, 16);
const PS = memory.data(72, 16);

/**
 * Y = (Y ^ X) * H for n whole blocks X at src. Y is kept as two u64 at y: [0] the high word
 * (bytes 0..7, big-endian), [8] the low word. The nine 32x32 products run in a loop rather than
 * unrolled: unrolled, the JIT interleaves them all and spends most instructions spilling registers.
 */
export function ghashBlocks(gk: usize, y: usize, src: usize, n: i32): void {
  let y1 = load<u64>(y), y0 = load<u64>(y, 8);
  for (let i = 0; i < n; i++) {
    const a1 = y1 ^ bswap64(load<u64>(src)), a0 = y0 ^ bswap64(load<u64>(src, 8));
    src += 16;
    // Karatsuba over 64-bit halves (a0, a1, a0 ^ a1), each product itself Karatsuba over 32-bit halves.
    const am = a0 ^ a1;
    splitOperand(a0, XS);
    splitOperand(a1, XS + 24);
    splitOperand(am, XS + 48);
    for (let j = 0; j < 72; j += 8) store<u64>(PS + j, bmul32(load<u64>(XS + j), gk + 4 * j));
    // a0*h0 = [l1:l0], a1*h1 = [u1:u0], (a0^a1)*(h0^h1) = [m1:m0]
    const c0l = load<u64>(PS), c0h = load<u64>(PS, 8), c0m = load<u64>(PS, 16) ^ c0l ^ c0h;
    const c1l = load<u64>(PS, 24), c1h = load<u64>(PS, 32), c1m = load<u64>(PS, 40) ^ c1l ^ c1h;
    const cml = load<u64>(PS, 48), cmh = load<u64>(PS, 56), cmm = load<u64>(PS, 64) ^ cml ^ cmh;
    const l0 = c0l ^ (c0m << 32), l1 = c0h ^ (c0m >> 32);
    const u0 = c1l ^ (c1m << 32), u1 = c1h ^ (c1m >> 32);
    const m0 = cml ^ (cmm << 32) ^ l0 ^ u0, m1 = cmh ^ (cmm >> 32) ^ l1 ^ u1;
    const p3 = u1, p2 = u0 ^ m1, p1 = l1 ^ m0, p0 = l0;
    // Back to the reflected 256-bit product: shift left by one.
    const q3 = (p3 << 1) | (p2 >> 63), q2 = (p2 << 1) | (p1 >> 63);
    const q1 = (p1 << 1) | (p0 >> 63), q0 = p0 << 1;
    // Reduce: the low half [q1:q0] holds x^128..x^255; fold it in times x^7 + x^2 + x + 1 (in this
    // bit order, multiplying by x is a right shift), twice, since the first fold spills 7 bits.
    const d = q1 ^ (q0 << 63) ^ (q0 << 62) ^ (q0 << 57);
    y1 = q3 ^ d ^ (d >> 1) ^ (d >> 2) ^ (d >> 7);
    y0 = q2 ^ q0 ^ (q0 >> 1) ^ (q0 >> 2) ^ (q0 >> 7) ^ (d << 63) ^ (d << 62) ^ (d << 57);
  }
  store<u64>(y, y1);
  store<u64>(y, y0, 8);
  memory.fill(XS, 0, 72);
  memory.fill(PS, 0, 72);
}

/** The low half, high half and their XOR of a 64-bit operand, as three u64 at out. */
@inline function splitOperand(v: u64, out: usize): void {
  const lo = v & 0xFFFFFFFF, hi = v >> 32;
  store<u64>(out, lo);
  store<u64>(out, hi, 8);
  store<u64>(out, lo ^ hi, 16);
}
