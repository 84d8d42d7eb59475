import '../tests/harness/quiet-runtime';
import { Baseline } from './lib/baseline';
import type { Benchmark, BenchContext } from './lib/context';
import { machine, markdownTable, writeResult, type Row } from './lib/report';
import { startBenchTemporal, type BenchServerOptions } from './lib/temporal';
import { bare } from './bare';
import { capacity } from './capacity';
import { failover } from './failover';
import { historySize } from './history-size';
import { replay } from './replay';
import { signalToEntry } from './signal-to-entry';
import { throughput } from './throughput';
import { tickToExit } from './tick-to-exit';
import { updateBurst } from './update-burst';
import { workerProfile } from './worker-profile';

const BENCHMARKS: Record<string, Benchmark> = {
  'signal-to-entry': signalToEntry,
  'tick-to-exit': tickToExit,
  throughput,
  'history-size': historySize,
  capacity,
  failover,
};
/** Run only when named: the bare workflows alone, for weighing server settings. */
const ON_REQUEST: Record<string, Benchmark> = {
  bare,
  replay,
  'update-burst': updateBurst,
  'worker-profile': workerProfile,
};
const KNOWN = { ...BENCHMARKS, ...ON_REQUEST };
/** Options that take a value. */
const VALUED = [
  '--dynamic-config',
  '--sqlite-pragma',
  '--setting',
  '--worker-env',
  '--exchange-dir',
  '--temporal-address',
  '--temporal-metrics',
];

/** `npm run bench [-- [--quick] <name>...]`: every benchmark by default, in a fixed order. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const valuesOf = (option: string) => args.flatMap((a, i) => (args[i - 1] === option ? [a] : []));
  const server: BenchServerOptions = {
    // `--dynamic-config key=value`: a server setting to try, added to ours or replacing one of them.
    dynamicConfig: valuesOf('--dynamic-config'),
    // `--temporal-defaults`: none of ours (scripts/temporal-server-settings.ts), to measure them.
    temporalDefaults: args.includes('--temporal-defaults'),
    // `--db-file`: a SQLite file, as `npm start` keeps its state, with `--sqlite-pragma k=v` to try.
    dbFile: args.includes('--db-file'),
    sqlitePragmas: valuesOf('--sqlite-pragma'),
  };
  // `--temporal-address HOST:PORT --temporal-metrics URL`: a server already running, such as bench/postgres/start.sh's.
  const address = valuesOf('--temporal-address').at(-1);
  if (address) {
    const metricsUrl = valuesOf('--temporal-metrics').at(-1);
    if (!metricsUrl) {
      console.error('--temporal-address needs --temporal-metrics URL (its Prometheus endpoint)');
      process.exit(2);
    }
    server.external = { address, metricsUrl };
  }
  const settings: Record<string, string> = {};
  for (const s of valuesOf('--setting')) {
    const eq = s.indexOf('=');
    if (!s.startsWith('TRADER__') || eq < 0) {
      console.error(`--setting ${s}: expected TRADER__SECTION__KEY=value`);
      process.exit(2);
    }
    settings[s.slice(0, eq)] = s.slice(eq + 1);
  }
  // `--worker-env KEY=VALUE`: the worker process's environment outside our config (allocator, V8 flags).
  const workerEnv: Record<string, string> = {};
  for (const s of valuesOf('--worker-env')) {
    const eq = s.indexOf('=');
    if (eq <= 0 || s.startsWith('TRADER__')) {
      console.error(
        `--worker-env ${s}: expected KEY=value, with TRADER__ settings under --setting`,
      );
      process.exit(2);
    }
    workerEnv[s.slice(0, eq)] = s.slice(eq + 1);
  }
  const names = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1]));
  const unknown = names.filter((n) => !(n in KNOWN));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(KNOWN).join(', ')}`,
    );
    process.exit(2);
  }
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  const command = ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  console.log(`[bench] ${command}`, machine());
  const temporal = await startBenchTemporal(server);
  const baseline = await Baseline.start(temporal);
  const rows: Row[] = [];
  try {
    for (const name of selected) {
      const startLoad = machine().loadAvg;
      const started = Date.now();
      const ctx: BenchContext = {
        temporal,
        baseline,
        quick,
        settings,
        workerEnv,
        exchangeDir: valuesOf('--exchange-dir').at(-1),
        log: (m) => console.log(`[bench ${name}] ${m}`),
      };
      ctx.log(`start, load ${startLoad.join(' ')}`);
      const outcome = await KNOWN[name](ctx);
      if (!quick) writeResult(name, command, outcome, startLoad);
      ctx.log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
      console.log(markdownTable(outcome.rows));
      rows.push(...outcome.rows);
    }
  } finally {
    await baseline.stop();
    await temporal.teardown();
  }
  console.log(
    `\n${markdownTable(rows)}\n\nload average at the end: ${machine().loadAvg.join(' ')}`,
  );
}

// Exiting runs the harness's exit hook, which SIGKILLs the worker processes this run started.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.once(signal, () => process.exit(code));

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
