// The endpoint's timer table (STYLE: quinn-proto timer.rs, one deadline per owner): an indexed binary
// min-heap of "when is something next due" per IKE SA. Each owner holds its own entry, which records
// its position in the heap, so changing or removing a deadline is O(log N) and leaves nothing stale.

/** One owner's entry: `at` is its deadline, `pos` its index in the heap (-1 when it has none queued). */
export interface DeadlineEntry<T> { owner: T; at: number; pos: number }

export function deadlineEntry<T>(owner: T): DeadlineEntry<T> { return { owner, at: Infinity, pos: -1 }; }

export class DeadlineHeap<T> {
  private readonly h: DeadlineEntry<T>[] = [];

  get size(): number { return this.h.length; }

  /** The earliest deadline queued, or undefined. */
  peek(): number | undefined { return this.h.length ? this.h[0].at : undefined; }

  /** Sets (or moves) an entry's deadline; a deadline that is not finite takes the entry out. */
  set(e: DeadlineEntry<T>, at: number): void {
    if (!Number.isFinite(at)) { this.remove(e); return; }
    if (e.pos < 0) {
      e.at = at;
      e.pos = this.h.length;
      this.h.push(e);
      this.up(e.pos);
      return;
    }
    if (at === e.at) return;
    const earlier = at < e.at;
    e.at = at;
    if (earlier) this.up(e.pos); else this.down(e.pos);
  }

  remove(e: DeadlineEntry<T>): void {
    const i = e.pos;
    if (i < 0) return;
    const h = this.h;
    const last = h.pop()!;
    e.pos = -1;
    e.at = Infinity;
    if (last === e) return;
    h[i] = last;
    last.pos = i;
    this.up(i);
    this.down(last.pos);
  }

  /** Takes out every entry due at `now` or before; returns their owners (in deadline order). */
  popDue(now: number): T[] {
    const out: T[] = [];
    while (this.h.length && this.h[0].at <= now) {
      const e = this.h[0];
      this.remove(e);
      out.push(e.owner);
    }
    return out;
  }

  private up(i: number): void {
    const h = this.h, e = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= e.at) break;
      h[i] = h[p]; h[i].pos = i;
      i = p;
    }
    h[i] = e; e.pos = i;
  }

  private down(i: number): void {
    const h = this.h, n = h.length, e = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && h[r].at < h[l].at ? r : l;
      if (h[m].at >= e.at) break;
      h[i] = h[m]; h[i].pos = i;
      i = m;
    }
    h[i] = e; e.pos = i;
  }
}
