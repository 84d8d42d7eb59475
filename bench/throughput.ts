import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BenchContext } from './lib/context';
import { submitPosition, VARIANTS } from './lib/positions';
import type { BenchOutcome } from './lib/report';
import { sleep, within } from './lib/rendezvous';
import { startBenchStack, type BenchStack } from './lib/stack';
import { ratio, summarize, type Summary } from './lib/stats';
import { benchProcess, startCpuMeter, type Measured } from './lib/usage';

const RATES = [2, 5, 10, 20, 40, 80, 160];
const STEP_MS = 8_000;
/** Latency has degraded once the median is this many times the lowest rate's. */
const DEGRADED_FACTOR = 2;

interface Step {
  rate: number;
  latency: Summary;
  /** Entries (or baseline completions) per second actually achieved over the step. */
  achieved: number;
  failed: number;
  degraded: boolean;
  /** CPU milliseconds per completed start, by process, over the step. */
  cpuMsPerStart: Record<string, number>;
  machineBusyPct: number;
  /**
   * Starts a second the machine's cores could carry at this step's CPU cost
   * per start, were nothing else running: the ceiling the step measures.
   */
  cpuCeiling: number;
}

/** Offers `rate` starts per second for one step; each start resolves to its latency or undefined. */
async function offer(
  rate: number,
  start: () => Promise<number | undefined>,
  processes: Record<string, Measured>,
) {
  const spent = startCpuMeter(processes);
  const began = performance.now();
  const pending: Promise<number | undefined>[] = [];
  const total = Math.round((rate * STEP_MS) / 1000);
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / rate;
    await sleep(Math.max(0, due - performance.now()));
    pending.push(start());
  }
  const results = await Promise.all(pending);
  const seconds = (performance.now() - began) / 1000;
  const latencies = results.filter((r): r is number => r !== undefined);
  const cpu = spent();
  const cpuMsPerStart = Object.fromEntries(
    Object.entries(cpu.seconds).map(([name, s]) => [
      name,
      Math.round((s * 10_000) / Math.max(1, latencies.length)) / 10,
    ]),
  );
  const perStart = Object.values(cpuMsPerStart).reduce((a, b) => a + b, 0);
  return {
    latencies,
    failed: results.length - latencies.length,
    achieved: latencies.length / seconds,
    cpuMsPerStart,
    machineBusyPct: cpu.machineBusyPct,
    cpuCeiling: Math.round((os.cpus().length * 1000) / perStart),
  };
}

/** Raises the offered rate until latency degrades (or starts fail); the last good rate is the sustained one. */
async function ramp(
  start: () => Promise<number | undefined>,
  processes: Record<string, Measured>,
  log: (m: string) => void,
): Promise<Step[]> {
  const steps: Step[] = [];
  for (const rate of RATES) {
    const { latencies, failed, achieved, ...cpu } = await offer(rate, start, processes);
    const latency = summarize(latencies);
    const reference = steps[0]?.latency.median ?? latency.median;
    const degraded =
      failed > 0 || latency.median > DEGRADED_FACTOR * reference || achieved < 0.9 * rate;
    steps.push({
      rate,
      latency,
      achieved: Math.round(achieved * 10) / 10,
      failed,
      degraded,
      ...cpu,
    });
    log(`${rate}/s: ${JSON.stringify(steps.at(-1))}`);
    if (degraded) break;
    await sleep(2_000);
  }
  return steps;
}

const sustained = (steps: Step[]) => steps.filter((s) => !s.degraded).at(-1);

async function positionEntry(stack: BenchStack, i: number): Promise<number | undefined> {
  const p = await submitPosition(stack, VARIANTS[i % VARIANTS.length]);
  const received = await within(stack.clock.orderReceived(p.entryTag), 30_000);
  // Only the path to the entry order is under test; a growing book is capacity's business.
  void stack.client.workflow
    .getHandle(p.workflowId)
    .terminate('measured')
    .catch(() => undefined);
  return received === undefined ? undefined : received - p.submittedAt;
}

const cpuOf = (step: Step) => Object.values(step.cpuMsPerStart).reduce((a, b) => a + b, 0);
const describeCpu = (step: Step) =>
  `${Object.entries(step.cpuMsPerStart)
    .map(([name, ms]) => `${name} ${ms}`)
    .join(', ')}; machine ${step.machineBusyPct}% busy; ceiling ${step.cpuCeiling}/s`;

const SHAPE = 'bare workflow of the same shape (reservedEntryWorkflow)';
const LEAST = 'bare workflow, start → one activity';

/** What one entry costs the machine in CPU at the sustained rate, by process, beside a bare workflow's. */
const cpuRow = (real: Step, base: Step) => ({
  metric: `throughput: CPU per entry at ${real.rate}/s, all processes`,
  unit: 'ms',
  value: Math.round(cpuOf(real) * 10) / 10,
  baseline: `${SHAPE} at ${base.rate}/s: ${Math.round(cpuOf(base) * 10) / 10} (${describeCpu(base)})`,
  ratio: ratio(cpuOf(real), cpuOf(base)),
  note: describeCpu(real),
});

/** The sustained rate of one ramp against another's, and where the first degraded. */
function sustainedRow(metric: string, steps: Step[], against: Step[], againstName: string) {
  const real = sustained(steps);
  const base = sustained(against);
  const firstBad = steps.find((s) => s.degraded);
  return {
    metric,
    unit: 'signals/s',
    value: real?.rate ?? 0,
    median: real?.latency.median,
    p99: real?.latency.p99,
    baseline: `${againstName}: ${base?.rate ?? 0}/s${against.every((s) => !s.degraded) ? ' (never degraded; a lower bound)' : ''}`,
    ratio: real && base ? ratio(real.rate, base.rate) : null,
    note: firstBad
      ? `at ${firstBad.rate}/s: median ${firstBad.latency.median} ms, achieved ${firstBad.achieved}/s, failed ${firstBad.failed}${real ? `; CPU per start at ${real.rate}/s: ${describeCpu(real)}` : ''}`
      : 'never degraded up to the highest rate offered',
  };
}

/**
 * Signals per second through to entry orders at rising offered rates, against
 * the bare workflow of the entry's shape on the same server, and that bare
 * workflow against the least a workflow can do (start → one activity): the
 * ceiling any design with a workflow per signal has on this machine.
 * Sustained: the highest rate whose median stays within twice the lowest
 * rate's, with every entry arriving and the offered rate achieved.
 */
export async function throughput(ctx: BenchContext): Promise<BenchOutcome> {
  const stack = await startBenchStack(ctx, { name: 'throughput', tickIntervalMs: 200 });
  let n = 0;
  let positions: Step[];
  try {
    positions = await ramp(
      () => positionEntry(stack, n++),
      { worker: stack.worker, server: ctx.temporal.server, bench: benchProcess },
      (m) => ctx.log(`positions ${m}`),
    );
  } finally {
    await stack.stop();
  }
  // The baselines' worker runs in the bench process.
  const baselineRamp = (name: string, start: () => Promise<number>) =>
    ramp(start, { server: ctx.temporal.server, bench: benchProcess }, (m) =>
      ctx.log(`${name} ${m}`),
    );
  const shape = await baselineRamp('same shape', () => ctx.baseline.reservedEntry());
  const least = await baselineRamp('one activity', () => ctx.baseline.roundTrips(1));
  const real = sustained(positions);
  const base = sustained(shape);
  return {
    rows: [
      sustainedRow('throughput: signals → entry orders, sustained', positions, shape, SHAPE),
      ...(real && base ? [cpuRow(real, base)] : []),
      sustainedRow(`throughput: ${SHAPE}, sustained`, shape, least, LEAST),
    ],
    details: {
      positions,
      baseline: shape,
      least,
      stepMs: STEP_MS,
      degradedFactor: DEGRADED_FACTOR,
    },
  };
}
