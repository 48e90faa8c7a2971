// TunDevice on Bun: libc through bun:ffi. bun:ffi has no calls off the JS thread, so the read loop's
// blocking poll() runs in a small Worker that answers each wait request once the fd (or the close
// eventfd) is readable; the reads themselves are synchronous, non-blocking calls on the JS thread.
// (Bun.file(fd).stream() also reads a TUN fd, but it joins packets into one chunk under load.)
import type { TunDevice, TunOptions } from "../../ts/io/tun.ts";
import { type Libc, openTunWith } from "../shared/tun.ts";

const POLLER = `import { dlopen } from "bun:ffi";
const { symbols } = dlopen("libc.so.6", { poll: { args: ["ptr", "u64", "i32"], returns: "i32" } });
onmessage = (e) => { symbols.poll(e.data, 2, -1); postMessage(0); };`;

type Worker = { onmessage: ((e: unknown) => void) | null; postMessage(d: unknown): void; terminate(): void; ref(): void; unref(): void };
declare const Worker: new (url: string) => Worker;

type Syms = Record<string, (...a: unknown[]) => any>;
let lib: { s: Syms; errno: () => number } | undefined;
async function bind() {
  const { dlopen, read } = await import("bun:ffi" as string);
  const { symbols: s } = dlopen("libc.so.6", {
    open: { args: ["ptr", "i32"], returns: "i32" },
    ioctl: { args: ["i32", "u64", "ptr"], returns: "i32" },
    eventfd: { args: ["u32", "i32"], returns: "i32" },
    read: { args: ["i32", "ptr", "usize"], returns: "i64" },
    write: { args: ["i32", "ptr", "usize"], returns: "i64" },
    close: { args: ["i32"], returns: "i32" },
    __errno_location: { args: [], returns: "ptr" },
  });
  return { s: s as Syms, errno: () => read.i32(s.__errno_location()) as number };
}

export async function openTun(opts: TunOptions = {}): Promise<TunDevice> {
  const { s, errno } = lib ??= await bind();
  const ret = (r: number | bigint) => (Number(r) < 0 ? -errno() : Number(r));
  let poller: Worker | undefined; // one per device, started by the first wait
  const sys: Libc = {
    open: (path, flags) => ret(s.open(new TextEncoder().encode(path + "\0"), flags)),
    ioctl: (fd, req, arg) => ret(s.ioctl(fd, req, arg)),
    eventfd: (flags) => ret(s.eventfd(0, flags)),
    read: (fd, buf) => ret(s.read(fd, buf, buf.length)),
    write: (fd, buf) => ret(s.write(fd, buf, buf.length)),
    close: (fd) => { s.close(fd); poller?.terminate(); poller = undefined; },
    wait: (pfds) => new Promise((resolve) => {
      poller ??= new Worker(URL.createObjectURL(new Blob([POLLER], { type: "text/javascript" })));
      poller.ref(); // a device waiting for packets keeps the process alive, as a socket does
      poller.onmessage = () => { poller?.unref(); resolve(); };
      poller.postMessage(pfds);
    }),
  };
  return openTunWith(sys, opts);
}
