// UDP encapsulation of ESP (RFC 3948) on the NAT-T port, next to IKE: what a UDP payload on 4500 is,
// the NAT-keepalive, and when to send the next one. Sockets live in runtimes/; this is bytes and time.
//
// RFC 3948 §2.1, §2.2, §2.3: on port 4500 a UDP payload is
//   - a NAT-keepalive: exactly one octet 0xFF;
//   - an IKE message: four zero octets (the non-ESP marker), then the IKE header;
//   - otherwise ESP: the SPI (never zero, RFC 4303 §2.1) and the rest of the ESP packet, no marker.

/** RFC 3948 §2.1 / RFC 7296 §2.23: the port that carries IKE and ESP once NAT-T is in use. */
export const NAT_T_PORT = 4500;
/** RFC 3948 §2.3: the NAT-keepalive packet. */
export const NAT_KEEPALIVE = Uint8Array.of(0xff);
/** RFC 3948 §4: keepalives every 20 seconds by default. */
export const DEFAULT_KEEPALIVE_MS = 20_000;

export type UdpKind = "esp" | "ike" | "keepalive" | "invalid";

/** What one UDP payload received on port 4500 is (RFC 3948 §2.2 demultiplexing). */
export function classifyNatT(payload: Uint8Array): UdpKind {
  if (payload.length === 1 && payload[0] === 0xff) return "keepalive";
  if (payload.length < 4) return "invalid";
  if (payload[0] === 0 && payload[1] === 0 && payload[2] === 0 && payload[3] === 0) return "ike";
  // RFC 3948 §2.2: an ESP packet is at least header (8) + something; shorter ones cannot be ESP.
  return payload.length >= 8 ? "esp" : "invalid";
}

/**
 * The UDP payload that carries an ESP packet on port 4500: the ESP packet itself (RFC 3948 §2.1: no
 * marker for ESP; the SPI's non-zero first word tells it apart from IKE). Refuses an SPI of zero.
 */
export function espUdpPayload(esp: Uint8Array): Uint8Array {
  if (esp.length < 8 || (esp[0] | esp[1] | esp[2] | esp[3]) === 0) throw new Error("espUdpPayload: not an ESP packet (shorter than 8 bytes or SPI 0)");
  return esp;
}

/**
 * The NAT-keepalive clock of one UDP path (RFC 3948 §4): a keepalive is due when nothing was sent on
 * the path for `intervalMs`. Only the side behind a NAT needs to send them.
 */
export class KeepaliveTimer {
  private lastSent: number;
  constructor(now: number, readonly intervalMs: number = DEFAULT_KEEPALIVE_MS) { this.lastSent = now; }

  /** Anything (IKE, ESP, keepalive) was sent on the path. */
  sent(now: number): void { this.lastSent = now; }

  /** The keepalive to send now, or undefined; marks it sent. */
  poll(now: number): Uint8Array | undefined {
    if (now - this.lastSent < this.intervalMs) return undefined;
    this.lastSent = now;
    return NAT_KEEPALIVE;
  }

  nextDeadline(): number { return this.lastSent + this.intervalMs; }
}
