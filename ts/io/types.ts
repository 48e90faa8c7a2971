// What a runtime gives the driver: UDP sockets and one timer. Owned by ts/ and implemented by
// runtimes/<rt>/ (STYLE: hono adapters, quinn-udp, wireguard-go conn/). No runtime globals here.
import type { Address } from "../engine/types.ts";

/** A bound UDP socket. Received payloads are handed to the one handler set with onMessage. */
export interface UdpSocket {
  /** The bound address; `port` is the real port when 0 (ephemeral) was asked for. */
  readonly local: Address;
  /** The kernel's receive and send buffer sizes when `bufferBytes` was asked for and could be set. */
  readonly buffers?: { recv: number; send: number };
  /** Queues one datagram. Never throws for network errors: they go to onError. */
  send(data: Uint8Array, to: Address): void;
  onMessage(handler: (data: Uint8Array, from: Address) => void): void;
  /** Send and receive errors (ICMP unreachable, EACCES...): logged by the driver, never fatal. */
  onError(handler: (err: Error) => void): void;
  close(): Promise<void>;
}

export interface UdpOptions {
  /** Ask the kernel for receive and send buffers of this size (best effort; see UdpSocket.buffers). */
  bufferBytes?: number;
}

/** Opens a UDP socket bound to `addr` (port 0 = ephemeral). Rejects when the bind fails. */
export type UdpOpener = (addr: Address, opts?: UdpOptions) => Promise<UdpSocket>;

/** The host's clock and its one re-armable timer (quinn: the host owns the only OS timer). */
export interface Clock {
  /** Milliseconds on a monotonic scale; the engine only compares and subtracts them. */
  now(): number;
  /** The wall-clock time as ISO 8601 text, for log lines. */
  timestamp(): string;
  /** A timer that calls `fire` once at or after `at` (a now() value); arming again replaces it. */
  timer(fire: () => void): Timer;
}

export interface Timer {
  arm(at: number): void;
  disarm(): void;
}
