// AES-128/192/256 (FIPS-197) in CBC (RFC 3602) and GCM (NIST SP 800-38D; the IPsec nonce layout of
// RFC 4106 / RFC 5282 is salt || iv, a 12-byte nonce), constant time: bitsliced AES (aes/ct64.ts, four
// blocks per pass; aes/ks8.ts, eight blocks per pass in v128 planes when built with SIMD), and GHASH
// by carry-less multiplies from integer multiplies with holes (aes/ghash.ts). No table lookup, branch
// or address depends on a key or data byte; loop bounds depend on lengths only.
//
// No managed objects cross the boundary: the JS side (ts/crypto/wasm/aes.ts) writes into fixed regions
// and calls (offset, length) exports. The key state (plane round keys + GHASH key table, KEYS) is
// made once by setKey; the JS side keeps a copy per key object and puts it back when it switches keys.
// Data streams through BUF in place; CBC chaining (IV), the GCM counter, pending keystream and GHASH
// accumulator live here between calls, so a message of any length is a sequence of chunk calls.
import * as ct64 from "./aes/ct64";
import * as ks8 from "./aes/ks8";
import { subWord } from "./aes/sbox";
import { GHASH_KEY_BYTES, bswap64, ghashBlocks, ghashKey } from "./aes/ghash";

// ---- Build-dependent batch core ------------------------------------------------------------------------

/** Blocks per bitsliced pass (4 scalar, 8 SIMD) and bytes per pass. */
const LANES: i32 = ASC_FEATURE_SIMD ? ks8.LANES : ct64.LANES;
const BATCH: i32 = LANES * 16;
const RK_BYTES: i32 = ASC_FEATURE_SIMD ? ks8.RK_BYTES : ct64.RK_BYTES;

// ---- Regions ----------------------------------------------------------------------------------------------

/** Data in/out, processed in place. */
const BUF_SIZE: i32 = 65536;
const BUF = memory.data(BUF_SIZE, 16);
/** The raw key for setKey (wiped by it). */
const KEY_IN = memory.data(32, 16);
/** Key state: [0] rounds (u32), [64..) 15 plane round keys, then the GHASH key table. */
const RK_AT: i32 = 64;
const GK_AT: i32 = RK_AT + 15 * RK_BYTES;
const KEY_STATE_SIZE: i32 = GK_AT + GHASH_KEY_BYTES;
const KEYS = memory.data(KEY_STATE_SIZE, 16);
/** CBC: the chaining value. GCM: the 12-byte nonce (salt || iv). */
const IV = memory.data(16, 16);
/** GCM tag out, and the tag to check for open. */
const TAG = memory.data(16, 16);
const EXPECT = memory.data(16, 16);

// Internal state and scratch (never read by the JS side).
const Q = memory.data(128, 16);        // bit planes of the batch in flight
const WORK = memory.data(128, 16);     // one batch of blocks: counters, a CBC block, ...
const PEND = memory.data(128, 16);     // keystream not used yet
const Y = memory.data(16, 16);         // GHASH accumulator (two u64, high word first)
const EJ0 = memory.data(16, 16);       // E(K, J0), masks the tag
const J0 = memory.data(16, 16);        // the pre-counter block
const LAST = memory.data(16, 16);      // CBC decryption: the batch's last ciphertext block
const PAD = memory.data(16, 16);       // a partial GHASH block, zero padded
const RKB = memory.data(240, 16);      // byte round keys during setKey
const TMP = memory.data(128, 16);

let ctr: u32 = 0;        // next GCM counter (the low 32 bits of the counter block)
let pendAt: i32 = 0;     // offset of unused keystream in PEND
let pendLen: i32 = 0;
let aadBytes: u64 = 0;
let ctBytes: u64 = 0;

export function bufPtr(): usize { return BUF; }
export function bufSize(): i32 { return BUF_SIZE; }
export function keyInPtr(): usize { return KEY_IN; }
export function keyPtr(): usize { return KEYS; }
export function keyStateSize(): i32 { return KEY_STATE_SIZE; }
export function ivPtr(): usize { return IV; }
export function tagPtr(): usize { return TAG; }
export function expectPtr(): usize { return EXPECT; }

@inline function rounds(): i32 { return load<i32>(KEYS); }

/** Encrypts the LANES blocks at p in place. */
function encryptBatch(p: usize): void {
  if (ASC_FEATURE_SIMD) {
    ks8.load8(p, Q);
    ks8.encryptPlanes(Q, KEYS + RK_AT, rounds());
    ks8.store8(Q, p);
  } else {
    ct64.load4(p, Q);
    ct64.encryptPlanes(Q, KEYS + RK_AT, rounds());
    ct64.store4(Q, p);
  }
}

function decryptBatch(p: usize): void {
  if (ASC_FEATURE_SIMD) {
    ks8.load8(p, Q);
    ks8.decryptPlanes(Q, KEYS + RK_AT, rounds());
    ks8.store8(Q, p);
  } else {
    ct64.load4(p, Q);
    ct64.decryptPlanes(Q, KEYS + RK_AT, rounds());
    ct64.store4(Q, p);
  }
}

function roundKeyPlanes(rk16: usize, out: usize): void {
  if (ASC_FEATURE_SIMD) ks8.roundKeyPlanes(rk16, out);
  else ct64.roundKeyPlanes(rk16, out, TMP);
}

// ---- Key setup (FIPS-197 §5.2) -------------------------------------------------------------------------

/**
 * Expands the key at KEY_IN (16, 24 or 32 bytes) into KEYS; with `withGhash`, also H = E(K, 0^128)
 * and its GHASH key table. Returns 0 for a bad length. Wipes KEY_IN and every temporary.
 */
export function setKey(keyLen: i32, withGhash: i32): i32 {
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) return 0;
  const nk = keyLen >> 2, nr = nk + 6, words = 4 * (nr + 1);
  memory.fill(KEYS, 0, KEY_STATE_SIZE);
  memory.copy(RKB, KEY_IN, keyLen);
  let rcon: u32 = 1;
  for (let i = nk; i < words; i++) {
    let t = load<u32>(RKB + 4 * (i - 1));
    if (i % nk == 0) {
      t = subWord(rotr<u32>(t, 8), TMP) ^ rcon;   // RotWord is a byte rotation of the LE word
      rcon = ((rcon << 1) ^ ((rcon >> 7) * 0x1b)) & 0xff;
    } else if (nk > 6 && i % nk == 4) {
      t = subWord(t, TMP);
    }
    store<u32>(RKB + 4 * i, load<u32>(RKB + 4 * (i - nk)) ^ t);
  }
  store<i32>(KEYS, nr);
  for (let r = 0; r <= nr; r++) roundKeyPlanes(RKB + 16 * r, KEYS + RK_AT + r * RK_BYTES);
  if (withGhash) {
    memory.fill(WORK, 0, BATCH);
    encryptBatch(WORK);
    ghashKey(WORK, KEYS + GK_AT);
  }
  memory.fill(RKB, 0, 240);
  memory.fill(KEY_IN, 0, 32);
  wipeScratch();
  return 1;
}

function wipeScratch(): void {
  memory.fill(Q, 0, 128);
  memory.fill(WORK, 0, 128);
  memory.fill(TMP, 0, 128);
  memory.fill(LAST, 0, 16);
}

@inline function xorBlock(dst: usize, a: usize, b: usize): void {
  store<u64>(dst, load<u64>(a) ^ load<u64>(b));
  store<u64>(dst, load<u64>(a, 8) ^ load<u64>(b, 8), 8);
}

// ---- CBC (RFC 3602) -------------------------------------------------------------------------------------

/** Encrypts BUF[0..len] (whole blocks) in place, chaining from and updating IV. One block per pass. */
export function cbcEncrypt(len: i32): void {
  for (let off = 0; off < len; off += 16) {
    xorBlock(WORK, BUF + off, IV);
    encryptBatch(WORK);
    memory.copy(BUF + off, WORK, 16);
    memory.copy(IV, WORK, 16);
  }
  wipeScratch();
}

/** Decrypts BUF[0..len] (whole blocks) in place, LANES blocks per pass, chaining through IV. */
export function cbcDecrypt(len: i32): void {
  for (let off = 0; off < len; off += BATCH) {
    const n = min(BATCH, len - off);
    const p = BUF + off;
    memory.copy(WORK, p, n);
    zeroTail(n);
    decryptBatch(WORK);
    memory.copy(LAST, p + n - 16, 16);
    // Highest block first, so each block's predecessor is still ciphertext when it is needed.
    for (let k = n - 16; k > 0; k -= 16) xorBlock(p + k, WORK + k, p + k - 16);
    xorBlock(p, WORK, IV);
    memory.copy(IV, LAST, 16);
  }
  wipeScratch();
}

/** Zeroes the unused blocks of a partial batch in WORK (their output is discarded). */
@inline function zeroTail(n: i32): void {
  if (n < BATCH) memory.fill(WORK + n, 0, BATCH - n);
}

// ---- GCM (NIST SP 800-38D §7) ---------------------------------------------------------------------------

/** GHASH over len bytes at p; a partial last block is zero padded (§6.4, §7.1 step 5). */
function ghashData(p: usize, len: i32): void {
  const full = len >> 4;
  ghashBlocks(KEYS + GK_AT, Y, p, full);
  const rest = len & 15;
  if (rest) {
    memory.fill(PAD, 0, 16);
    memory.copy(PAD, p + (full << 4), rest);
    ghashBlocks(KEYS + GK_AT, Y, PAD, 1);
    memory.fill(PAD, 0, 16);
  }
}

/** GHASH of the length block [bits a]64 || [bits b]64 (§7.1 step 5). */
function ghashLengths(aBytes: u64, bBytes: u64): void {
  store<u64>(PAD, bswap64(aBytes << 3));
  store<u64>(PAD, bswap64(bBytes << 3), 8);
  ghashBlocks(KEYS + GK_AT, Y, PAD, 1);
  memory.fill(PAD, 0, 16);
}

/** Y as 16 bytes at out. */
function ghashOut(out: usize): void {
  store<u64>(out, bswap64(load<u64>(Y)));
  store<u64>(out, bswap64(load<u64>(Y, 8)), 8);
}

/** Fills PEND with the keystream for counters ctr .. ctr + LANES - 1 (inc32, §6.2) and advances ctr. */
function refill(): void {
  for (let k = 0; k < LANES; k++) {
    memory.copy(PEND + 16 * k, J0, 12);
    store<u32>(PEND + 16 * k + 12, bswap<u32>(ctr + <u32>k));
  }
  ctr += <u32>LANES;
  encryptBatch(PEND);
  pendAt = 0;
  pendLen = BATCH;
}

/** XORs len bytes at p with the next keystream bytes. */
function ctrXor(p: usize, len: i32): void {
  while (len > 0) {
    if (pendLen == 0) refill();
    const n = min(len, pendLen);
    const src = PEND + pendAt;
    let i = 0;
    for (; i + 8 <= n; i += 8) store<u64>(p + i, load<u64>(p + i) ^ load<u64>(src + i));
    for (; i < n; i++) store<u8>(p + i, load<u8>(p + i) ^ load<u8>(src + i));
    p += n;
    len -= n;
    pendAt += n;
    pendLen -= n;
  }
}

/**
 * Starts a message: J0 from the nonce (§7.1 step 2) — IV[0..12] || 0^31 || 1 for a 12-byte nonce,
 * else GHASH(nonce || pad || [0]64 || [bits]64) over BUF[0..nonceLen] — then E(K, J0) and the first
 * keystream. Resets the GHASH accumulator and the lengths.
 */
export function gcmStart(nonceLen: i32): void {
  memory.fill(Y, 0, 16);
  if (nonceLen == 12) {
    memory.copy(J0, IV, 12);
    store<u32>(J0 + 12, bswap<u32>(1));
  } else {
    ghashData(BUF, nonceLen);
    ghashLengths(0, <u64>nonceLen);
    ghashOut(J0);
    memory.fill(Y, 0, 16);
  }
  aadBytes = 0;
  ctBytes = 0;
  ctr = bswap<u32>(load<u32>(J0 + 12));
  refill();
  memory.copy(EJ0, PEND, 16);
  pendAt = 16;
  pendLen = BATCH - 16;
}

/** Adds BUF[off..off+len] to the AAD (only the last AAD chunk may be a partial block). */
export function gcmAad(off: i32, len: i32): void {
  ghashData(BUF + off, len);
  aadBytes += <u64>len;
}

/** Encrypts BUF[off..off+len] in place and hashes the ciphertext. */
export function gcmEncrypt(off: i32, len: i32): void {
  ctrXor(BUF + off, len);
  ghashData(BUF + off, len);
  ctBytes += <u64>len;
}

/** Hashes ciphertext BUF[off..off+len] without decrypting it (open, first pass). */
export function gcmHashCiphertext(off: i32, len: i32): void {
  ghashData(BUF + off, len);
  ctBytes += <u64>len;
}

/** Applies the keystream to BUF[off..off+len] in place (open, second pass). */
export function gcmCtr(off: i32, len: i32): void {
  ctrXor(BUF + off, len);
}

/** TAG = GHASH(... || lengths) ^ E(K, J0) (§7.1 steps 5-6). Keystream state is kept (open's second pass). */
export function gcmFinish(): void {
  ghashLengths(aadBytes, ctBytes);
  ghashOut(TAG);
  xorBlock(TAG, TAG, EJ0);
}

/** 1 when TAG[0..tagLen] equals EXPECT[0..tagLen], else 0; no early exit. Zeroes TAG and EXPECT. */
export function gcmVerify(tagLen: i32): i32 {
  let diff: u32 = 0;
  for (let i = 0; i < tagLen; i++) diff |= <u32>(load<u8>(TAG + i) ^ load<u8>(EXPECT + i));
  memory.fill(TAG, 0, 16);
  memory.fill(EXPECT, 0, 16);
  return <i32>((diff - 1) >> 31);
}

/** Wipes the message state (counter block, E(K, J0), keystream, accumulator). */
export function gcmEnd(): void {
  memory.fill(Y, 0, 16);
  memory.fill(EJ0, 0, 16);
  memory.fill(J0, 0, 16);
  memory.fill(PEND, 0, 128);
  ctr = 0;
  pendAt = 0;
  pendLen = 0;
  wipeScratch();
}

/**
 * One-call seal: AAD at BUF[0..aadLen], plaintext at BUF[off..off+len] (off >= aadLen) becomes
 * ciphertext; the full tag goes to TAG. `start` = 1 starts from the 12-byte nonce at IV, 0 when
 * gcmStart was already called (other nonce lengths).
 */
export function gcmSeal(start: i32, aadLen: i32, off: i32, len: i32): void {
  if (start) gcmStart(12);
  gcmAad(0, aadLen);
  gcmEncrypt(off, len);
  gcmFinish();
  gcmEnd();
}

/**
 * One-call open: as gcmSeal with ciphertext at BUF[off..off+len] and the received tag at EXPECT.
 * Decrypts in place only when the tag matches; returns 1 then, else 0 (BUF keeps the ciphertext).
 */
export function gcmOpen(start: i32, aadLen: i32, off: i32, len: i32, tagLen: i32): i32 {
  if (start) gcmStart(12);
  gcmAad(0, aadLen);
  gcmHashCiphertext(off, len);
  gcmFinish();
  const ok = gcmVerify(tagLen);
  if (ok) gcmCtr(off, len);
  gcmEnd();
  return ok;
}
