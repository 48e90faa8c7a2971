// What a runtime gives the data plane: a TUN device (Linux, IFF_TUN | IFF_NO_PI), so every packet
// read or written is a bare IPv4 or IPv6 packet with no extra header. Owned by ts/ and implemented
// by runtimes/<rt>/tun.ts; the helpers below are the byte layouts those share. No runtime globals.

/** A TUN device. Read packets go to the one handler set with onPacket. */
export interface TunDevice {
  /** The kernel's name for the device (as asked for, or the one the kernel picked, e.g. tun0). */
  readonly name: string;
  /** The largest packet write() takes; configure the link with the same MTU. */
  readonly mtu: number;
  /** Sets the handler and starts reading (packets wait in the kernel's queue until then). Each packet is a fresh copy. */
  onPacket(handler: (pkt: Uint8Array) => void): void;
  /** Read and write errors reported by the kernel (never fatal to the process). */
  onError(handler: (err: Error) => void): void;
  /** Hands one IP packet to the kernel. Throws TunError for an empty or oversized packet or a closed device. */
  write(pkt: Uint8Array): void;
  /** Stops the read loop (resolving once it has ended) and frees the descriptor; the kernel removes the device with its addresses and routes. */
  close(): Promise<void>;
}

export interface TunOptions {
  /** Device name (at most 15 bytes); the kernel picks tunN when absent. A "%d" in it is filled in by the kernel. */
  name?: string;
  /** Defaults to 1500. */
  mtu?: number;
}

/** Opens (creates) a TUN device. Rejects with a TunError when /dev/net/tun or the ioctl fails. */
export type TunOpener = (opts?: TunOptions) => Promise<TunDevice>;

export type TunErrorCode = "empty" | "too-big" | "closed" | "bad-option" | "open" | "io";

export class TunError extends Error {
  override name = "TunError";
  constructor(readonly code: TunErrorCode, message: string, readonly errno?: number) {
    super(message);
  }
}

export const DEFAULT_MTU = 1500;
/** Linux constants (the same on x86_64 and aarch64). */
export const TUNSETIFF = 0x400454ca;
export const IFF_TUN = 0x0001;
export const IFF_NO_PI = 0x1000;
export const O_RDWR = 0x2;
export const O_NONBLOCK = 0x800;
export const O_CLOEXEC = 0x80000;
export const EFD_NONBLOCK = 0x800;
export const EFD_CLOEXEC = 0x80000;
export const EAGAIN = 11;
export const EINTR = 4;
export const POLLIN = 0x1;
/** Packets drained per wake-up before the loop yields to other work. */
export const READ_BATCH = 64;

/** `struct ifreq` (40 bytes): the name, then the flags as a short at offset 16. */
export function ifreq(name: string | undefined, flags: number): Uint8Array {
  const buf = new Uint8Array(40);
  const n = name ?? "";
  if (n.length > 15 || !/^[A-Za-z0-9_.%-]*$/.test(n)) throw new TunError("bad-option", `bad TUN device name ${JSON.stringify(n)} (at most 15 of A-Z a-z 0-9 _ . - %)`);
  for (let i = 0; i < n.length; i++) buf[i] = n.charCodeAt(i);
  buf[16] = flags & 0xff;
  buf[17] = (flags >> 8) & 0xff;
  return buf;
}

/** The name the kernel wrote back into an ifreq. */
export function ifreqName(buf: Uint8Array): string {
  let s = "";
  for (let i = 0; i < 16 && buf[i] !== 0; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/** Two `struct pollfd` (the device, then the wake-up eventfd), both waiting for POLLIN. */
export function pollfds(fd: number, wake: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setInt32(0, fd, true); v.setInt16(4, POLLIN, true);
  v.setInt32(8, wake, true); v.setInt16(12, POLLIN, true);
  return b;
}

/** Checks a packet before write(): throws TunError for a closed device, an empty or oversized packet. */
export function checkWrite(pkt: Uint8Array, mtu: number, closed: boolean): void {
  if (closed) throw new TunError("closed", "write on a closed TUN device");
  if (pkt.length === 0) throw new TunError("empty", "empty packet written to a TUN device");
  if (pkt.length > mtu) throw new TunError("too-big", `packet of ${pkt.length} bytes exceeds the TUN MTU of ${mtu}`);
}

export function checkMtu(mtu: number | undefined): number {
  const m = mtu ?? DEFAULT_MTU;
  if (!Number.isInteger(m) || m < 68 || m > 65535) throw new TunError("bad-option", `bad TUN MTU ${m} (68..65535)`);
  return m;
}
