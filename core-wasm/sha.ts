// SHA-1, SHA-256, SHA-384, SHA-512 (FIPS 180-4), HMAC (RFC 2104) and IKEv2's prf+ (RFC 7296 §2.13).
// Scalar only. No managed objects: fixed scratch regions, (alg, length) exports; see ts/crypto/wasm/sha.ts.
//
// Algorithm ids: 1 = SHA-1, 2 = SHA-256, 3 = SHA-384, 4 = SHA-512.
// Every branch and address depends only on lengths and the algorithm, never on data or key bytes.
// Each export wipes what it used (key, pads, chaining states, partial block, input) before returning,
// except results: OUT and, after hmacSetup, SAVED, which the JS side zeroes once it has copied them.
// A stream (hashInit/hmacInit, update..., hashFinal/hmacFinal) keeps its state until the final call.

// ---- Scratch regions ------------------------------------------------------------------------------

/** Input bytes for hash/update/hmac; for prfPlus the seed sits at IN + PRF_SEED_AT. */
const IN_SIZE: i32 = 65536;
const IN = memory.data(IN_SIZE, 16);
/** Results: a digest, a MAC, or up to 255 * 64 = 16320 bytes of prf+ output. */
const OUT_SIZE: i32 = 16384;
const OUT = memory.data(OUT_SIZE, 16);
/** The HMAC key (at most one block; the JS side hashes longer keys first, RFC 2104 §2). */
const KEY = memory.data(128, 16);
/** Inner chaining state after the ipad block at SAVED, outer after the opad block at SAVED + 64. */
const SAVED = memory.data(128, 16);
const PAD = memory.data(128, 16);
const STATE = memory.data(64, 16);
const BUF = memory.data(128, 16);
const DIG = memory.data(64, 16);

/** prf+ keeps T(n-1) right before the seed, so T(n-1) | S | n is one contiguous message. */
const PRF_SEED_AT: i32 = 64;

// ---- Round constants (FIPS 180-4 §4.2.2, §4.2.3) --------------------------------------------------

const K256 = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
], 16);

const K512 = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
  0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
  0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
  0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
  0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
  0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
  0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
  0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
  0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
  0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
  0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
  0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
], 16);

// ---- Compression functions (FIPS 180-4 §6): n whole blocks at p, chaining value at st ----------------
// The message schedule lives in sixteen locals (w[t mod 16]), each overwritten in place when round t
// first needs W[t], so no schedule array touches memory. The working variables are renamed from round
// to round instead of shifted, so a round is one line and nothing moves between locals.
// SHA-1 is unrolled in full (its round function changes every 20 rounds). SHA-256/512 unroll the first
// 16 rounds and loop over 16-round groups reading K from the table: as fast as a full unroll on V8
// and clearly faster on JavaScriptCore (Bun), whose register allocator struggles with 64-80 rounds.

@inline function ch<T>(x: T, y: T, z: T): T { return z ^ (x & (y ^ z)); }
@inline function maj<T>(x: T, y: T, z: T): T { return (x & y) | (z & (x | y)); }
@inline function parity(x: u32, y: u32, z: u32): u32 { return x ^ y ^ z; }

// FIPS 180-4 §4.1.2 (SHA-256) and §4.1.3 (SHA-384, SHA-512).
@inline function Sig0_256(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
@inline function Sig1_256(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }
@inline function sig0_256(x: u32): u32 { return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3); }
@inline function sig1_256(x: u32): u32 { return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10); }
@inline function Sig0_512(x: u64): u64 { return rotr<u64>(x, 28) ^ rotr<u64>(x, 34) ^ rotr<u64>(x, 39); }
@inline function Sig1_512(x: u64): u64 { return rotr<u64>(x, 14) ^ rotr<u64>(x, 18) ^ rotr<u64>(x, 41); }
@inline function sig0_512(x: u64): u64 { return rotr<u64>(x, 1) ^ rotr<u64>(x, 8) ^ (x >>> 7); }
@inline function sig1_512(x: u64): u64 { return rotr<u64>(x, 19) ^ rotr<u64>(x, 61) ^ (x >>> 6); }

/** SHA-1 (FIPS 180-4 §6.1.2): round t updates the variable that plays e and rotates the one playing b. */
function sha1Blocks(st: usize, p: usize, n: i32): void {
  let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12), e = load<u32>(st, 16);
  while (n-- > 0) {
    let w0 = bswap<u32>(load<u32>(p, 0)), w1 = bswap<u32>(load<u32>(p, 4)), w2 = bswap<u32>(load<u32>(p, 8)), w3 = bswap<u32>(load<u32>(p, 12));
    let w4 = bswap<u32>(load<u32>(p, 16)), w5 = bswap<u32>(load<u32>(p, 20)), w6 = bswap<u32>(load<u32>(p, 24)), w7 = bswap<u32>(load<u32>(p, 28));
    let w8 = bswap<u32>(load<u32>(p, 32)), w9 = bswap<u32>(load<u32>(p, 36)), w10 = bswap<u32>(load<u32>(p, 40)), w11 = bswap<u32>(load<u32>(p, 44));
    let w12 = bswap<u32>(load<u32>(p, 48)), w13 = bswap<u32>(load<u32>(p, 52)), w14 = bswap<u32>(load<u32>(p, 56)), w15 = bswap<u32>(load<u32>(p, 60));
    let A = a, B = b, C = c, D = d, E = e;
    E += rotl<u32>(A, 5) + ch(B, C, D) + 0x5a827999 + w0; B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + ch(A, B, C) + 0x5a827999 + w1; A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + ch(E, A, B) + 0x5a827999 + w2; E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + ch(D, E, A) + 0x5a827999 + w3; D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + ch(C, D, E) + 0x5a827999 + w4; C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + ch(B, C, D) + 0x5a827999 + w5; B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + ch(A, B, C) + 0x5a827999 + w6; A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + ch(E, A, B) + 0x5a827999 + w7; E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + ch(D, E, A) + 0x5a827999 + w8; D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + ch(C, D, E) + 0x5a827999 + w9; C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + ch(B, C, D) + 0x5a827999 + w10; B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + ch(A, B, C) + 0x5a827999 + w11; A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + ch(E, A, B) + 0x5a827999 + w12; E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + ch(D, E, A) + 0x5a827999 + w13; D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + ch(C, D, E) + 0x5a827999 + w14; C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + ch(B, C, D) + 0x5a827999 + w15; B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + ch(A, B, C) + 0x5a827999 + (w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + ch(E, A, B) + 0x5a827999 + (w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + ch(D, E, A) + 0x5a827999 + (w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + ch(C, D, E) + 0x5a827999 + (w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + parity(B, C, D) + 0x6ed9eba1 + (w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + parity(A, B, C) + 0x6ed9eba1 + (w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + parity(E, A, B) + 0x6ed9eba1 + (w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + parity(D, E, A) + 0x6ed9eba1 + (w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + parity(C, D, E) + 0x6ed9eba1 + (w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + parity(B, C, D) + 0x6ed9eba1 + (w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + parity(A, B, C) + 0x6ed9eba1 + (w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + parity(E, A, B) + 0x6ed9eba1 + (w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + parity(D, E, A) + 0x6ed9eba1 + (w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + parity(C, D, E) + 0x6ed9eba1 + (w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + parity(B, C, D) + 0x6ed9eba1 + (w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + parity(A, B, C) + 0x6ed9eba1 + (w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + parity(E, A, B) + 0x6ed9eba1 + (w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + parity(D, E, A) + 0x6ed9eba1 + (w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + parity(C, D, E) + 0x6ed9eba1 + (w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + parity(B, C, D) + 0x6ed9eba1 + (w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + parity(A, B, C) + 0x6ed9eba1 + (w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + parity(E, A, B) + 0x6ed9eba1 + (w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + parity(D, E, A) + 0x6ed9eba1 + (w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + parity(C, D, E) + 0x6ed9eba1 + (w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + maj(B, C, D) + 0x8f1bbcdc + (w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + maj(A, B, C) + 0x8f1bbcdc + (w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + maj(E, A, B) + 0x8f1bbcdc + (w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + maj(D, E, A) + 0x8f1bbcdc + (w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + maj(C, D, E) + 0x8f1bbcdc + (w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + maj(B, C, D) + 0x8f1bbcdc + (w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + maj(A, B, C) + 0x8f1bbcdc + (w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + maj(E, A, B) + 0x8f1bbcdc + (w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + maj(D, E, A) + 0x8f1bbcdc + (w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + maj(C, D, E) + 0x8f1bbcdc + (w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + maj(B, C, D) + 0x8f1bbcdc + (w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + maj(A, B, C) + 0x8f1bbcdc + (w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + maj(E, A, B) + 0x8f1bbcdc + (w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + maj(D, E, A) + 0x8f1bbcdc + (w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + maj(C, D, E) + 0x8f1bbcdc + (w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + maj(B, C, D) + 0x8f1bbcdc + (w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + maj(A, B, C) + 0x8f1bbcdc + (w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + maj(E, A, B) + 0x8f1bbcdc + (w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + maj(D, E, A) + 0x8f1bbcdc + (w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + maj(C, D, E) + 0x8f1bbcdc + (w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + parity(B, C, D) + 0xca62c1d6 + (w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + parity(A, B, C) + 0xca62c1d6 + (w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + parity(E, A, B) + 0xca62c1d6 + (w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + parity(D, E, A) + 0xca62c1d6 + (w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + parity(C, D, E) + 0xca62c1d6 + (w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + parity(B, C, D) + 0xca62c1d6 + (w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + parity(A, B, C) + 0xca62c1d6 + (w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + parity(E, A, B) + 0xca62c1d6 + (w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + parity(D, E, A) + 0xca62c1d6 + (w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + parity(C, D, E) + 0xca62c1d6 + (w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + parity(B, C, D) + 0xca62c1d6 + (w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + parity(A, B, C) + 0xca62c1d6 + (w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + parity(E, A, B) + 0xca62c1d6 + (w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + parity(D, E, A) + 0xca62c1d6 + (w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + parity(C, D, E) + 0xca62c1d6 + (w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1)); C = rotl<u32>(C, 30);
    E += rotl<u32>(A, 5) + parity(B, C, D) + 0xca62c1d6 + (w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1)); B = rotl<u32>(B, 30);
    D += rotl<u32>(E, 5) + parity(A, B, C) + 0xca62c1d6 + (w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1)); A = rotl<u32>(A, 30);
    C += rotl<u32>(D, 5) + parity(E, A, B) + 0xca62c1d6 + (w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1)); E = rotl<u32>(E, 30);
    B += rotl<u32>(C, 5) + parity(D, E, A) + 0xca62c1d6 + (w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1)); D = rotl<u32>(D, 30);
    A += rotl<u32>(B, 5) + parity(C, D, E) + 0xca62c1d6 + (w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1)); C = rotl<u32>(C, 30);
    a += A; b += B; c += C; d += D; e += E;
    p += 64;
  }
  store<u32>(st, a, 0); store<u32>(st, b, 4); store<u32>(st, c, 8); store<u32>(st, d, 12); store<u32>(st, e, 16);
}

/** SHA-256 (FIPS 180-4 §6.2.2): round t adds T1 into the variable playing d and builds the new a in h's. */
function sha256Blocks(st: usize, p: usize, n: i32): void {
  let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12);
  let e = load<u32>(st, 16), f = load<u32>(st, 20), g = load<u32>(st, 24), h = load<u32>(st, 28);
  while (n-- > 0) {
    let w0 = bswap<u32>(load<u32>(p, 0)), w1 = bswap<u32>(load<u32>(p, 4)), w2 = bswap<u32>(load<u32>(p, 8)), w3 = bswap<u32>(load<u32>(p, 12));
    let w4 = bswap<u32>(load<u32>(p, 16)), w5 = bswap<u32>(load<u32>(p, 20)), w6 = bswap<u32>(load<u32>(p, 24)), w7 = bswap<u32>(load<u32>(p, 28));
    let w8 = bswap<u32>(load<u32>(p, 32)), w9 = bswap<u32>(load<u32>(p, 36)), w10 = bswap<u32>(load<u32>(p, 40)), w11 = bswap<u32>(load<u32>(p, 44));
    let w12 = bswap<u32>(load<u32>(p, 48)), w13 = bswap<u32>(load<u32>(p, 52)), w14 = bswap<u32>(load<u32>(p, 56)), w15 = bswap<u32>(load<u32>(p, 60));
    let A = a, B = b, C = c, D = d, E = e, F = f, G = g, H = h;
    let k = K256;
    H += Sig1_256(E) + ch(E, F, G) + load<u32>(k, 0) + w0; D += H; H += Sig0_256(A) + maj(A, B, C);
    G += Sig1_256(D) + ch(D, E, F) + load<u32>(k, 4) + w1; C += G; G += Sig0_256(H) + maj(H, A, B);
    F += Sig1_256(C) + ch(C, D, E) + load<u32>(k, 8) + w2; B += F; F += Sig0_256(G) + maj(G, H, A);
    E += Sig1_256(B) + ch(B, C, D) + load<u32>(k, 12) + w3; A += E; E += Sig0_256(F) + maj(F, G, H);
    D += Sig1_256(A) + ch(A, B, C) + load<u32>(k, 16) + w4; H += D; D += Sig0_256(E) + maj(E, F, G);
    C += Sig1_256(H) + ch(H, A, B) + load<u32>(k, 20) + w5; G += C; C += Sig0_256(D) + maj(D, E, F);
    B += Sig1_256(G) + ch(G, H, A) + load<u32>(k, 24) + w6; F += B; B += Sig0_256(C) + maj(C, D, E);
    A += Sig1_256(F) + ch(F, G, H) + load<u32>(k, 28) + w7; E += A; A += Sig0_256(B) + maj(B, C, D);
    H += Sig1_256(E) + ch(E, F, G) + load<u32>(k, 32) + w8; D += H; H += Sig0_256(A) + maj(A, B, C);
    G += Sig1_256(D) + ch(D, E, F) + load<u32>(k, 36) + w9; C += G; G += Sig0_256(H) + maj(H, A, B);
    F += Sig1_256(C) + ch(C, D, E) + load<u32>(k, 40) + w10; B += F; F += Sig0_256(G) + maj(G, H, A);
    E += Sig1_256(B) + ch(B, C, D) + load<u32>(k, 44) + w11; A += E; E += Sig0_256(F) + maj(F, G, H);
    D += Sig1_256(A) + ch(A, B, C) + load<u32>(k, 48) + w12; H += D; D += Sig0_256(E) + maj(E, F, G);
    C += Sig1_256(H) + ch(H, A, B) + load<u32>(k, 52) + w13; G += C; C += Sig0_256(D) + maj(D, E, F);
    B += Sig1_256(G) + ch(G, H, A) + load<u32>(k, 56) + w14; F += B; B += Sig0_256(C) + maj(C, D, E);
    A += Sig1_256(F) + ch(F, G, H) + load<u32>(k, 60) + w15; E += A; A += Sig0_256(B) + maj(B, C, D);
    for (let r = 1; r < 4; r++) {
      k += 64;
      H += Sig1_256(E) + ch(E, F, G) + load<u32>(k, 0) + (w0 += sig1_256(w14) + w9 + sig0_256(w1)); D += H; H += Sig0_256(A) + maj(A, B, C);
      G += Sig1_256(D) + ch(D, E, F) + load<u32>(k, 4) + (w1 += sig1_256(w15) + w10 + sig0_256(w2)); C += G; G += Sig0_256(H) + maj(H, A, B);
      F += Sig1_256(C) + ch(C, D, E) + load<u32>(k, 8) + (w2 += sig1_256(w0) + w11 + sig0_256(w3)); B += F; F += Sig0_256(G) + maj(G, H, A);
      E += Sig1_256(B) + ch(B, C, D) + load<u32>(k, 12) + (w3 += sig1_256(w1) + w12 + sig0_256(w4)); A += E; E += Sig0_256(F) + maj(F, G, H);
      D += Sig1_256(A) + ch(A, B, C) + load<u32>(k, 16) + (w4 += sig1_256(w2) + w13 + sig0_256(w5)); H += D; D += Sig0_256(E) + maj(E, F, G);
      C += Sig1_256(H) + ch(H, A, B) + load<u32>(k, 20) + (w5 += sig1_256(w3) + w14 + sig0_256(w6)); G += C; C += Sig0_256(D) + maj(D, E, F);
      B += Sig1_256(G) + ch(G, H, A) + load<u32>(k, 24) + (w6 += sig1_256(w4) + w15 + sig0_256(w7)); F += B; B += Sig0_256(C) + maj(C, D, E);
      A += Sig1_256(F) + ch(F, G, H) + load<u32>(k, 28) + (w7 += sig1_256(w5) + w0 + sig0_256(w8)); E += A; A += Sig0_256(B) + maj(B, C, D);
      H += Sig1_256(E) + ch(E, F, G) + load<u32>(k, 32) + (w8 += sig1_256(w6) + w1 + sig0_256(w9)); D += H; H += Sig0_256(A) + maj(A, B, C);
      G += Sig1_256(D) + ch(D, E, F) + load<u32>(k, 36) + (w9 += sig1_256(w7) + w2 + sig0_256(w10)); C += G; G += Sig0_256(H) + maj(H, A, B);
      F += Sig1_256(C) + ch(C, D, E) + load<u32>(k, 40) + (w10 += sig1_256(w8) + w3 + sig0_256(w11)); B += F; F += Sig0_256(G) + maj(G, H, A);
      E += Sig1_256(B) + ch(B, C, D) + load<u32>(k, 44) + (w11 += sig1_256(w9) + w4 + sig0_256(w12)); A += E; E += Sig0_256(F) + maj(F, G, H);
      D += Sig1_256(A) + ch(A, B, C) + load<u32>(k, 48) + (w12 += sig1_256(w10) + w5 + sig0_256(w13)); H += D; D += Sig0_256(E) + maj(E, F, G);
      C += Sig1_256(H) + ch(H, A, B) + load<u32>(k, 52) + (w13 += sig1_256(w11) + w6 + sig0_256(w14)); G += C; C += Sig0_256(D) + maj(D, E, F);
      B += Sig1_256(G) + ch(G, H, A) + load<u32>(k, 56) + (w14 += sig1_256(w12) + w7 + sig0_256(w15)); F += B; B += Sig0_256(C) + maj(C, D, E);
      A += Sig1_256(F) + ch(F, G, H) + load<u32>(k, 60) + (w15 += sig1_256(w13) + w8 + sig0_256(w0)); E += A; A += Sig0_256(B) + maj(B, C, D);
    }
    a += A; b += B; c += C; d += D; e += E; f += F; g += G; h += H;
    p += 64;
  }
  store<u32>(st, a, 0); store<u32>(st, b, 4); store<u32>(st, c, 8); store<u32>(st, d, 12);
  store<u32>(st, e, 16); store<u32>(st, f, 20); store<u32>(st, g, 24); store<u32>(st, h, 28);
}

/** SHA-512 and SHA-384 (FIPS 180-4 §6.4.2): the SHA-256 structure on 64-bit words, 80 rounds. */
function sha512Blocks(st: usize, p: usize, n: i32): void {
  let a = load<u64>(st, 0), b = load<u64>(st, 8), c = load<u64>(st, 16), d = load<u64>(st, 24);
  let e = load<u64>(st, 32), f = load<u64>(st, 40), g = load<u64>(st, 48), h = load<u64>(st, 56);
  while (n-- > 0) {
    let w0 = bswap<u64>(load<u64>(p, 0)), w1 = bswap<u64>(load<u64>(p, 8)), w2 = bswap<u64>(load<u64>(p, 16)), w3 = bswap<u64>(load<u64>(p, 24));
    let w4 = bswap<u64>(load<u64>(p, 32)), w5 = bswap<u64>(load<u64>(p, 40)), w6 = bswap<u64>(load<u64>(p, 48)), w7 = bswap<u64>(load<u64>(p, 56));
    let w8 = bswap<u64>(load<u64>(p, 64)), w9 = bswap<u64>(load<u64>(p, 72)), w10 = bswap<u64>(load<u64>(p, 80)), w11 = bswap<u64>(load<u64>(p, 88));
    let w12 = bswap<u64>(load<u64>(p, 96)), w13 = bswap<u64>(load<u64>(p, 104)), w14 = bswap<u64>(load<u64>(p, 112)), w15 = bswap<u64>(load<u64>(p, 120));
    let A = a, B = b, C = c, D = d, E = e, F = f, G = g, H = h;
    let k = K512;
    H += Sig1_512(E) + ch(E, F, G) + load<u64>(k, 0) + w0; D += H; H += Sig0_512(A) + maj(A, B, C);
    G += Sig1_512(D) + ch(D, E, F) + load<u64>(k, 8) + w1; C += G; G += Sig0_512(H) + maj(H, A, B);
    F += Sig1_512(C) + ch(C, D, E) + load<u64>(k, 16) + w2; B += F; F += Sig0_512(G) + maj(G, H, A);
    E += Sig1_512(B) + ch(B, C, D) + load<u64>(k, 24) + w3; A += E; E += Sig0_512(F) + maj(F, G, H);
    D += Sig1_512(A) + ch(A, B, C) + load<u64>(k, 32) + w4; H += D; D += Sig0_512(E) + maj(E, F, G);
    C += Sig1_512(H) + ch(H, A, B) + load<u64>(k, 40) + w5; G += C; C += Sig0_512(D) + maj(D, E, F);
    B += Sig1_512(G) + ch(G, H, A) + load<u64>(k, 48) + w6; F += B; B += Sig0_512(C) + maj(C, D, E);
    A += Sig1_512(F) + ch(F, G, H) + load<u64>(k, 56) + w7; E += A; A += Sig0_512(B) + maj(B, C, D);
    H += Sig1_512(E) + ch(E, F, G) + load<u64>(k, 64) + w8; D += H; H += Sig0_512(A) + maj(A, B, C);
    G += Sig1_512(D) + ch(D, E, F) + load<u64>(k, 72) + w9; C += G; G += Sig0_512(H) + maj(H, A, B);
    F += Sig1_512(C) + ch(C, D, E) + load<u64>(k, 80) + w10; B += F; F += Sig0_512(G) + maj(G, H, A);
    E += Sig1_512(B) + ch(B, C, D) + load<u64>(k, 88) + w11; A += E; E += Sig0_512(F) + maj(F, G, H);
    D += Sig1_512(A) + ch(A, B, C) + load<u64>(k, 96) + w12; H += D; D += Sig0_512(E) + maj(E, F, G);
    C += Sig1_512(H) + ch(H, A, B) + load<u64>(k, 104) + w13; G += C; C += Sig0_512(D) + maj(D, E, F);
    B += Sig1_512(G) + ch(G, H, A) + load<u64>(k, 112) + w14; F += B; B += Sig0_512(C) + maj(C, D, E);
    A += Sig1_512(F) + ch(F, G, H) + load<u64>(k, 120) + w15; E += A; A += Sig0_512(B) + maj(B, C, D);
    for (let r = 1; r < 5; r++) {
      k += 128;
      H += Sig1_512(E) + ch(E, F, G) + load<u64>(k, 0) + (w0 += sig1_512(w14) + w9 + sig0_512(w1)); D += H; H += Sig0_512(A) + maj(A, B, C);
      G += Sig1_512(D) + ch(D, E, F) + load<u64>(k, 8) + (w1 += sig1_512(w15) + w10 + sig0_512(w2)); C += G; G += Sig0_512(H) + maj(H, A, B);
      F += Sig1_512(C) + ch(C, D, E) + load<u64>(k, 16) + (w2 += sig1_512(w0) + w11 + sig0_512(w3)); B += F; F += Sig0_512(G) + maj(G, H, A);
      E += Sig1_512(B) + ch(B, C, D) + load<u64>(k, 24) + (w3 += sig1_512(w1) + w12 + sig0_512(w4)); A += E; E += Sig0_512(F) + maj(F, G, H);
      D += Sig1_512(A) + ch(A, B, C) + load<u64>(k, 32) + (w4 += sig1_512(w2) + w13 + sig0_512(w5)); H += D; D += Sig0_512(E) + maj(E, F, G);
      C += Sig1_512(H) + ch(H, A, B) + load<u64>(k, 40) + (w5 += sig1_512(w3) + w14 + sig0_512(w6)); G += C; C += Sig0_512(D) + maj(D, E, F);
      B += Sig1_512(G) + ch(G, H, A) + load<u64>(k, 48) + (w6 += sig1_512(w4) + w15 + sig0_512(w7)); F += B; B += Sig0_512(C) + maj(C, D, E);
      A += Sig1_512(F) + ch(F, G, H) + load<u64>(k, 56) + (w7 += sig1_512(w5) + w0 + sig0_512(w8)); E += A; A += Sig0_512(B) + maj(B, C, D);
      H += Sig1_512(E) + ch(E, F, G) + load<u64>(k, 64) + (w8 += sig1_512(w6) + w1 + sig0_512(w9)); D += H; H += Sig0_512(A) + maj(A, B, C);
      G += Sig1_512(D) + ch(D, E, F) + load<u64>(k, 72) + (w9 += sig1_512(w7) + w2 + sig0_512(w10)); C += G; G += Sig0_512(H) + maj(H, A, B);
      F += Sig1_512(C) + ch(C, D, E) + load<u64>(k, 80) + (w10 += sig1_512(w8) + w3 + sig0_512(w11)); B += F; F += Sig0_512(G) + maj(G, H, A);
      E += Sig1_512(B) + ch(B, C, D) + load<u64>(k, 88) + (w11 += sig1_512(w9) + w4 + sig0_512(w12)); A += E; E += Sig0_512(F) + maj(F, G, H);
      D += Sig1_512(A) + ch(A, B, C) + load<u64>(k, 96) + (w12 += sig1_512(w10) + w5 + sig0_512(w13)); H += D; D += Sig0_512(E) + maj(E, F, G);
      C += Sig1_512(H) + ch(H, A, B) + load<u64>(k, 104) + (w13 += sig1_512(w11) + w6 + sig0_512(w14)); G += C; C += Sig0_512(D) + maj(D, E, F);
      B += Sig1_512(G) + ch(G, H, A) + load<u64>(k, 112) + (w14 += sig1_512(w12) + w7 + sig0_512(w15)); F += B; B += Sig0_512(C) + maj(C, D, E);
      A += Sig1_512(F) + ch(F, G, H) + load<u64>(k, 120) + (w15 += sig1_512(w13) + w8 + sig0_512(w0)); E += A; A += Sig0_512(B) + maj(B, C, D);
    }
    a += A; b += B; c += C; d += D; e += E; f += F; g += G; h += H;
    p += 128;
  }
  store<u64>(st, a, 0); store<u64>(st, b, 8); store<u64>(st, c, 16); store<u64>(st, d, 24);
  store<u64>(st, e, 32); store<u64>(st, f, 40); store<u64>(st, g, 48); store<u64>(st, h, 56);
}

// ---- One streaming context (STATE + BUF); the JS side never interleaves two streams ---------------

let alg: i32 = 2;
let blockLen: i32 = 64;
let bufLen: i32 = 0;
let total: u64 = 0;

function digestLen(a: i32): i32 {
  return a == 1 ? 20 : a == 2 ? 32 : a == 3 ? 48 : 64;
}

function compress(st: usize, p: usize, n: i32): void {
  if (alg == 1) sha1Blocks(st, p, n);
  else if (alg == 2) sha256Blocks(st, p, n);
  else sha512Blocks(st, p, n);
}

/** Initial hash values, FIPS 180-4 §5.3. */
function initState(st: usize): void {
  if (alg == 1) {
    store<u32>(st, 0x67452301, 0); store<u32>(st, 0xefcdab89, 4); store<u32>(st, 0x98badcfe, 8);
    store<u32>(st, 0x10325476, 12); store<u32>(st, 0xc3d2e1f0, 16);
  } else if (alg == 2) {
    store<u32>(st, 0x6a09e667, 0); store<u32>(st, 0xbb67ae85, 4); store<u32>(st, 0x3c6ef372, 8); store<u32>(st, 0xa54ff53a, 12);
    store<u32>(st, 0x510e527f, 16); store<u32>(st, 0x9b05688c, 20); store<u32>(st, 0x1f83d9ab, 24); store<u32>(st, 0x5be0cd19, 28);
  } else if (alg == 3) {
    store<u64>(st, 0xcbbb9d5dc1059ed8, 0); store<u64>(st, 0x629a292a367cd507, 8);
    store<u64>(st, 0x9159015a3070dd17, 16); store<u64>(st, 0x152fecd8f70e5939, 24);
    store<u64>(st, 0x67332667ffc00b31, 32); store<u64>(st, 0x8eb44a8768581511, 40);
    store<u64>(st, 0xdb0c2e0d64f98fa7, 48); store<u64>(st, 0x47b5481dbefa4fa4, 56);
  } else {
    store<u64>(st, 0x6a09e667f3bcc908, 0); store<u64>(st, 0xbb67ae8584caa73b, 8);
    store<u64>(st, 0x3c6ef372fe94f82b, 16); store<u64>(st, 0xa54ff53a5f1d36f1, 24);
    store<u64>(st, 0x510e527fade682d1, 32); store<u64>(st, 0x9b05688c2b3e6c1f, 40);
    store<u64>(st, 0x1f83d9abfb41bd6b, 48); store<u64>(st, 0x5be0cd19137e2179, 56);
  }
}

function begin(a: i32): void {
  alg = a;
  blockLen = a <= 2 ? 64 : 128;
  bufLen = 0;
  total = 0;
}

/** Continues from a saved chaining value that has already absorbed one block (HMAC's key pad). */
function resume(a: i32, saved: usize): void {
  begin(a);
  memory.copy(STATE, saved, 64);
  total = <u64>blockLen;
}

function absorb(p: usize, len: i32): void {
  total += <u64>len;
  if (bufLen > 0) {
    const take = min(blockLen - bufLen, len);
    memory.copy(BUF + bufLen, p, take);
    bufLen += take; p += take; len -= take;
    if (bufLen < blockLen) return;
    compress(STATE, BUF, 1);
    bufLen = 0;
  }
  const n = len / blockLen;
  if (n > 0) {
    compress(STATE, p, n);
    p += n * blockLen; len -= n * blockLen;
  }
  if (len > 0) {
    memory.copy(BUF, p, len);
    bufLen = len;
  }
}

/** Padding (FIPS 180-4 §5.1) and the big-endian digest at out; wipes BUF and STATE. */
function finish(out: usize): void {
  const lenAt = blockLen - (blockLen >> 3); // 56 or 112: the length field is 8 or 16 bytes
  store<u8>(BUF + bufLen, 0x80);
  memory.fill(BUF + bufLen + 1, 0, blockLen - bufLen - 1);
  if (bufLen + 1 > lenAt) {
    compress(STATE, BUF, 1);
    memory.fill(BUF, 0, blockLen);
  }
  store<u64>(BUF + blockLen - 8, bswap<u64>(total << 3));
  compress(STATE, BUF, 1);
  if (alg <= 2) {
    for (let i = 0, n = digestLen(alg); i < n; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(STATE + i)));
  } else {
    for (let i = 0, n = digestLen(alg); i < n; i += 8) store<u64>(out + i, bswap<u64>(load<u64>(STATE + i)));
  }
  memory.fill(BUF, 0, 128);
  memory.fill(STATE, 0, 64);
  bufLen = 0;
}

/** HMAC key setup (RFC 2104 §2): SAVED = state after (K ^ ipad), SAVED + 64 = after (K ^ opad). */
function setupKey(a: i32, keyLen: i32): void {
  begin(a);
  memory.fill(PAD, 0x36, blockLen);
  for (let i = 0; i < keyLen; i++) store<u8>(PAD + i, load<u8>(KEY + i) ^ 0x36);
  initState(SAVED);
  compress(SAVED, PAD, 1);
  memory.fill(PAD, 0x5c, blockLen);
  for (let i = 0; i < keyLen; i++) store<u8>(PAD + i, load<u8>(KEY + i) ^ 0x5c);
  initState(SAVED + 64);
  compress(SAVED + 64, PAD, 1);
  memory.fill(PAD, 0, 128);
  memory.fill(KEY, 0, 128);
}

/** The inner hash over len bytes at p, then the outer hash of that digest, written to out. */
function hmacOver(a: i32, p: usize, len: i32, out: usize): void {
  resume(a, SAVED);
  absorb(p, len);
  finish(DIG);
  resume(a, SAVED + 64);
  absorb(DIG, digestLen(a));
  finish(out);
}

function wipeAfterHmac(): void {
  memory.fill(SAVED, 0, 128);
  memory.fill(DIG, 0, 64);
}

// ---- Exports ---------------------------------------------------------------------------------------

export function inPtr(): usize { return IN; }
export function inSize(): i32 { return IN_SIZE; }
export function outPtr(): usize { return OUT; }
export function keyPtr(): usize { return KEY; }
export function savedPtr(): usize { return SAVED; }

/** One-shot hash of IN[0..len] into OUT. */
export function hash(a: i32, len: i32): void {
  begin(a);
  initState(STATE);
  absorb(IN, len);
  finish(OUT);
  memory.fill(IN, 0, len);
}

/** Streaming: hashInit, then update(len) per chunk placed at IN, then hashFinal (digest in OUT). */
export function hashInit(a: i32): void {
  begin(a);
  initState(STATE);
}

export function update(len: i32): void {
  absorb(IN, len);
  memory.fill(IN, 0, len);
}

export function hashFinal(): void {
  finish(OUT);
}

/** KEY[0..keyLen] (at most one block) -> the two chaining states at SAVED; KEY and the pads are wiped. */
export function hmacSetup(a: i32, keyLen: i32): void {
  setupKey(a, keyLen);
}

/** HMAC of IN[0..len] with the states at SAVED, into OUT; SAVED and IN are wiped. */
export function hmac(a: i32, len: i32): void {
  hmacOver(a, IN, len, OUT);
  wipeAfterHmac();
  memory.fill(IN, 0, len);
}

/** Key setup and HMAC of IN[0..len] in one call (KEY[0..keyLen] at most one block). */
export function hmacWithKey(a: i32, keyLen: i32, len: i32): void {
  setupKey(a, keyLen);
  hmac(a, len);
}

/** Streaming HMAC: hmacInit (states at SAVED), update(len) per chunk, hmacFinal (MAC in OUT). */
export function hmacInit(a: i32): void {
  resume(a, SAVED);
}

export function hmacFinal(): void {
  const a = alg;
  finish(DIG);
  resume(a, SAVED + 64);
  absorb(DIG, digestLen(a));
  finish(OUT);
  wipeAfterHmac();
}

/**
 * prf+ (RFC 7296 §2.13) with HMAC: T1 = prf(K, S | 0x01), Tn = prf(K, T(n-1) | S | n), written to
 * OUT[0..outLen]. K = KEY[0..keyLen] (at most one block), S = IN[PRF_SEED_AT ..][0..seedLen],
 * seedLen <= IN_SIZE - PRF_SEED_AT - 1, outLen <= 255 * digest length. Everything but OUT is wiped.
 */
export function prfPlus(a: i32, keyLen: i32, seedLen: i32, outLen: i32): void {
  setupKey(a, keyLen);
  const L = digestLen(a);
  const seed = IN + <usize>PRF_SEED_AT;
  const counterAt = seed + <usize>seedLen;
  const blocks = (outLen + L - 1) / L;
  for (let n = 1; n <= blocks; n++) {
    store<u8>(counterAt, <u8>n);
    const t = OUT + <usize>((n - 1) * L);
    if (n == 1) hmacOver(a, seed, seedLen + 1, t);
    else hmacOver(a, seed - L, L + seedLen + 1, t);
    memory.copy(seed - L, t, L);
  }
  wipeAfterHmac();
  memory.fill(IN, 0, PRF_SEED_AT + seedLen + 1);
  memory.fill(OUT + outLen, 0, blocks * L - outLen);
}
