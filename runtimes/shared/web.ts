// What Node, Deno and Bun share as web-standard globals: the clock and its one timer (setTimeout),
// system randomness (crypto.getRandomValues) and fetch. Each runtime's host.ts adds its own sockets,
// HTTP server, signals and files.
import type { Clock, Timer } from "../../ts/io/types.ts";
import type { RandomSource } from "../../ts/crypto/types.ts";

/** setTimeout's longest delay (2^31 - 1 ms); a later deadline re-arms on the way. */
const MAX_DELAY = 0x7fffffff;

export const clock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  timestamp: () => new Date().toISOString(),
  timer(fire: () => void): Timer {
    let handle: ReturnType<typeof setTimeout> | undefined;
    let target: number | undefined;
    const disarm = () => { if (handle !== undefined) clearTimeout(handle); handle = undefined; target = undefined; };
    const arm = (at: number) => {
      if (handle !== undefined && target === at) return;
      disarm();
      target = at;
      const delay = Math.min(MAX_DELAY, Math.max(0, at - clock.now()));
      handle = setTimeout(() => {
        handle = undefined;
        if (target !== undefined && clock.now() + 1 < target) { arm(target); return; }
        target = undefined;
        fire();
      }, delay);
    };
    return { arm, disarm };
  },
};

/** crypto.getRandomValues fills at most 65536 bytes per call. */
export const random: RandomSource = (out) => {
  for (let i = 0; i < out.length; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)));
};

export async function fetchText(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.text() };
}
