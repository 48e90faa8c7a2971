// TunDevice on Deno: libc through Deno.dlopen (--allow-ffi). The read loop's poll() is a
// `nonblocking` symbol, so it runs on a Deno worker thread and returns a Promise.
import type { TunDevice, TunOptions } from "../../ts/io/tun.ts";
import { type Libc, openTunWith } from "../shared/tun.ts";

// Just the Deno FFI this file uses.
type Sym = { parameters: string[]; result: string; nonblocking?: boolean };
declare const Deno: {
  dlopen(path: string, syms: Record<string, Sym>): { symbols: Record<string, (...a: unknown[]) => any> };
  UnsafePointerView: new (p: unknown) => { getInt32(): number };
};

let libc: Libc | undefined;
function bind(): Libc {
  const s = Deno.dlopen("libc.so.6", {
    open: { parameters: ["buffer", "i32"], result: "i32" },
    ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
    eventfd: { parameters: ["u32", "i32"], result: "i32" },
    read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
    write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
    close: { parameters: ["i32"], result: "i32" },
    poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
    __errno_location: { parameters: [], result: "pointer" },
  }).symbols;
  const ret = (r: number | bigint) => (Number(r) < 0 ? -new Deno.UnsafePointerView(s.__errno_location()).getInt32() : Number(r));
  return {
    open: (path, flags) => ret(s.open(new TextEncoder().encode(path + "\0"), flags)),
    ioctl: (fd, req, arg) => ret(s.ioctl(fd, BigInt(req), arg)),
    eventfd: (flags) => ret(s.eventfd(0, flags)),
    read: (fd, buf) => ret(s.read(fd, buf, BigInt(buf.length))),
    write: (fd, buf) => ret(s.write(fd, buf, BigInt(buf.length))),
    close: (fd) => void s.close(fd),
    wait: async (pfds) => { await s.poll(pfds, 2n, -1); },
  };
}

export async function openTun(opts: TunOptions = {}): Promise<TunDevice> {
  return openTunWith(libc ??= bind(), opts);
}
