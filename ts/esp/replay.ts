// Receiver-side sequence number handling: the anti-replay window (RFC 4303 §3.4.3) as a fixed-size
// bitmap, and the inference of the high 32 bits of an extended sequence number (RFC 4303 §2.2.1,
// Appendix A2.2). The bitmap is a ring of 32-bit words indexed by seq / 32 (the layout of RFC 6479):
// sliding the window forward clears whole words, never shifts, so the cost of a far-ahead packet is
// bounded by the window size, and the memory is fixed at construction.
//
// Sequence numbers are held as JS numbers (64-bit ESN values are exact below 2^53; at 10 million
// packets per second that is 28 years of one SA). A value that would not be exact is refused.

/** RFC 4303 §3.4.3: a window of at least 32 packets MUST be supported; 64 is the default there. */
export const MIN_REPLAY_WINDOW = 32;
/** Our default: the issue asks for at least 1024 packets. */
export const DEFAULT_REPLAY_WINDOW = 1024;
/** An implementation limit keeping the bitmap small (1 KiB). */
export const MAX_REPLAY_WINDOW = 8192;

const TWO32 = 0x1_0000_0000;

export class ReplayWindow {
  /** Window size W in packets (a multiple of 32). */
  readonly size: number;
  private readonly words: number;
  private readonly bits: Uint32Array;
  /** The highest sequence number authenticated so far (0 before the first packet). */
  private topSeq = 0;

  constructor(size: number = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < MIN_REPLAY_WINDOW || size > MAX_REPLAY_WINDOW || size % 32 !== 0) {
      throw new RangeError(`replay window: size must be a multiple of 32 in ${MIN_REPLAY_WINDOW}..${MAX_REPLAY_WINDOW}, got ${size}`);
    }
    this.size = size;
    // One extra word, so that the window's lowest packet never shares a word with the top one.
    this.words = size / 32 + 1;
    this.bits = new Uint32Array(this.words);
  }

  /** The highest sequence number accepted so far (0 before the first). */
  get top(): number { return this.topSeq; }

  /**
   * RFC 4303 Appendix A2.2: the full 64-bit sequence number of a packet whose low 32 bits are `lo`,
   * placed relative to the window. Returns -1 for a number that would lie before the first one.
   */
  inferEsn(lo: number): number {
    const th = Math.floor(this.topSeq / TWO32), tl = this.topSeq % TWO32, w = this.size;
    let hi: number;
    if (tl >= w - 1) {
      // Case A: the window lies within one 2^32 subspace.
      hi = lo >= tl - w + 1 ? th : th + 1;
    } else {
      // Case B: the window spans two subspaces; its bottom lies in the previous one.
      hi = lo >= tl - w + 1 + TWO32 ? th - 1 : th;
    }
    if (hi < 0) return -1;
    const seq = hi * TWO32 + lo;
    return seq > Number.MAX_SAFE_INTEGER ? -1 : seq;
  }

  /**
   * The pre-check before the ICV (RFC 4303 §3.4.3): true when `seq` is new, or inside the window and
   * not yet seen. Sequence number 0 is never sent (§3.3.3: the first packet carries 1).
   */
  check(seq: number): boolean {
    if (seq <= 0) return false;
    if (seq > this.topSeq) return true;
    if (seq + this.size <= this.topSeq) return false;
    return (this.bits[Math.floor(seq / 32) % this.words] & (1 << (seq & 31))) === 0;
  }

  /** Records an authenticated packet (call only after check() and the ICV both passed). */
  update(seq: number): void {
    if (seq > this.topSeq) {
      const from = Math.floor(this.topSeq / 32), to = Math.floor(seq / 32);
      const clear = Math.min(to - from, this.words);
      for (let i = 1; i <= clear; i++) this.bits[(from + i) % this.words] = 0;
      this.topSeq = seq;
    }
    this.bits[Math.floor(seq / 32) % this.words] |= 1 << (seq & 31);
  }
}
