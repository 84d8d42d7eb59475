import fs from 'node:fs';
import type { ProcessUsage } from '../../tests/harness/worker-process';
import { sleep } from './rendezvous';

export interface Usage {
  /** Worker CPU over the window, percent of one core. */
  workerCpuPct: number;
  workerRssMiB: number;
  /** All cores busy, percent of the machine: shows when the box itself is the limit. */
  machineBusyPct: number;
}

function machineTicks(): { busy: number; total: number } {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
  const values = fields.map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** A process whose usage can be read: a worker, or the Temporal server. */
export interface Measured {
  usage(): ProcessUsage | undefined;
}

/** This process: the bench itself, with the paper exchange and the client (and the baselines' worker). */
export const benchProcess: Measured = {
  usage: () => {
    const { user, system } = process.cpuUsage();
    return { cpuSeconds: (user + system) / 1e6, rssBytes: process.memoryUsage().rss };
  },
};

export interface CpuSpent {
  /** CPU seconds by process over the interval. */
  seconds: Record<string, number>;
  /** All cores busy over the interval, percent of the machine. */
  machineBusyPct: number;
}

/** Starts counting the CPU time of each process and the machine; the returned function reads what was spent. */
export function startCpuMeter(processes: Record<string, Measured>): () => CpuSpent {
  const start = Object.entries(processes).map(([name, p]) => [name, p, p.usage()] as const);
  const machineStart = machineTicks();
  return () => {
    const machineEnd = machineTicks();
    const seconds: Record<string, number> = {};
    for (const [name, p, before] of start) {
      const after = p.usage();
      seconds[name] = before && after ? after.cpuSeconds - before.cpuSeconds : NaN;
    }
    return {
      seconds,
      machineBusyPct: Math.round(
        ((machineEnd.busy - machineStart.busy) / (machineEnd.total - machineStart.total)) * 100,
      ),
    };
  };
}

/** Samples a process (a worker unless told) and the machine over `windowMs`; RSS is the peak seen. */
export async function measureUsage(worker: Measured, windowMs: number): Promise<Usage> {
  const start = worker.usage();
  const machineStart = machineTicks();
  const t0 = Date.now();
  let rss = start?.rssBytes ?? 0;
  while (Date.now() - t0 < windowMs) {
    await sleep(1000);
    rss = Math.max(rss, worker.usage()?.rssBytes ?? 0);
  }
  const end = worker.usage();
  const machineEnd = machineTicks();
  const wallSeconds = (Date.now() - t0) / 1000;
  const cpu = start && end ? end.cpuSeconds - start.cpuSeconds : NaN;
  return {
    workerCpuPct: Math.round((cpu / wallSeconds) * 1000) / 10,
    workerRssMiB: Math.round(rss / 2 ** 20),
    machineBusyPct: Math.round(
      ((machineEnd.busy - machineStart.busy) / (machineEnd.total - machineStart.total)) * 100,
    ),
  };
}

/**
 * CPU seconds of each thread of a process, by `/proc` task: the main
 * thread (its id is the process's), and the rest by name. Node names its
 * JavaScript, libuv and V8 helper threads alike (`node`), the SDK's Rust
 * core runs on `tokio-runtime-w`; a profiler sees only the JavaScript.
 */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const byThread = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return byThread;
  }
  for (const tid of tasks) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const label = tid === String(pid) ? 'main' : `${name} ${tid}`;
    byThread.set(label, (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return byThread;
}

/** Each thread's share of one core between two readings, the busiest first; threads under 0.5 % are summed by name. */
export function threadCpuPct(
  before: Map<string, number>,
  after: Map<string, number>,
  seconds: number,
): [string, number][] {
  const shares = new Map<string, number>();
  for (const [label, cpu] of after) {
    const pct = ((cpu - (before.get(label) ?? 0)) / seconds) * 100;
    const key = pct >= 0.5 ? label : `${label.split(' ')[0]} (others)`;
    shares.set(key, (shares.get(key) ?? 0) + pct);
  }
  return [...shares]
    .map(([k, v]): [string, number] => [k, Math.round(v * 10) / 10])
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
}
