// TunDevice on Node: libc through the koffi package (prebuilt). The read loop's blocking poll() is a
// koffi async call, which runs on libuv's thread pool (it holds one pool thread while waiting); the
// reads themselves are synchronous, non-blocking calls on the JS thread.
import type { TunDevice, TunOptions } from "../../ts/io/tun.ts";
import { type Libc, openTunWith } from "../shared/tun.ts";

type Fn = ((...a: unknown[]) => any) & { async(...a: unknown[]): void };

let libc: Libc | undefined;
async function bind(): Promise<Libc> {
  const koffi = (await import("koffi")).default;
  const lib = koffi.load("libc.so.6");
  const f = (decl: string): Fn => lib.func(decl);
  const open = f("int open(const char *path, int flags)"), ioctl = f("int ioctl(int fd, unsigned long req, void *arg)");
  const eventfd = f("int eventfd(unsigned int init, int flags)"), close = f("int close(int fd)");
  const read = f("intptr_t read(int fd, void *buf, size_t n)"), write = f("intptr_t write(int fd, const void *buf, size_t n)");
  const poll = f("int poll(void *fds, unsigned long n, int timeout)");
  const ret = (r: number | bigint) => (Number(r) < 0 ? -koffi.errno() : Number(r));
  return {
    open: (path, flags) => ret(open(path, flags)),
    ioctl: (fd, req, arg) => ret(ioctl(fd, req, arg)),
    eventfd: (flags) => ret(eventfd(0, flags)),
    read: (fd, buf) => ret(read(fd, buf, buf.length)),
    write: (fd, buf) => ret(write(fd, buf, buf.length)),
    close: (fd) => void close(fd),
    wait: (pfds) => new Promise((resolve, reject) => poll.async(pfds, 2, -1, (err: unknown) => (err ? reject(err) : resolve()))),
  };
}

export async function openTun(opts: TunOptions = {}): Promise<TunDevice> {
  return openTunWith(libc ??= await bind(), opts);
}
