import '../tests/harness/quiet-runtime';
import { Baseline } from './lib/baseline';
import type { Benchmark, BenchContext } from './lib/context';
import { machine, markdownTable, writeResult, type Row } from './lib/report';
import { startBenchTemporal } from './lib/temporal';
import { capacity } from './capacity';
import { historySize } from './history-size';
import { signalToEntry } from './signal-to-entry';
import { throughput } from './throughput';
import { tickToExit } from './tick-to-exit';

const BENCHMARKS: Record<string, Benchmark> = {
  'signal-to-entry': signalToEntry,
  'tick-to-exit': tickToExit,
  throughput,
  'history-size': historySize,
  capacity,
};

/** `npm run bench [-- [--quick] <name>...]`: every benchmark by default, in a fixed order. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  // `--dynamic-config key=value`: a server setting to try, e.g. system.enableActivityEagerExecution=true.
  const dynamicConfig = args.flatMap((a, i) => (args[i - 1] === '--dynamic-config' ? [a] : []));
  const names = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--dynamic-config');
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`,
    );
    process.exit(2);
  }
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  const command = ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  console.log(`[bench] ${command}`, machine());
  const temporal = await startBenchTemporal(dynamicConfig);
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
        log: (m) => console.log(`[bench ${name}] ${m}`),
      };
      ctx.log(`start, load ${startLoad.join(' ')}`);
      const outcome = await BENCHMARKS[name](ctx);
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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
