// The AES S-box and its inverse as Boolean circuits (Boyar & Peralta, "A depth-16 circuit for the
// AES S-box", 2011: a linear top, a shared non-linear middle of 63 gates, a linear bottom), evaluated
// on bit planes so that one pass substitutes every byte packed in the planes at once. No table, no
// branch on data: this is what makes SubBytes constant time.
//
// Generic over the plane type: u32 (the key schedule's 4-byte words), u64 (4 blocks, scalar build)
// and v128 (8 blocks, SIMD build). The 8 planes sit at p, p + size, ..., plane i holding bit i (bit 0
// = least significant) of every byte. The circuit names its inputs U0 (most significant bit) .. U7.

@inline export function xor<T>(a: T, b: T): T {
  if (isVector<T>()) return v128.xor(a as v128, b as v128) as T;
  else return (a ^ b) as T;
}
@inline export function and<T>(a: T, b: T): T {
  if (isVector<T>()) return v128.and(a as v128, b as v128) as T;
  else return (a & b) as T;
}
@inline export function or<T>(a: T, b: T): T {
  if (isVector<T>()) return v128.or(a as v128, b as v128) as T;
  else return (a | b) as T;
}
@inline export function not<T>(a: T): T {
  if (isVector<T>()) return v128.not(a as v128) as T;
  else return (~a) as T;
}
@inline export function xnor<T>(a: T, b: T): T { return not<T>(xor<T>(a, b)); }

/**
 * SubBytes (inv = false) or InvSubBytes (inv = true) on the 8 planes at p, in place.
 * `inv` is always a compile-time constant at the call sites, so the optimiser keeps one direction.
 */
@inline export function subBytes<T>(p: usize, inv: bool): void {
  const S = sizeof<T>();
  const U0 = load<T>(p + 7 * S), U1 = load<T>(p + 6 * S), U2 = load<T>(p + 5 * S), U3 = load<T>(p + 4 * S);
  const U4 = load<T>(p + 3 * S), U5 = load<T>(p + 2 * S), U6 = load<T>(p + S), U7 = load<T>(p);

  // Top linear layer: the 22 inputs of the middle layer (T1..T27 and D, names from the paper).
  let T1: T, T2: T, T3: T, T4: T, T6: T, T8: T, T9: T, T10: T, T13: T, T14: T, T15: T, T16: T;
  let T17: T, T19: T, T20: T, T22: T, T23: T, T24: T, T25: T, T26: T, T27: T, D: T;
  if (!inv) {
    T1 = xor<T>(U0, U3);
    T2 = xor<T>(U0, U5);
    T3 = xor<T>(U0, U6);
    T4 = xor<T>(U3, U5);
    const T5 = xor<T>(U4, U6);
    T6 = xor<T>(T1, T5);
    const T7 = xor<T>(U1, U2);
    T8 = xor<T>(U7, T6);
    T9 = xor<T>(U7, T7);
    T10 = xor<T>(T6, T7);
    const T11 = xor<T>(U1, U5);
    const T12 = xor<T>(U2, U5);
    T13 = xor<T>(T3, T4);
    T14 = xor<T>(T6, T11);
    T15 = xor<T>(T5, T11);
    T16 = xor<T>(T5, T12);
    T17 = xor<T>(T9, T16);
    const T18 = xor<T>(U3, U7);
    T19 = xor<T>(T7, T18);
    T20 = xor<T>(T1, T19);
    const T21 = xor<T>(U6, U7);
    T22 = xor<T>(T7, T21);
    T23 = xor<T>(T2, T22);
    T24 = xor<T>(T2, T10);
    T25 = xor<T>(T20, T17);
    T26 = xor<T>(T3, T16);
    T27 = xor<T>(T1, T12);
    D = U7;
  } else {
    // The inverse top layer undoes the affine output map before the shared inversion.
    T23 = xor<T>(U0, U3);
    T22 = xnor<T>(U1, U3);
    T2 = xnor<T>(U0, U1);
    T1 = xor<T>(U3, U4);
    T24 = xnor<T>(U4, U7);
    const R5 = xor<T>(U6, U7);
    T8 = xnor<T>(U1, T23);
    T19 = xor<T>(T22, R5);
    T9 = xnor<T>(U7, T1);
    T10 = xor<T>(T2, T24);
    T13 = xor<T>(T2, R5);
    T3 = xor<T>(T1, R5);
    T25 = xnor<T>(U2, T1);
    const R13 = xor<T>(U1, U6);
    T17 = xnor<T>(U2, T19);
    T20 = xor<T>(T24, R13);
    T4 = xor<T>(U4, T8);
    const R17 = xnor<T>(U2, U5);
    const R18 = xnor<T>(U5, U6);
    const R19 = xnor<T>(U2, U4);
    D = xor<T>(U0, R17);
    T6 = xor<T>(T22, R17);
    T16 = xor<T>(R13, R19);
    T27 = xor<T>(T1, R18);
    T15 = xor<T>(T10, T27);
    T14 = xor<T>(T10, R18);
    T26 = xor<T>(T3, T16);
  }

  // Shared middle: inversion in GF(2^8) through GF(2^4) (the only non-linear gates).
  const M1 = and<T>(T13, T6);
  const M6 = and<T>(T3, T16);
  const M11 = and<T>(T1, T15);
  const M13 = xor<T>(and<T>(T4, T27), M11);
  const M15 = xor<T>(and<T>(T2, T10), M11);
  const M20 = xor<T>(xor<T>(T14, M1), xor<T>(and<T>(T23, T8), M13));
  const M21 = xor<T>(xor<T>(and<T>(T19, D), M1), xor<T>(T24, M15));
  const M22 = xor<T>(xor<T>(T26, M6), xor<T>(and<T>(T22, T9), M13));
  const M23 = xor<T>(xor<T>(and<T>(T20, T17), M6), xor<T>(M15, T25));
  const M25 = and<T>(M22, M20);
  const M37 = xor<T>(M21, and<T>(xor<T>(M20, M21), xor<T>(M23, M25)));
  const M38 = xor<T>(xor<T>(M20, M25), or<T>(M21, and<T>(M20, M23)));
  const M39 = xor<T>(M23, and<T>(xor<T>(M22, M23), xor<T>(M21, M25)));
  const M40 = xor<T>(xor<T>(M22, M25), or<T>(M23, and<T>(M21, M22)));
  const M41 = xor<T>(M38, M40);
  const M42 = xor<T>(M37, M39);
  const M43 = xor<T>(M37, M38);
  const M44 = xor<T>(M39, M40);
  const M45 = xor<T>(M42, M41);
  const M46 = and<T>(M44, T6);
  const M47 = and<T>(M40, T8);
  const M48 = and<T>(M39, D);
  const M49 = and<T>(M43, T16);
  const M50 = and<T>(M38, T9);
  const M51 = and<T>(M37, T17);
  const M52 = and<T>(M42, T15);
  const M53 = and<T>(M45, T27);
  const M54 = and<T>(M41, T10);
  const M55 = and<T>(M44, T13);
  const M56 = and<T>(M40, T23);
  const M57 = and<T>(M39, T19);
  const M58 = and<T>(M43, T3);
  const M59 = and<T>(M38, T22);
  const M60 = and<T>(M37, T20);
  const M61 = and<T>(M42, T1);
  const M62 = and<T>(M45, T4);
  const M63 = and<T>(M41, T2);

  if (!inv) {
    // Bottom linear layer with the affine map (the XNORs add the constant 0x63).
    const L0 = xor<T>(M61, M62);
    const L1 = xor<T>(M50, M56);
    const L2 = xor<T>(M46, M48);
    const L3 = xor<T>(M47, M55);
    const L4 = xor<T>(M54, M58);
    const L5 = xor<T>(M49, M61);
    const L6 = xor<T>(M62, L5);
    const L7 = xor<T>(M46, L3);
    const L8 = xor<T>(M51, M59);
    const L9 = xor<T>(M52, M53);
    const L10 = xor<T>(M53, L4);
    const L11 = xor<T>(M60, L2);
    const L12 = xor<T>(M48, M51);
    const L13 = xor<T>(M50, L0);
    const L14 = xor<T>(M52, M61);
    const L15 = xor<T>(M55, L1);
    const L16 = xor<T>(M56, L0);
    const L17 = xor<T>(M57, L1);
    const L18 = xor<T>(M58, L8);
    const L19 = xor<T>(M63, L4);
    const L20 = xor<T>(L0, L1);
    const L21 = xor<T>(L1, L7);
    const L22 = xor<T>(L3, L12);
    const L23 = xor<T>(L18, L2);
    const L24 = xor<T>(L15, L9);
    const L25 = xor<T>(L6, L10);
    const L26 = xor<T>(L7, L9);
    const L27 = xor<T>(L8, L10);
    const L28 = xor<T>(L11, L14);
    const L29 = xor<T>(L11, L17);
    store<T>(p + 7 * S, xor<T>(L6, L24));
    store<T>(p + 6 * S, xnor<T>(L16, L26));
    store<T>(p + 5 * S, xnor<T>(L19, L28));
    store<T>(p + 4 * S, xor<T>(L6, L21));
    store<T>(p + 3 * S, xor<T>(L20, L22));
    store<T>(p + 2 * S, xor<T>(L25, L29));
    store<T>(p + S, xnor<T>(L13, L27));
    store<T>(p, xnor<T>(L6, L23));
  } else {
    // Bottom linear layer of the inverse: back to the polynomial basis, no affine constant.
    const P0 = xor<T>(M52, M61);
    const P1 = xor<T>(M58, M59);
    const P2 = xor<T>(M54, M62);
    const P3 = xor<T>(M47, M50);
    const P4 = xor<T>(M48, M56);
    const P5 = xor<T>(M46, M51);
    const P6 = xor<T>(M49, M60);
    const P7 = xor<T>(P0, P1);
    const P8 = xor<T>(M50, M53);
    const P9 = xor<T>(M55, M63);
    const P10 = xor<T>(M57, P4);
    const P11 = xor<T>(P0, P3);
    const P12 = xor<T>(M46, M48);
    const P13 = xor<T>(M49, M51);
    const P14 = xor<T>(M49, M62);
    const P15 = xor<T>(M54, M59);
    const P16 = xor<T>(M57, M61);
    const P17 = xor<T>(M58, P2);
    const P18 = xor<T>(M63, P5);
    const P19 = xor<T>(P2, P3);
    const P20 = xor<T>(P4, P6);
    const P22 = xor<T>(P2, P7);
    const P23 = xor<T>(P7, P8);
    const P24 = xor<T>(P5, P7);
    const P25 = xor<T>(P6, P10);
    const P26 = xor<T>(P9, P11);
    const P27 = xor<T>(P10, P18);
    const P28 = xor<T>(P11, P25);
    const P29 = xor<T>(P15, P20);
    store<T>(p + 7 * S, xor<T>(P13, P22));
    store<T>(p + 6 * S, xor<T>(P26, P29));
    store<T>(p + 5 * S, xor<T>(P17, P28));
    store<T>(p + 4 * S, xor<T>(P12, P22));
    store<T>(p + 3 * S, xor<T>(P23, P27));
    store<T>(p + 2 * S, xor<T>(P19, P24));
    store<T>(p + S, xor<T>(P14, P23));
    store<T>(p, xor<T>(P9, P16));
  }
}

/** SubWord (FIPS-197 §5.2) of a little-endian word, through the same circuit on u32 planes. */
export function subWord(w: u32, scratch: usize): u32 {
  // Plane i holds bit i of the word's 4 bytes at bits 0..3. Loops over public indices only.
  for (let i = 0; i < 8; i++) {
    let plane: u32 = 0;
    for (let j = 0; j < 4; j++) plane |= ((w >> (8 * j + i)) & 1) << j;
    store<u32>(scratch + 4 * i, plane);
  }
  subBytes<u32>(scratch, false);
  let r: u32 = 0;
  for (let i = 0; i < 8; i++) {
    const plane = load<u32>(scratch + 4 * i);
    for (let j = 0; j < 4; j++) r |= ((plane >> j) & 1) << (8 * j + i);
    store<u32>(scratch + 4 * i, 0);
  }
  return r;
}
