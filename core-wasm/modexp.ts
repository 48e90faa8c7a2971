// Montgomery modular exponentiation for odd moduli up to 8192 bits: base^exp mod m with a fixed
// window and a constant-time table scan. Used for the MODP groups (RFC 2409 §6, RFC 3526) and RSA.
//
// Numbers are little-endian arrays of u32 limbs in a reduced radix 2^w (w = 27..30, chosen per modulus
// length) so column sums of 64-bit products need no carry handling: Montgomery multiplication is
// product scanning with the reduction interleaved column by column (Koç, Acar, Kaliski 1996, "FIPS").
// The SIMD build computes two columns per pass as dot products of 4-limb vectors with
// i64x2.extmul_{low,high}_i32x4_u; the scalar build one column at a time with i64 products.
//
// Constant time: no branch and no memory index depends on the base, the exponent's bits, the result
// or the modulus value. Public, and branched on: the modulus length in bits, the exponent length in
// bytes (leading zero bytes are processed like any others, not skipped) and the base length in bytes.
// Values stay below 2m with R = 2^(n*w) > 4m (Walter's bound), so no subtraction is needed between
// multiplications; the final one and those in setup are masked, not branched.

// ---- Sizes and memory -----------------------------------------------------------------------------

const MAX_BYTES = 1024; // 8192-bit modulus
const SLOT = 320; // limbs per number: n (at most 304, 8192 bits at w = 27) + zero padding
const SLOT_BYTES = SLOT * 4;
const MAX_WINDOW = 6;
const TABLE_SIZE = 1 << MAX_WINDOW;

// Context: everything that depends on the modulus only. The JS side keeps a copy per modulus and
// copies it back in when another modulus was used in between (ctxPtr / CTX_BYTES).
const HDR_BYTES = 64;
const CTX_BYTES = HDR_BYTES + 6 * SLOT_BYTES;
const CTX = memory.data(CTX_BYTES, 16);
const M = CTX + HDR_BYTES; // modulus
const MREV = M + SLOT_BYTES; // MREV[i] = M[n-1-i]; MREV[-1] is M's last limb, a zero
const ONE = MREV + SLOT_BYTES; // R mod m (1 in Montgomery form)
const R2 = ONE + SLOT_BYTES; // R^2 mod m
const R3 = R2 + SLOT_BYTES; // R^3 mod m
const M2 = R3 + SLOT_BYTES; // 2m

// Input and output bytes (big-endian): the modulus at setup, the base (up to 2 * byteLength) at pow.
const IO = memory.data(2 * MAX_BYTES, 16);
const EXP = memory.data(MAX_BYTES, 16);
const OUT = memory.data(MAX_BYTES, 16);

// Work slots. Every number written has zero limbs from n up to n+7: the SIMD dot products read whole
// 4-limb vectors past the end of a range and rely on those zeros. Slots are 1280 bytes apart, so the
// four streams of a column loop (ACC or DBL, Q, REV, MREV) differ modulo 4096: loads 4 KiB apart
// defeat AMD's L1 way predictor (half the loop's speed in a microbenchmark on Zen 4).
const X = memory.data(SLOT_BYTES, 16);
const ACC = memory.data(SLOT_BYTES, 16);
const REVBUF = memory.data(SLOT_BYTES + 16, 16);
const REV = REVBUF + 16; // the second operand of montMul, reversed, with 4 zero limbs in front
const DBL = memory.data(SLOT_BYTES, 16); // 2a for squaring
const Q = memory.data(SLOT_BYTES, 16); // Montgomery quotient digits
const TMP = memory.data(SLOT_BYTES, 16);
const TABLE = memory.data(TABLE_SIZE * SLOT_BYTES, 16); // base^i, reversed, Montgomery form
const SELMASK = memory.data(TABLE_SIZE * 16, 16); // per-entry select masks (secret values, public addresses)
// Lane masks for the SIMD tail of a squaring half-column: entry r keeps lanes 0..r-1.
const LANEMASK = memory.data<u32>([
  0, 0, 0, 0,
  0xffffffff, 0, 0, 0,
  0xffffffff, 0xffffffff, 0, 0,
  0xffffffff, 0xffffffff, 0xffffffff, 0,
]);

// The loaded context's header, copied into globals by loadHeader().
let n: i32 = 0; // limbs
let w: i32 = 0; // radix bits
let mask: u32 = 0; // 2^w - 1
let minv: u32 = 0; // -m^-1 mod 2^w

@inline function limb(p: usize, i: i32): u32 { return load<u32>(p + ((<usize>i) << 2)); }
@inline function setLimb(p: usize, i: i32, v: u32): void { store<u32>(p + ((<usize>i) << 2), v); }

function loadHeader(): void {
  n = load<i32>(CTX, 0);
  w = load<i32>(CTX, 4);
  minv = load<u32>(CTX, 8);
  mask = (1 << w) - 1;
}

// ---- Linear helpers (O(n), public control flow) ---------------------------------------------------

/** Zeroes limbs n .. n+7 of a slot (the padding the dot products read). */
function pad(p: usize): void {
  const q = p + ((<usize>n) << 2);
  store<u64>(q, 0); store<u64>(q, 0, 8); store<u64>(q, 0, 16); store<u64>(q, 0, 24);
}

/** Zeroes limbs [0, limbs) rounded up to a multiple of 4. A loop, not memory.fill: V8 compiles that
 * to a call into the runtime, which costs more than this on the hot path. */
function zero(p: usize, limbs: i32): void {
  const end = p + ((<usize>((limbs + 3) >> 2)) << 4);
  for (; p < end; p += 16) { store<u64>(p, 0); store<u64>(p, 0, 8); }
}

function copy(dst: usize, src: usize): void {
  memory.copy(dst, src, (<usize>n) << 2);
  pad(dst);
}

/** dst[i] = src[n-1-i]. */
function reverse(dst: usize, src: usize): void {
  const last = n - 1;
  for (let i = 0; i < n; i++) setLimb(dst, i, limb(src, last - i));
  pad(dst);
}

/** x = x - y if x >= y, else x; masked, not branched. Limbs radix 2^w, x and y < 2^(n*w). */
function condSub(x: usize, y: usize): void {
  let borrow: u32 = 0;
  for (let i = 0; i < n; i++) {
    const d = limb(x, i) - limb(y, i) - borrow;
    borrow = d >>> 31;
    setLimb(TMP, i, d & mask);
  }
  const keep = borrow - 1; // all ones when x >= y
  for (let i = 0; i < n; i++) setLimb(x, i, (limb(TMP, i) & keep) | (limb(x, i) & ~keep));
}

/** x = x + y (the sum must fit n limbs). */
function addTo(x: usize, y: usize): void {
  let carry: u32 = 0;
  for (let i = 0; i < n; i++) {
    const s = limb(x, i) + limb(y, i) + carry;
    carry = s >>> w;
    setLimb(x, i, s & mask);
  }
}

/** Bits [bitOff, bitOff + n*w) of the big-endian byte string src[0..len) into n limbs at dst. */
function unpack(dst: usize, src: usize, len: i32, bitOff: i32): void {
  for (let i = 0; i < n; i++) {
    const p = bitOff + i * w;
    const bj = p >> 3;
    let v: u64 = 0;
    for (let t = 4; t >= 0; t--) {
      const j = bj + t; // byte index counted from the least significant end
      v = (v << 8) | (j < len ? <u64>load<u8>(src + <usize>(len - 1 - j)) : 0);
    }
    setLimb(dst, i, <u32>(v >> <u64>(p & 7)) & mask);
  }
  pad(dst);
}

/** The n limbs at src (value < 2^(8*len)) as len big-endian bytes at dst. */
function pack(dst: usize, src: usize, len: i32): void {
  for (let j = 0; j < len; j++) {
    const p = j << 3;
    const i = p / w, sh = p - i * w;
    const v = (<u64>limb(src, i) | (<u64>limb(src, i + 1) << <u64>w)) >> <u64>sh;
    store<u8>(dst + <usize>(len - 1 - j), <u8>v);
  }
}

// ---- Montgomery multiplication --------------------------------------------------------------------
//
// Column k of x*y + q*m (k = 0 .. 2n-1) is sum x[i]*y[k-i] + q[i]*m[k-i]; with y and m reversed
// (REV[j] = y[n-1-j]) both run forward: x[i]*REV[n-1-k+i]. For k < n the quotient digit q[k] is
// chosen so the column's low w bits vanish; from k = n on the low w bits are the result limbs.
// The operands sit at fixed addresses (ACC, DBL, Q on one side; REV, MREV on the other) and the loops
// carry byte offsets, so each load is [memory base + offset + constant], with no address arithmetic.
// Squaring sums each pair a[i]*a[k-i], i < k-i, once, as DBL[i] = 2*a[i] times a[k-i], plus a[k/2]^2.

// ---- Scalar kernels: one column at a time, the whole column in one u64 (chooseRadix bounds it).

@inline function colMulS(ia: usize, ib: usize, len: i32): u64 {
  let s0: u64 = 0, s1: u64 = 0;
  const end = ia + ((<usize>len) << 2);
  for (; ia < end; ia += 4, ib += 4) {
    s0 += <u64>load<u32>(ia, ACC) * <u64>load<u32>(ib, REV);
    s1 += <u64>load<u32>(ia, Q) * <u64>load<u32>(ib, MREV);
  }
  return s0 + s1;
}

@inline function colSqrS(ia: usize, ib: usize, lenh: i32, len: i32): u64 {
  let s0: u64 = 0, s1: u64 = 0;
  const endh = ia + ((<usize>lenh) << 2);
  const end = ia + ((<usize>len) << 2);
  for (; ia < endh; ia += 4, ib += 4) {
    s0 += <u64>load<u32>(ia, DBL) * <u64>load<u32>(ib, REV);
    s1 += <u64>load<u32>(ia, Q) * <u64>load<u32>(ib, MREV);
  }
  for (; ia < end; ia += 4, ib += 4) s1 += <u64>load<u32>(ia, Q) * <u64>load<u32>(ib, MREV);
  return s0 + s1;
}

/** ACC = ACC * y / R mod m (< 2m when ACC, y < 2m), with y reversed in REV. */
function montMulS(): void {
  const nn = n, ww = <u64>w, msk = <u64>mask, mi = minv, m0 = <u64>limb(M, 0);
  zero(Q, nn + 8);
  let carry: u64 = 0;
  for (let k = 0; k < nn; k++) {
    let t = colMulS(0, (<usize>(nn - 1 - k)) << 2, k + 1) + carry;
    const q = <u64>((<u32>t * mi) & mask);
    setLimb(Q, k, <u32>q);
    carry = (t + q * m0) >> ww;
  }
  // From column n on, the low w bits are result limbs; ACC[k-n] is written after its last read.
  const last = 2 * nn - 1;
  for (let k = nn; k < last; k++) {
    const t = colMulS((<usize>(k - nn + 1)) << 2, 0, last - k) + carry;
    setLimb(ACC, k - nn, <u32>(t & msk));
    carry = t >> ww;
  }
  setLimb(ACC, nn - 1, <u32>carry);
  pad(ACC);
}

/** ACC = ACC^2 / R mod m (< 2m in and out). */
function montSqrS(): void {
  const nn = n, ww = <u64>w, msk = <u64>mask, mi = minv, m0 = <u64>limb(M, 0);
  prepareSquare();
  let carry: u64 = 0;
  for (let k = 0; k < nn; k++) {
    const a = <u64>limb(REV, nn - 1 - (k >> 1));
    let t = colSqrS(0, (<usize>(nn - 1 - k)) << 2, (k + 1) >> 1, k + 1) + carry + ((k & 1) == 0 ? a * a : 0);
    const q = <u64>((<u32>t * mi) & mask);
    setLimb(Q, k, <u32>q);
    carry = (t + q * m0) >> ww;
  }
  const last = 2 * nn - 1;
  for (let k = nn; k < last; k++) {
    const lo = k - nn + 1;
    const a = <u64>limb(REV, nn - 1 - (k >> 1));
    const t = colSqrS((<usize>lo) << 2, 0, ((k - 1) >> 1) - lo + 1, last - k) + carry + ((k & 1) == 0 ? a * a : 0);
    setLimb(ACC, k - nn, <u32>(t & msk));
    carry = t >> ww;
  }
  setLimb(ACC, nn - 1, <u32>carry);
  pad(ACC);
}

/** DBL = 2 * ACC, REV = ACC reversed, Q = 0: the inputs of a squaring. */
function prepareSquare(): void {
  if (ASC_FEATURE_SIMD) {
    // n is even: whole vectors, the last one reaching 2 limbs into the padding (or the REV front pad).
    const bytes = (<usize>((n + 3) >> 2)) << 4;
    for (let o: usize = 0; o < bytes; o += 16) {
      v128.store(o, i32x4.shl(v128.load(o, ACC), 1), DBL);
      // REV[j .. j+3] = ACC[n-4-j .. n-1-j] in reverse lane order (the last vector may start 2 limbs
      // before ACC; those lanes land in REV's padding, zeroed below).
      const v = v128.load(((<usize>n) << 2) - o, ACC - 16);
      v128.store(o, i32x4.shuffle(v, v, 3, 2, 1, 0), REV);
    }
  } else {
    const last = n - 1;
    for (let i = 0; i < n; i++) {
      const v = limb(ACC, i);
      setLimb(DBL, i, v << 1);
      setLimb(REV, last - i, v);
    }
  }
  pad(DBL);
  pad(REV);
  zero(Q, n + 8);
}

// ---- SIMD kernels: two columns (k, k+1) per pass, k even and n even. Both columns share the ACC/DBL
// and Q vectors; the second column reads REV and MREV one limb lower, which reaches index -1 where
// both have a zero limb in front. Products come from i64x2.extmul_{low,high}_i32x4_u. The two dot
// products of a column have separate accumulators whose lanes take 2 products per step: chooseRadix
// keeps every lane below 2^64, while a column's total may exceed it and is carried as [low, high]
// (low + high * 2^w).

/** [sum of the low w bits, sum of the rest >> w] over the four lanes of a and c. */
@inline function splitSum(a: v128, c: v128): v128 {
  const vmask = i64x2.splat(<i64>mask);
  const lo = i64x2.add(v128.and(a, vmask), v128.and(c, vmask));
  const hi = i64x2.add(i64x2.shr_u(a, w), i64x2.shr_u(c, w));
  return i64x2.add(i64x2.shuffle(lo, hi, 0, 2), i64x2.shuffle(lo, hi, 1, 3));
}

/** ACC = ACC * y / R mod m (< 2m when ACC, y < 2m), with y reversed in REV. */
function montMulV(): void {
  const nn = n, msk = <u64>mask, mi = minv, ww = <u64>w;
  const m0 = <u64>limb(M, 0), m1 = <u64>limb(M, 1);
  zero(Q, nn + 8);
  let carry: u64 = 0;
  for (let k = 0; k < nn; k += 2) {
    // Columns k and k+1 over i = 0 .. k+1 (column k reads REV[n], a zero, at i = k+1).
    let ab0 = i64x2.splat(0), qm0 = ab0, ab1 = ab0, qm1 = ab0;
    let ib = (<usize>(nn - 1 - k)) << 2;
    const end = (<usize>((k + 5) >> 2)) << 4;
    for (let ia: usize = 0; ia < end; ia += 16, ib += 16) {
      const va = v128.load(ia, ACC), vq = v128.load(ia, Q);
      const b0 = v128.load(ib, REV), b1 = v128.load(ib, REV - 4);
      const c0 = v128.load(ib, MREV), c1 = v128.load(ib, MREV - 4);
      ab0 = i64x2.add(ab0, i64x2.add(i64x2.extmul_low_i32x4_u(va, b0), i64x2.extmul_high_i32x4_u(va, b0)));
      qm0 = i64x2.add(qm0, i64x2.add(i64x2.extmul_low_i32x4_u(vq, c0), i64x2.extmul_high_i32x4_u(vq, c0)));
      ab1 = i64x2.add(ab1, i64x2.add(i64x2.extmul_low_i32x4_u(va, b1), i64x2.extmul_high_i32x4_u(va, b1)));
      qm1 = i64x2.add(qm1, i64x2.add(i64x2.extmul_low_i32x4_u(vq, c1), i64x2.extmul_high_i32x4_u(vq, c1)));
    }
    const r0 = splitSum(ab0, qm0), r1 = splitSum(ab1, qm1);
    let t = <u64>i64x2.extract_lane(r0, 0) + carry;
    const q0 = <u64>((<u32>t * mi) & mask);
    carry = ((t + q0 * m0) >> ww) + <u64>i64x2.extract_lane(r0, 1);
    t = <u64>i64x2.extract_lane(r1, 0) + carry + q0 * m1; // q0 was not in Q during the loop
    const q1 = <u64>((<u32>t * mi) & mask);
    carry = ((t + q1 * m0) >> ww) + <u64>i64x2.extract_lane(r1, 1);
    setLimb(Q, k, <u32>q0);
    setLimb(Q, k + 1, <u32>q1);
  }
  // Columns n .. 2n-1 give the result limbs; a pair reads ACC from k-n+1 on, after the limbs it writes.
  for (let k = nn; k < 2 * nn; k += 2) {
    let ia = (<usize>(k - nn + 1)) << 2;
    let ab0 = i64x2.splat(0), qm0 = ab0, ab1 = ab0, qm1 = ab0;
    const end = ia + ((<usize>((2 * nn + 2 - k) >> 2)) << 4);
    for (let ib: usize = 0; ia < end; ia += 16, ib += 16) {
      const va = v128.load(ia, ACC), vq = v128.load(ia, Q);
      const b0 = v128.load(ib, REV), b1 = v128.load(ib, REV - 4);
      const c0 = v128.load(ib, MREV), c1 = v128.load(ib, MREV - 4);
      ab0 = i64x2.add(ab0, i64x2.add(i64x2.extmul_low_i32x4_u(va, b0), i64x2.extmul_high_i32x4_u(va, b0)));
      qm0 = i64x2.add(qm0, i64x2.add(i64x2.extmul_low_i32x4_u(vq, c0), i64x2.extmul_high_i32x4_u(vq, c0)));
      ab1 = i64x2.add(ab1, i64x2.add(i64x2.extmul_low_i32x4_u(va, b1), i64x2.extmul_high_i32x4_u(va, b1)));
      qm1 = i64x2.add(qm1, i64x2.add(i64x2.extmul_low_i32x4_u(vq, c1), i64x2.extmul_high_i32x4_u(vq, c1)));
    }
    const r0 = splitSum(ab0, qm0), r1 = splitSum(ab1, qm1);
    let t = <u64>i64x2.extract_lane(r0, 0) + carry;
    setLimb(ACC, k - nn, <u32>(t & msk));
    carry = (t >> ww) + <u64>i64x2.extract_lane(r0, 1);
    t = <u64>i64x2.extract_lane(r1, 0) + carry;
    setLimb(ACC, k + 1 - nn, <u32>(t & msk));
    carry = (t >> ww) + <u64>i64x2.extract_lane(r1, 1);
  }
  pad(ACC);
}

/**
 * ACC = ACC^2 / R mod m (< 2m in and out). For the pair (k, k+1), k = 2h, the half sums run over
 * i = lo .. h for both columns; for column k that adds DBL[h] * a[h] = 2 a[h]^2 where a[h]^2 is
 * wanted, so a[h]^2 is subtracted (the running value is then held as a signed i64).
 */
function montSqrV(): void {
  const nn = n, msk = <i64>mask, mi = minv, ww = <i64>w;
  const m0 = <i64>limb(M, 0), m1 = <i64>limb(M, 1);
  prepareSquare();
  let carry: i64 = 0;
  for (let k = 0; k < 2 * nn; k += 2) {
    const h = k >> 1;
    const lo = k < nn ? 0 : k - nn + 1; // first i of column k (column k+1 reads a zero there)
    const lenh = h - lo + 1; // half sums: i = lo .. h
    const len = k < nn ? k + 2 : nn - lo; // quotient sums: i = lo .. min(k+1, n-1)
    let ia = (<usize>lo) << 2, ib = (<usize>(nn - 1 - k + lo)) << 2;
    let ab0 = i64x2.splat(0), qm0 = ab0, ab1 = ab0, qm1 = ab0;
    const full = ia + ((<usize>(lenh >> 2)) << 4);
    for (; ia < full; ia += 16, ib += 16) {
      const va = v128.load(ia, DBL), vq = v128.load(ia, Q);
      const b0 = v128.load(ib, REV), b1 = v128.load(ib, REV - 4);
      const c0 = v128.load(ib, MREV), c1 = v128.load(ib, MREV - 4);
      ab0 = i64x2.add(ab0, i64x2.add(i64x2.extmul_low_i32x4_u(va, b0), i64x2.extmul_high_i32x4_u(va, b0)));
      qm0 = i64x2.add(qm0, i64x2.add(i64x2.extmul_low_i32x4_u(vq, c0), i64x2.extmul_high_i32x4_u(vq, c0)));
      ab1 = i64x2.add(ab1, i64x2.add(i64x2.extmul_low_i32x4_u(va, b1), i64x2.extmul_high_i32x4_u(va, b1)));
      qm1 = i64x2.add(qm1, i64x2.add(i64x2.extmul_low_i32x4_u(vq, c1), i64x2.extmul_high_i32x4_u(vq, c1)));
    }
    const rem = lenh & 3;
    if (rem != 0) {
      // Past i = h the products belong to the other half of the column: mask those lanes off.
      const va = v128.and(v128.load(ia, DBL), v128.load(LANEMASK + ((<usize>rem) << 4)));
      const b0 = v128.load(ib, REV), b1 = v128.load(ib, REV - 4);
      ab0 = i64x2.add(ab0, i64x2.add(i64x2.extmul_low_i32x4_u(va, b0), i64x2.extmul_high_i32x4_u(va, b0)));
      ab1 = i64x2.add(ab1, i64x2.add(i64x2.extmul_low_i32x4_u(va, b1), i64x2.extmul_high_i32x4_u(va, b1)));
    }
    const end = (<usize>lo << 2) + ((<usize>((len + 3) >> 2)) << 4);
    for (; ia < end; ia += 16, ib += 16) {
      const vq = v128.load(ia, Q);
      const c0 = v128.load(ib, MREV), c1 = v128.load(ib, MREV - 4);
      qm0 = i64x2.add(qm0, i64x2.add(i64x2.extmul_low_i32x4_u(vq, c0), i64x2.extmul_high_i32x4_u(vq, c0)));
      qm1 = i64x2.add(qm1, i64x2.add(i64x2.extmul_low_i32x4_u(vq, c1), i64x2.extmul_high_i32x4_u(vq, c1)));
    }
    const r0 = splitSum(ab0, qm0), r1 = splitSum(ab1, qm1);
    const a = <i64>limb(REV, nn - 1 - h);
    let t = i64x2.extract_lane(r0, 0) + carry - a * a;
    if (k < nn) {
      const q0 = <i64>((<u32>t * mi) & mask);
      carry = ((t + q0 * m0) >> ww) + i64x2.extract_lane(r0, 1);
      t = i64x2.extract_lane(r1, 0) + carry + q0 * m1; // q0 was not in Q during the loops
      const q1 = <i64>((<u32>t * mi) & mask);
      carry = ((t + q1 * m0) >> ww) + i64x2.extract_lane(r1, 1);
      setLimb(Q, k, <u32>q0);
      setLimb(Q, k + 1, <u32>q1);
    } else {
      setLimb(ACC, k - nn, <u32>(t & msk));
      carry = (t >> ww) + i64x2.extract_lane(r0, 1);
      t = i64x2.extract_lane(r1, 0) + carry;
      setLimb(ACC, k + 1 - nn, <u32>(t & msk));
      carry = (t >> ww) + i64x2.extract_lane(r1, 1);
    }
  }
  pad(ACC);
}

@inline function montMul(): void { if (ASC_FEATURE_SIMD) montMulV(); else montMulS(); }
@inline function montSqr(): void { if (ASC_FEATURE_SIMD) montSqrV(); else montSqrS(); }

// ---- Constant-time table ---------------------------------------------------------------------------

/** REV = TABLE[idx], reading every one of the `count` entries with masks. */
function selectRev(idx: u32, count: i32): void {
  for (let t = 0; t < count; t++) {
    const m = <u32>((<i32>((<u32>t ^ idx) - 1)) >> 31); // all ones iff t == idx (both < 64)
    const p = SELMASK + ((<usize>t) << 4);
    store<u32>(p, m); store<u32>(p, m, 4); store<u32>(p, m, 8); store<u32>(p, m, 12);
  }
  const bytes = (<usize>((n + 8 + 3) >> 2)) << 4; // value and padding, whole vectors
  if (ASC_FEATURE_SIMD) {
    for (let o: usize = 0; o < bytes; o += 16) {
      let acc = i64x2.splat(0);
      let e = TABLE + o;
      for (let t = 0; t < count; t++) {
        acc = v128.or(acc, v128.and(v128.load(e), v128.load(SELMASK + ((<usize>t) << 4))));
        e += SLOT_BYTES;
      }
      v128.store(REV + o, acc);
    }
  } else {
    for (let o: usize = 0; o < bytes; o += 8) {
      let acc: u64 = 0;
      let e = TABLE + o;
      for (let t = 0; t < count; t++) {
        const m = <u64>load<u32>(SELMASK + ((<usize>t) << 4));
        acc |= load<u64>(e) & (m | (m << 32));
        e += SLOT_BYTES;
      }
      store<u64>(REV + o, acc);
    }
  }
}

// ---- Setup and exponentiation ----------------------------------------------------------------------

/** Picks the radix w and limb count n for a modulus of needBits (public): the largest safe w. */
function chooseRadix(needBits: i32): void {
  if (ASC_FEATURE_SIMD) {
    // n even (column pairs). Per accumulator lane: 2 products < 2^2w (2^(2w+1) for DBL) per step,
    // at most n/4 + 1 steps for a quotient sum and n/8 + 1 for a half sum: below 2^64 for these n.
    w = 30; n = ((needBits + 59) / 60) * 2;
    if (n > 28) { w = 29; n = ((needBits + 57) / 58) * 2; }
    if (n > 124) { w = 28; n = ((needBits + 55) / 56) * 2; }
  } else {
    // A whole column in one u64: 2n products < 2^2w and a carry < 2^(64-w).
    w = 30; n = (needBits + 29) / 30;
    if (n > 7) { w = 29; n = (needBits + 28) / 29; }
    if (n > 31) { w = 28; n = (needBits + 27) / 28; }
    if (n > 127) { w = 27; n = (needBits + 26) / 27; }
  }
  mask = (1 << w) - 1;
}

/**
 * Reads the big-endian modulus from ioPtr()[0..len) and fills the context: radix, limbs, -m^-1,
 * R mod m, R^2, R^3, 2m. Returns 0, or 1 for a bad length or leading zero byte, 2 for an even
 * modulus, 3 for m = 1. Runs in time that depends only on len and the modulus bit length.
 */
export function setup(len: i32): i32 {
  if (len < 1 || len > MAX_BYTES) return 1;
  const top = <u32>load<u8>(IO);
  if (top == 0) return 1;
  if ((load<u8>(IO + <usize>(len - 1)) & 1) == 0) return 2;
  if (len == 1 && top == 1) return 3;
  const bits = (len - 1) * 8 + (32 - clz(top));
  const need = max(bits + 2, len * 8); // R > 4m, and room for every byte of a base up to 2*len bytes
  chooseRadix(need);
  zero(CTX, <i32>(CTX_BYTES >> 2));
  unpack(M, IO, len, 0);
  reverse(MREV, M);
  // -m^-1 mod 2^w by Newton's iteration (x = m is correct to 3 bits; each step doubles them).
  const m0 = limb(M, 0);
  let inv = m0;
  for (let i = 0; i < 5; i++) inv *= 2 - m0 * inv;
  minv = (0 - inv) & mask;
  store<i32>(CTX, n, 0);
  store<i32>(CTX, w, 4);
  store<u32>(CTX, minv, 8);
  store<i32>(CTX, len, 12);
  store<i32>(CTX, bits, 16);
  // R mod m: 2^(bits-1) < m, doubled (E - bits + 1) times with a masked subtraction each time.
  const e = n * w;
  zero(ONE, SLOT);
  setLimb(ONE, (bits - 1) / w, 1 << ((bits - 1) % w));
  for (let i = bits - 1; i < e; i++) { addTo(ONE, ONE); condSub(ONE, M); }
  pad(ONE);
  // R^2 = the Montgomery form of 2^E: square-and-double from Mont(1) over the (public) bits of E.
  copy(ACC, ONE);
  for (let b = 31 - clz(e); b >= 0; b--) {
    montSqr(); condSub(ACC, M);
    if (((e >> b) & 1) != 0) { addTo(ACC, ACC); condSub(ACC, M); }
  }
  copy(R2, ACC);
  reverse(REV, R2);
  montMul(); condSub(ACC, M);
  copy(R3, ACC);
  copy(M2, M); addTo(M2, M); pad(M2);
  return 0;
}

/** Window width for an exponent of `bits` bits: fewest multiplications, table scans counted. */
function chooseWindow(bits: i32): i32 {
  let best = 1;
  let bestCost: f64 = Infinity;
  for (let k = 1; k <= MAX_WINDOW; k++) {
    const windows = (bits + k - 1) / k;
    const entries = 1 << k;
    // A scan of one entry costs about 1/(2n) of a multiplication.
    const cost = <f64>(entries - 2) + <f64>windows * (1.0 + <f64>entries / <f64>(2 * n));
    if (cost < bestCost) { bestCost = cost; best = k; }
  }
  return best;
}

/** `k` exponent bits starting at bit `pos` (from the least significant end) of EXP[0..len). */
function expBits(len: i32, pos: i32, k: i32): u32 {
  const j = pos >> 3;
  let v: u32 = <u32>load<u8>(EXP + <usize>(len - 1 - j));
  if (j + 1 < len) v |= <u32>load<u8>(EXP + <usize>(len - 2 - j)) << 8;
  return (v >> <u32>(pos & 7)) & ((1 << k) - 1);
}

/**
 * OUT[0..byteLength) = base^exp mod m for the loaded context, base = ioPtr()[0..baseLen) (at most
 * 2 * byteLength bytes), exp = expPtr()[0..expLen). Returns the window width used. Wipes the exponent,
 * the table and the work slots before returning.
 */
export function pow(baseLen: i32, expLen: i32): i32 {
  loadHeader();
  const len = load<i32>(CTX, 12);
  const e = n * w;
  // Base to Montgomery form: base = hi * R + lo, so base * R = lo * R^2 / R + hi * R^3 / R (mod m).
  unpack(ACC, IO, baseLen, 0);
  reverse(REV, R2);
  montMul(); // < 2m
  if (baseLen * 8 > e) {
    copy(X, ACC);
    unpack(ACC, IO, baseLen, e);
    reverse(REV, R3);
    montMul();
    addTo(ACC, X); // < 4m < R
    condSub(ACC, M2); // < 2m
  }
  const ebits = expLen * 8;
  const k = chooseWindow(ebits);
  const count = 1 << k;
  // TABLE[i] = base^i in Montgomery form, stored reversed (ready to be the second operand).
  reverse(TABLE, ONE);
  reverse(TABLE + SLOT_BYTES, ACC);
  reverse(REV, ACC);
  for (let i = 2; i < count; i++) {
    montMul();
    reverse(TABLE + (<usize>i) * SLOT_BYTES, ACC);
  }
  if (ebits == 0) {
    copy(ACC, ONE);
  } else {
    const windows = (ebits + k - 1) / k;
    let pos = (windows - 1) * k;
    selectRev(expBits(expLen, pos, ebits - pos), count);
    reverse(ACC, REV);
    while (pos > 0) {
      pos -= k;
      for (let s = 0; s < k; s++) montSqr();
      selectRev(expBits(expLen, pos, k), count);
      montMul();
    }
  }
  // Out of Montgomery form: ACC * 1 / R <= m, then one masked subtraction.
  zero(REV, n + 8);
  setLimb(REV, n - 1, 1);
  montMul();
  condSub(ACC, M);
  pack(OUT, ACC, len);
  // Wipe what the exponent touched.
  memory.fill(EXP, 0, <usize>expLen);
  memory.fill(TABLE, 0, (<usize>count) * SLOT_BYTES);
  memory.fill(X, 0, SLOT_BYTES); memory.fill(ACC, 0, SLOT_BYTES);
  memory.fill(REV, 0, SLOT_BYTES); memory.fill(DBL, 0, SLOT_BYTES); memory.fill(Q, 0, SLOT_BYTES);
  memory.fill(TMP, 0, SLOT_BYTES); memory.fill(SELMASK, 0, TABLE_SIZE * 16);
  return k;
}

export function ctxPtr(): usize { return CTX; }
export function ctxBytes(): i32 { return CTX_BYTES; }
export function ioPtr(): usize { return IO; }
export function expPtr(): usize { return EXP; }
export function outPtr(): usize { return OUT; }
export function maxBytes(): i32 { return MAX_BYTES; }
