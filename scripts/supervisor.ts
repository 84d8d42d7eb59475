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
  /** A crash of a critical service takes the whole stack down; others restart. */
  critical?: boolean;
}

const PINO_WARN = 40;

/** Echoes a child's warnings and errors; everything else goes to its log file only. */
function shouldEcho(line: string): boolean {
  if (!line.startsWith('{')) return /error|fail|warn/i.test(line);
  try {
    return (JSON.parse(line) as { level?: number }).level! >= PINO_WARN;
  } catch {
    return true;
  }
}

export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;
  private readonly restarts = new Map<string, number[]>();

  constructor(private readonly say: (msg: string) => void) {}

  start(spec: ServiceSpec): ChildProcess {
    fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
    const log = fs.createWriteStream(spec.logFile, { flags: 'a' });
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
        void this.stopAll().then(() => process.exit(1));
        return;
      }
      this.restartLater(spec);
    });
    this.children.set(spec.name, child);
    return child;
  }

  private restartLater(spec: ServiceSpec): void {
    const now = Date.now();
    const recent = (this.restarts.get(spec.name) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= 5) {
      this.say(`${spec.name} crashed 5 times in a minute; stopping the stack`);
      void this.stopAll().then(() => process.exit(1));
      return;
    }
    this.restarts.set(spec.name, [...recent, now]);
    const delay = 500 * 2 ** recent.length;
    this.say(`restarting ${spec.name} in ${delay} ms`);
    setTimeout(() => !this.stopping && this.start(spec), delay);
  }

  /** Stops services in reverse start order so the worker drains before Temporal goes away. */
  async stopAll(): Promise<void> {
    this.stopping = true;
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
