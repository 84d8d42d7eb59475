import '../tests/harness/quiet-runtime';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bare } from './bare';
import { Baseline } from './lib/baseline';
import type { Benchmark } from './lib/context';
import { machine, markdownTable } from './lib/report';
import { sleep } from './lib/rendezvous';
import { describeServer, startBenchTemporal, type BenchServerOptions } from './lib/temporal';
import { updateBurst } from './update-burst';

const TRANSFER = 'history.transferProcessorMaxPollRPS=2000';
const EAGER = 'system.enableActivityEagerExecution=true';
const BOTH = [TRANSFER, EAGER];
const SHIFT = 'history.timerProcessorMaxTimeShift="100ms"';
const TIMER_RPS = 'history.timerProcessorMaxPollRPS=2000';
const UPDATES = 'history.maxInFlightUpdates=100';
const WAL = ['journal_mode=WAL', 'synchronous=NORMAL'];

/**
 * Each step from Temporal's defaults to ours, spelled out in full so the
 * measurement does not depend on what scripts/temporal-server-settings.ts
 * holds today (the steps after the WAL one each add one key to the in-memory
 * server with both settings); the last two are that module as it stands.
 */
const SETTINGS: { label: string; server: BenchServerOptions }[] = [
  {
    label: 'SQLite file, defaults (npm start before)',
    server: { temporalDefaults: true, dbFile: true },
  },
  { label: 'in memory, defaults', server: { temporalDefaults: true } },
  { label: `+ ${TRANSFER}`, server: { temporalDefaults: true, dynamicConfig: [TRANSFER] } },
  {
    label: `in memory, ${TRANSFER}, ${EAGER}`,
    server: { temporalDefaults: true, dynamicConfig: BOTH },
  },
  {
    label: 'SQLite file, both',
    server: { temporalDefaults: true, dbFile: true, dynamicConfig: BOTH },
  },
  {
    label: 'SQLite file, both, WAL + synchronous=NORMAL',
    server: { temporalDefaults: true, dbFile: true, dynamicConfig: BOTH, sqlitePragmas: WAL },
  },
  { label: `+ ${SHIFT}`, server: { temporalDefaults: true, dynamicConfig: [...BOTH, SHIFT] } },
  {
    label: `+ ${TIMER_RPS}`,
    server: { temporalDefaults: true, dynamicConfig: [...BOTH, TIMER_RPS] },
  },
  {
    label: `+ ${SHIFT}, ${TIMER_RPS}`,
    server: { temporalDefaults: true, dynamicConfig: [...BOTH, SHIFT, TIMER_RPS] },
  },
  {
    label: '+ matching partitions = 1',
    server: {
      temporalDefaults: true,
      dynamicConfig: [
        ...BOTH,
        'matching.numTaskqueueReadPartitions=1',
        'matching.numTaskqueueWritePartitions=1',
      ],
    },
  },
  { label: `+ ${UPDATES}`, server: { temporalDefaults: true, dynamicConfig: [...BOTH, UPDATES] } },
  { label: 'ours (scripts/temporal-server-settings.ts), in memory', server: {} },
  { label: 'ours (scripts/temporal-server-settings.ts), SQLite file', server: { dbFile: true } },
];

const BENCHMARKS: Record<string, Benchmark> = { bare, 'update-burst': updateBurst };
const LOAD_LIMIT = 1.2;
const LOAD_POLL_MS = 30_000;
const LOAD_WAIT_MS = 20 * 60_000;

/** Another job's CPU would be measured as ours: wait for a quiet machine, within reason. */
async function quietMachine(
  log: (m: string) => void,
): Promise<{ load: number[]; waitedS: number }> {
  const started = Date.now();
  while (os.loadavg()[0] >= LOAD_LIMIT && Date.now() - started < LOAD_WAIT_MS) {
    log(`load ${os.loadavg()[0].toFixed(2)} ≥ ${LOAD_LIMIT}, waiting`);
    await sleep(LOAD_POLL_MS);
  }
  return { load: machine().loadAvg, waitedS: Math.round((Date.now() - started) / 1000) };
}

/**
 * `npx tsx bench/server-settings.ts [--passes N] [--quick] [label filter]`:
 * the bare workflows and the update burst on a fresh server per setting, the
 * settings in order and then (second pass) in reverse, so drift in the
 * machine's load does not favour one end of the list.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const passes = Number(args[args.indexOf('--passes') + 1] ?? 2) || 2;
  const filter = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--passes');
  const chosen = SETTINGS.filter((s) => !filter || s.label.includes(filter));
  const command = ['npx tsx bench/server-settings.ts', ...args].join(' ');
  console.log(`[server-settings] ${command}`, machine());
  const runs: unknown[] = [];
  for (let pass = 1; pass <= passes; pass++) {
    const order = pass % 2 === 1 ? chosen : [...chosen].reverse();
    for (const { label, server } of order) {
      const log = (m: string) => console.log(`[server-settings ${pass} ${label}] ${m}`);
      const { load, waitedS } = await quietMachine(log);
      log(`start, load ${load.join(' ')} (waited ${waitedS} s)`);
      const temporal = await startBenchTemporal(server);
      const baseline = await Baseline.start(temporal);
      try {
        for (const [name, benchmark] of Object.entries(BENCHMARKS)) {
          const startLoad = machine().loadAvg;
          const outcome = await benchmark({
            temporal,
            baseline,
            quick,
            settings: {},
            workerEnv: {},
            log,
          });
          console.log(markdownTable(outcome.rows));
          runs.push({
            pass,
            label,
            server: describeServer(server),
            name,
            loadAvgAtStart: startLoad,
            ...outcome,
          });
        }
      } finally {
        await baseline.stop();
        await temporal.teardown();
      }
    }
  }
  if (quick) return;
  const file = path.join(__dirname, 'results', 'server-settings.json');
  const result = {
    name: 'server-settings',
    command,
    finishedAt: new Date().toISOString(),
    machine: machine(),
    runs,
  };
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`[server-settings] wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
