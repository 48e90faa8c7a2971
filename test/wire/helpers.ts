// Shared helpers for the wire tests.
import assert from "node:assert/strict";
import {
  decodeMessage, decodePayloadChain, encodeMessage, encodePayloadChain, WireError, type Payload, type WireErrorCode,
} from "../../ts/wire/index.ts";
import { hex, toHex } from "../lib/harness.ts";

/** A 28-byte IKE header followed by `payloadsHex`, with the header Length computed. */
export function message(nextPayload: number, payloadsHex: string, opts: { exchange?: number; flags?: number; version?: number; messageId?: number } = {}): Uint8Array {
  const body = hex(payloadsHex);
  const out = new Uint8Array(28 + body.length);
  out.set(hex("a1a2a3a4a5a6a7a8 b1b2b3b4b5b6b7b8"));
  out[16] = nextPayload;
  out[17] = opts.version ?? 0x20;
  out[18] = opts.exchange ?? 34;
  out[19] = opts.flags ?? 0x08;
  const id = opts.messageId ?? 0;
  out[20] = id >>> 24; out[21] = (id >>> 16) & 0xff; out[22] = (id >>> 8) & 0xff; out[23] = id & 0xff;
  const n = out.length;
  out[24] = n >>> 24; out[25] = (n >>> 16) & 0xff; out[26] = (n >>> 8) & 0xff; out[27] = n & 0xff;
  out.set(body, 28);
  return out;
}

/** Encodes one payload alone, decodes it, checks the structure and the bytes survive; returns the bytes. */
export function roundTrip(p: Payload): Uint8Array {
  const c = encodePayloadChain([p]);
  const d = decodePayloadChain(c.firstType, c.bytes);
  assert.deepEqual(d.payloads, [p]);
  const again = encodePayloadChain(d.payloads);
  assert.equal(toHex(again.bytes), toHex(c.bytes));
  return c.bytes;
}

/** Asserts that `fn` throws a WireError with `code`; returns it for further checks. */
export function throwsWire(fn: () => unknown, code: WireErrorCode, message?: RegExp): WireError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof WireError)) throw new assert.AssertionError({ message: `expected WireError ${code}, got ${String(e)}` });
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return e;
  }
  throw new assert.AssertionError({ message: `expected WireError ${code}, nothing was thrown` });
}

/** Like roundTrip, but as the only payload of an outer message (for SK and SKF, which cannot nest). */
export function roundTripOuter(p: Payload): Uint8Array {
  const header = { spiI: new Uint8Array(8).fill(1), spiR: new Uint8Array(8).fill(2), exchangeType: 37, initiator: true, response: false, messageId: 9 };
  const bytes = encodeMessage({ header, payloads: [p] });
  const d = decodeMessage(bytes);
  assert.deepEqual(d.payloads, [p]);
  assert.equal(toHex(encodeMessage(d)), toHex(bytes));
  return bytes.subarray(28);
}
