import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /**
   * A crash of a critical service takes the whole stack down: only the
   * Temporal server, without which nothing else can do anything. Every other
   * service restarts for as long as the stack runs.
   */
  critical?: boolean;
}

export interface SupervisorOptions {
  /** The first restart's delay; each further crash in a row doubles it, up to maxRestartDelayMs. */
  baseRestartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** A service that ran this long before it exited was healthy: its backoff starts over. */
  stableAfterMs?: number;
  /** Ends the process once a critical service's exit has stopped the stack. */
  exit?: (code: number) => void;
}

const PINO_WARN = 40;
/** This many crashes within STORM_WINDOW_MS is a restart storm, worth saying out loud once. */
const STORM_CRASHES = 5;
const STORM_WINDOW_MS = 60_000;

/** Echoes a child's warnings and errors; everything else goes to its log file only. */
function shouldEcho(line: string): boolean {
  if (!line.startsWith('{')) return /error|fail|warn/i.test(line);
  try {
    return (JSON.parse(line) as { level?: number }).level! >= PINO_WARN;
  } catch {
    return true;
  }
}

interface CrashRecord {
  inARow: number;
  recent: number[];
  storming: boolean;
}

/**
 * Runs the local stack's services. A non-critical service that keeps
 * crashing (a webhook with a bad port, an exchange with a corrupt journal)
 * is restarted with capped exponential backoff for ever, and never takes the
 * worker down with it: the worker is what keeps open positions supervised.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly crashes = new Map<string, CrashRecord>();
  private readonly pendingRestarts = new Set<NodeJS.Timeout>();
  private stopping = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly stableAfterMs: number;
  private readonly exit: (code: number) => void;

  constructor(
    private readonly say: (msg: string) => void,
    options: SupervisorOptions = {},
  ) {
    this.baseDelayMs = options.baseRestartDelayMs ?? 500;
    this.maxDelayMs = options.maxRestartDelayMs ?? 30_000;
    this.stableAfterMs = options.stableAfterMs ?? 60_000;
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  start(spec: ServiceSpec): ChildProcess {
    fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
    const log = fs.createWriteStream(spec.logFile, { flags: 'a' });
    const startedAt = Date.now();
    const child = spawn(spec.command, spec.args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.pipe(log, { end: false });
      readline.createInterface({ input: stream }).on('line', (line) => {
        if (!this.stopping && shouldEcho(line)) this.say(`[${spec.name}] ${line}`);
      });
    }
    child.on('exit', (code, signal) => {
      log.end();
      if (this.children.get(spec.name) === child) this.children.delete(spec.name);
      if (this.stopping) return;
      this.say(`${spec.name} exited (${signal ?? `code ${code}`}); see ${spec.logFile}`);
      if (spec.critical) {
        this.say(`${spec.name} is critical; stopping the stack`);
        void this.stopAll().then(() => this.exit(1));
        return;
      }
      this.restartLater(spec, Date.now() - startedAt);
    });
    this.children.set(spec.name, child);
    return child;
  }

  /** The service's current process (a restart replaces it), for a watchdog. */
  running(name: string): ChildProcess | undefined {
    return this.children.get(name);
  }

  private restartLater(spec: ServiceSpec, ranMs: number): void {
    const now = Date.now();
    const previous = this.crashes.get(spec.name);
    const healthy = previous === undefined || ranMs >= this.stableAfterMs;
    const record: CrashRecord = {
      inARow: healthy ? 1 : previous.inARow + 1,
      recent: [...(previous?.recent ?? []).filter((t) => now - t < STORM_WINDOW_MS), now],
      storming: !healthy && previous.storming,
    };
    this.crashes.set(spec.name, record);
    if (record.recent.length >= STORM_CRASHES && !record.storming) {
      record.storming = true;
      this.say(
        `${spec.name} crashed ${record.recent.length} times in a minute; it keeps restarting ` +
          `(backoff up to ${this.maxDelayMs / 1000} s) and the rest of the stack keeps running`,
      );
    }
    const delay = Math.min(this.baseDelayMs * 2 ** (record.inARow - 1), this.maxDelayMs);
    this.say(`restarting ${spec.name} in ${delay} ms (crash ${record.inARow} in a row)`);
    const timer = setTimeout(() => {
      this.pendingRestarts.delete(timer);
      if (!this.stopping) this.start(spec);
    }, delay);
    this.pendingRestarts.add(timer);
  }

  /** Stops services in reverse start order so the worker drains before Temporal goes away. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const timer of this.pendingRestarts) clearTimeout(timer);
    this.pendingRestarts.clear();
    for (const [name, child] of [...this.children].reverse()) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
      this.say(`stopped ${name}`);
    }
  }
}
