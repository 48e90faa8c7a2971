// Keeps initiated connections up: starts each, follows its IKE SA through rekeys, and when it goes
// (peer dead, deleted, failed, authentication refused) starts it again after an exponential backoff
// with jitter, capped. A Child SA that failed or was deleted under a live IKE SA is created again the
// same way. All waiting happens on the driver's one timer.
import type { Driver } from "../io/driver.ts";
import type { EngineEvent } from "../engine/types.ts";

export interface Backoff { initialMs: number; maxMs: number; factor: number; jitter: number }

/** What the keeper decided, for the log and the tunnel's plain-words output. */
export type KeeperNote =
  | { kind: "initiating"; conn: string; ikeId: number; attempt: number }
  | { kind: "retry-scheduled"; conn: string; child?: string; inMs: number; attempt: number; why: string }
  | { kind: "up"; conn: string; ikeId: number };

interface ConnState { ikeId?: number; attempt: number; cancel?: () => void; childRetries: Map<string, { attempt: number; cancel?: () => void }> }

export class Keeper {
  private readonly conns = new Map<string, ConnState>();
  private stopped = false;

  constructor(private readonly driver: Driver, names: string[], private readonly backoff: Backoff, private readonly note: (n: KeeperNote) => void = () => {}) {
    for (const n of names) this.conns.set(n, { attempt: 0, childRetries: new Map() });
    driver.onEvent((e) => this.onEvent(e));
  }

  start(): void { for (const name of this.conns.keys()) this.connect(name); }

  /** Stops reconnecting (before a shutdown). */
  stop(): void {
    this.stopped = true;
    for (const st of this.conns.values()) {
      st.cancel?.();
      for (const r of st.childRetries.values()) r.cancel?.();
    }
  }

  /** The backoff delay before attempt number `attempt` (0-based), jittered downwards. */
  delayMs(attempt: number): number {
    const b = this.backoff;
    const base = Math.min(b.maxMs, b.initialMs * Math.pow(b.factor, attempt));
    const r = this.driver.endpoint.crypto.random(4);
    const u = (((r[0] << 24) | (r[1] << 16) | (r[2] << 8) | r[3]) >>> 0) / 2 ** 32;
    return Math.round(base * (1 - b.jitter * u));
  }

  private connect(name: string): void {
    const st = this.conns.get(name)!;
    st.cancel = undefined;
    if (this.stopped) return;
    try {
      const out = this.driver.run((ep, now) => ep.initiate(name, now));
      st.ikeId = out.ikeId;
      this.note({ kind: "initiating", conn: name, ikeId: out.ikeId, attempt: st.attempt });
    } catch (e) {
      this.schedule(name, e instanceof Error ? e.message : String(e));
    }
  }

  private schedule(name: string, why: string): void {
    const st = this.conns.get(name)!;
    st.ikeId = undefined;
    if (this.stopped || st.cancel) return;
    for (const r of st.childRetries.values()) r.cancel?.();
    st.childRetries.clear();
    const inMs = this.delayMs(st.attempt++);
    this.note({ kind: "retry-scheduled", conn: name, inMs, attempt: st.attempt, why });
    st.cancel = this.driver.at(this.driver.now() + inMs, () => this.connect(name));
  }

  private scheduleChild(name: string, st: ConnState, child: string, why: string): void {
    if (this.stopped) return;
    let r = st.childRetries.get(child);
    if (!r) { r = { attempt: 0 }; st.childRetries.set(child, r); }
    if (r.cancel) return;
    const retry = r;
    const inMs = this.delayMs(retry.attempt++);
    this.note({ kind: "retry-scheduled", conn: name, child, inMs, attempt: retry.attempt, why });
    retry.cancel = this.driver.at(this.driver.now() + inMs, () => {
      retry.cancel = undefined;
      const ikeId = st.ikeId;
      if (ikeId === undefined || this.stopped || this.hasChild(ikeId, child)) return;
      this.driver.run((ep, now) => ep.createChild(ikeId, child, now));
    });
  }

  private hasChild(ikeId: number, child: string): boolean {
    return this.driver.endpoint.childSas().some((c) => c.ikeId === ikeId && c.name === child);
  }

  private ikeUp(ikeId: number): boolean { return this.driver.endpoint.ikeSas().some((i) => i.id === ikeId); }

  private onEvent(e: EngineEvent): void {
    const find = (ikeId: number): [string, ConnState] | undefined => {
      for (const entry of this.conns) if (entry[1].ikeId === ikeId) return entry;
      return undefined;
    };
    switch (e.type) {
      case "ike-up": {
        const f = find(e.ike.id);
        if (f) { f[1].attempt = 0; this.note({ kind: "up", conn: f[0], ikeId: e.ike.id }); }
        return;
      }
      case "ike-rekeyed": {
        const f = find(e.oldId);
        if (f) f[1].ikeId = e.ike.id;
        return;
      }
      case "ike-down": case "ike-failed": case "auth-failed": case "peer-dead": {
        const f = find(e.id);
        if (f) this.schedule(f[0], e.type === "ike-down" ? e.reason : e.type === "peer-dead" ? "the peer stopped answering" : e.reason);
        return;
      }
      case "child-up": {
        const f = find(e.child.ikeId);
        const r = f?.[1].childRetries.get(e.child.name);
        if (r) r.attempt = 0;
        return;
      }
      case "child-failed": case "child-down": {
        const f = find(e.ikeId);
        if (!f || !this.ikeUp(e.ikeId) || this.hasChild(e.ikeId, e.name)) return;
        this.scheduleChild(f[0], f[1], e.name, e.reason);
        return;
      }
    }
  }
}
