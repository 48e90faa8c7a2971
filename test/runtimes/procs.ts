// Spawning the gateway and tunnel programs on any runtime from any runtime (node:child_process works
// on all three), reading their JSON-lines logs and stderr, and writing their configuration files.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../lib/harness.ts";

export type Rt = "deno" | "bun" | "node";
export type Prog = "gateway" | "tunnel";

const bin = (n: string) => join(projectRoot, "node_modules", ".bin", n);
const built = new Set<string>();

/** Node 20 runs no TypeScript: the program is bundled once per test process, as `npm run build` does. */
function nodeBundle(prog: Prog): string {
  const out = join(projectRoot, ".build", "runtimes", `node-${prog}.mjs`);
  if (!built.has(out)) {
    mkdirSync(join(projectRoot, ".build", "runtimes"), { recursive: true });
    execFileSync(bin("esbuild"), [`runtimes/node/${prog}.ts`, "--bundle", "--format=esm", "--platform=node", "--target=node20",
      "--packages=external", "--log-level=warning", `--outfile=${out}`], { cwd: projectRoot, stdio: "inherit" });
    built.add(out);
  }
  return out;
}

export function command(rt: Rt, prog: Prog, args: string[]): [string, string[]] {
  switch (rt) {
    case "deno": return [bin("deno"), ["run", "--unstable-net", "-A", "--quiet", `runtimes/deno/${prog}.ts`, ...args]];
    case "bun": return [bin("bun"), [`runtimes/bun/${prog}.ts`, ...args]];
    case "node": return ["node", [nodeBundle(prog), ...args]];
  }
}

export type Line = Record<string, unknown> & { event: string; level: string };

export class Proc {
  readonly lines: Line[] = [];
  stdout = "";
  stderr = "";
  signal: string | null = null;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];

  constructor(readonly name: string, cmd: [string, string[]], opts: { stdin?: boolean } = {}) {
    this.child = spawn(cmd[0], cmd[1], { cwd: projectRoot, stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "pipe"] });
    this.child.stdin?.on("error", () => { /* the process has gone; its exit says why */ });
    let buf = "";
    this.child.stdout!.setEncoding("utf8");
    this.child.stderr!.setEncoding("utf8");
    this.child.stdout!.on("data", (d: string) => {
      this.stdout += d;
      buf += d;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try { this.lines.push(JSON.parse(line)); } catch { /* --help and status print text */ }
      }
      this.wake();
    });
    this.child.stderr!.on("data", (d: string) => { this.stderr += d; this.wake(); });
    this.exited = new Promise((resolve) => this.child.on("close", (code, signal) => { this.signal = signal; this.wake(); resolve(code); }));
  }

  private wake(): void { const w = this.waiters; this.waiters = []; for (const f of w) f(); }

  /** The first log line matching `pred` (at or after line index `from`), waiting up to `ms`. */
  async waitFor(pred: (l: Line) => boolean, ms = 8000, what = "a matching log line", from = 0): Promise<Line> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.lines.slice(from).find(pred);
      if (hit) return hit;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`${this.name}: no ${what} within ${ms} ms (exit ${this.child.exitCode})\n--- stdout\n${this.stdout.slice(-4000)}\n--- stderr\n${this.stderr.slice(-2000)}`);
      }
      await new Promise<void>((r) => { const t = setTimeout(r, 100); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }

  /** Writes one line to the process's stdin (started with `stdin: true`). */
  send(line: string): void { this.child.stdin?.write(line + "\n"); }

  /** Every log line matching `pred` so far. */
  all(pred: (l: Line) => boolean): Line[] { return this.lines.filter(pred); }

  get running(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  kill(sig: "SIGTERM" | "SIGINT" | "SIGKILL" = "SIGTERM"): void { if (this.child.exitCode === null) this.child.kill(sig); }

  /** Waits for exit, killing the process after `ms`. */
  async exit(ms = 8000): Promise<number | null> {
    const t = setTimeout(() => this.kill("SIGKILL"), ms);
    try { return await this.exited; } finally { clearTimeout(t); }
  }
}

export function start(rt: Rt, prog: Prog, args: string[]): Proc {
  return new Proc(`${rt} ${prog}`, command(rt, prog, args));
}

/** Runs a program to completion (for --help, --check and bad configurations). */
export async function runToEnd(rt: Rt, prog: Prog, args: string[], ms = 15000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = start(rt, prog, args);
  const code = await p.exit(ms);
  return { code, stdout: p.stdout, stderr: p.stderr };
}

export function tempDir(): string {
  const d = join(tmpdir(), "skeyseed-rt-");
  return mkdtempSync(d);
}

export function writeFile(dir: string, name: string, text: string): string {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
