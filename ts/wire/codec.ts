// A bounds-checked reader and a growable writer for IKEv2 wire structures (rustls msgs/codec.rs style).
// Every read checks the bytes it needs against its window first and throws a WireError that says what
// was being read and where; nothing is ever allocated from a length field before that check.
import { invalidArgument, WireError, wireError, type WireErrorCode } from "./errors.ts";
import { DEFAULT_LIMITS, type WireLimits } from "./limits.ts";

/**
 * A window [pos, end) over a byte array. `base` maps positions to the offsets reported in errors
 * (0 for a whole message; the plaintext offset for a decrypted inner chain).
 */
export class Reader {
  private pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
    /** What is being decoded, for error messages ("SA payload"). */
    readonly context = "IKE message",
    /** The payload type being decoded, carried into errors. */
    readonly payloadType: number | undefined = undefined,
    readonly limits: WireLimits = DEFAULT_LIMITS,
    private readonly base = 0,
  ) {
    if (start < 0 || end > buf.length || start > end) throw invalidArgument("Reader", `window ${start}..${end} outside 0..${buf.length}`);
    this.pos = start;
  }

  /** Offset of the next byte, as reported in errors. */
  get offset(): number { return this.base + this.pos; }
  /** Bytes left in this window. */
  get remaining(): number { return this.end - this.pos; }

  /** A WireError located at the current offset (or at `at`). */
  error(code: WireErrorCode, detail: string, at = this.offset): WireError {
    return wireError(code, this.context, detail, at, this.payloadType);
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw this.error("TRUNCATED", `${what}: needs ${n} byte${n === 1 ? "" : "s"}, ${this.end - this.pos} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.buf, p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /** `n` bytes as a copy (the decoded structure never aliases the caller's datagram buffer). */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The rest of the window, copied. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, "data");
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A reader over the next `n` bytes (which this reader skips), with its own context for errors. */
  sub(n: number, what: string, context = this.context, payloadType = this.payloadType): Reader {
    this.need(n, what);
    const r = new Reader(this.buf, this.pos, this.pos + n, context, payloadType, this.limits, this.base);
    this.pos += n;
    return r;
  }

  /** Throws BAD_LENGTH unless the window has been read to its end. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      throw this.error("BAD_LENGTH", `${this.end - this.pos} unparsed byte${this.end - this.pos === 1 ? "" : "s"} after ${what}`);
    }
  }
}

/** A growable byte buffer. Numeric writes check their range: a bad value is the caller's bug. */
export class Writer {
  private buf: Uint8Array;
  private len = 0;

  constructor(readonly context = "encode", initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  get length(): number { return this.len; }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  private check(v: number, max: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) throw invalidArgument(this.context, `${what}: ${v} is not an integer in 0..${max}`);
  }

  u8(v: number, what: string): void {
    this.check(v, 0xff, what);
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  u16(v: number, what: string): void {
    this.check(v, 0xffff, what);
    this.ensure(2);
    this.buf[this.len++] = v >>> 8;
    this.buf[this.len++] = v & 0xff;
  }

  u32(v: number, what: string): void {
    this.check(v, 0xffffffff, what);
    this.ensure(4);
    this.buf[this.len++] = v >>> 24;
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
  }

  bytes(b: Uint8Array, what: string): void {
    if (!(b instanceof Uint8Array)) throw invalidArgument(this.context, `${what} must be a Uint8Array`);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }

  /** Overwrites a u16 already written at `at` (lengths known only after the body is written). */
  patchU16(at: number, v: number, what: string): void {
    this.check(v, 0xffff, what);
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
  }

  patchU8(at: number, v: number, what: string): void {
    this.check(v, 0xff, what);
    this.buf[at] = v;
  }

  patchU32(at: number, v: number, what: string): void {
    this.check(v, 0xffffffff, what);
    this.buf[at] = v >>> 24;
    this.buf[at + 1] = (v >>> 16) & 0xff;
    this.buf[at + 2] = (v >>> 8) & 0xff;
    this.buf[at + 3] = v & 0xff;
  }

  /** The written bytes (a copy sized exactly). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Checks a caller-supplied byte string on encode. @internal */
export function requireBytes(context: string, what: string, v: unknown, len?: number): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw invalidArgument(context, `${what} must be a Uint8Array`);
  if (len !== undefined && v.length !== len) throw invalidArgument(context, `${what} must be ${len} bytes, got ${v.length}`);
}
