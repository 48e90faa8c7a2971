// The bounds-checked Reader and the Writer (ts/wire/codec.ts).
import assert from "node:assert/strict";
import { Reader, Writer } from "../../ts/wire/index.ts";
import { hex, test, toHex } from "../lib/harness.ts";
import { throwsWire } from "./helpers.ts";

test("Reader: big-endian reads, copies, sub-windows and offsets", () => {
  const buf = hex("01 0203 04050607 aabbcc ddeeff");
  const r = new Reader(buf, 0, buf.length, "test");
  assert.equal(r.u8("a"), 1);
  assert.equal(r.u16("b"), 0x0203);
  assert.equal(r.u32("c"), 0x04050607);
  const copy = r.bytes(3, "d");
  buf[7] = 0;
  assert.equal(toHex(copy), "aabbcc", "bytes() copies");
  const sub = r.sub(2, "e", "inner", 41);
  assert.equal(sub.offset, 10);
  assert.equal(r.offset, 12);
  assert.equal(sub.remaining, 2);
  assert.equal(toHex(sub.rest()), "ddee");
  sub.expectEnd("inner");
  assert.equal(new Reader(hex("ffffffff")).u32("x"), 0xffffffff);
});

test("Reader: every read past the window is TRUNCATED with what, where and how much", () => {
  const r = new Reader(hex("00 01 02 03 04"), 1, 4, "SA payload", 33);
  r.u16("x");
  const e = throwsWire(() => r.u16("Transform ID"), "TRUNCATED", /^SA payload: Transform ID: needs 2 bytes, 1 left at offset 3$/);
  assert.equal(e.payloadType, 33);
  throwsWire(() => r.bytes(2, "SPI"), "TRUNCATED");
  throwsWire(() => r.sub(5, "proposal"), "TRUNCATED");
  throwsWire(() => r.expectEnd("the payload"), "BAD_LENGTH", /1 unparsed byte after the payload/);
  throwsWire(() => new Reader(new Uint8Array(4), 2, 8), "INVALID_ARGUMENT");
  // A reader on a decrypted chain reports offsets shifted by its base.
  const inner = new Reader(new Uint8Array(2), 0, 2, "inner payloads", undefined, undefined, 100);
  throwsWire(() => inner.u32("x"), "TRUNCATED", /at offset 100$/);
});

test("Writer: grows as needed, patches lengths, refuses out-of-range values", () => {
  const w = new Writer("test", 2);
  w.u8(1, "a");
  const at = w.length;
  w.u16(0, "len");
  w.u32(0xdeadbeef, "b");
  w.bytes(new Uint8Array(300).fill(7), "c");
  w.zeros(2);
  w.patchU16(at, w.length, "len");
  const out = w.finish();
  assert.equal(out.length, 1 + 2 + 4 + 300 + 2);
  assert.equal((out[1] << 8) | out[2], out.length);
  assert.equal(toHex(out.subarray(3, 7)), "deadbeef");
  throwsWire(() => w.u8(256, "x"), "INVALID_ARGUMENT", /x: 256 is not an integer in 0..255/);
  throwsWire(() => w.u16(-1, "x"), "INVALID_ARGUMENT");
  throwsWire(() => w.u32(2 ** 32, "x"), "INVALID_ARGUMENT");
  throwsWire(() => w.u16(1.5, "x"), "INVALID_ARGUMENT");
  throwsWire(() => w.bytes([1, 2] as unknown as Uint8Array, "x"), "INVALID_ARGUMENT", /x must be a Uint8Array/);
});
