import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ratio, type Summary } from './stats';

/** One line of the results table: an absolute figure and its same-run baseline. */
export interface Row {
  metric: string;
  unit: string;
  n?: number;
  median?: number;
  p99?: number;
  /** For figures that are not distributions (CPU, memory, rates, counts). */
  value?: number;
  baseline: string;
  /** value (or median) over the baseline's; null when there is no meaningful one. */
  ratio: number | null;
  note?: string;
}

/**
 * A latency distribution beside its same-run baseline: median and p99, the
 * median ratio, and the p99 ratio ahead of any `note`.
 */
export function latencyRow(
  metric: string,
  real: Summary,
  base: Summary,
  baseline: string,
  note?: string,
): Row {
  return {
    metric,
    unit: 'ms',
    n: real.n,
    median: real.median,
    p99: real.p99,
    baseline: `${baseline}: median ${base.median}, p99 ${base.p99}`,
    ratio: ratio(real.median, base.median),
    note: [`p99 ratio ${ratio(real.p99, base.p99)}`, note].filter(Boolean).join('; '),
  };
}

export interface BenchOutcome {
  rows: Row[];
  /** Everything else worth keeping: per-step figures, counts, raw settings. */
  details: Record<string, unknown>;
}

export function machine() {
  const cpus = os.cpus();
  return {
    nproc: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memTotalGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAvg: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

const RESULTS = path.join(__dirname, '..', 'results');

export function writeResult(
  name: string,
  command: string,
  outcome: BenchOutcome,
  startLoad: number[],
) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const result = {
    name,
    command,
    finishedAt: new Date().toISOString(),
    machine: { ...machine(), loadAvgAtStart: startLoad },
    ...outcome,
  };
  fs.writeFileSync(path.join(RESULTS, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

const fmt = (x: number | undefined) => (x === undefined ? '' : String(x));

export function markdownTable(rows: Row[]): string {
  const lines = [
    '| metric | unit | n | median | p99 | value | baseline (same run) | ratio | note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.metric} | ${r.unit} | ${fmt(r.n)} | ${fmt(r.median)} | ${fmt(r.p99)} | ${fmt(r.value)} | ${r.baseline} | ${r.ratio ?? '–'} | ${r.note ?? ''} |`,
    ),
  ];
  return lines.join('\n');
}
