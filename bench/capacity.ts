import { samples, type BenchContext } from './lib/context';
import { openBatch, type OpenPosition } from './lib/open';
import { keyPathToEnvName } from '../src/config/load';
import {
  countInPhase,
  crossingPrice,
  endedPositionIds,
  stopLossPct,
  terminateAll,
  VARIANTS,
} from './lib/positions';
import { latencyRow, type BenchOutcome, type Row } from './lib/report';
import { sleep, within } from './lib/rendezvous';
import { startBenchStack, type BenchStack } from './lib/stack';
import { ratio, summarize } from './lib/stats';
import { measureUsage, type Usage } from './lib/usage';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { triggerFirings, type TriggerFiring } from './lib/trigger-log';
import { metricsUrlOf, nodeActivity, scrapeNodeSeries } from './lib/worker-metrics';
import { waitForPhase } from '../tests/harness/positions';

export const TICK_INTERVAL_MS = 200; // every instrument at 5/s
const OPEN_CONCURRENCY = 20;
export const USAGE_WINDOW_MS = 20_000;
const LATE_MS = 1_000;
const MISSED_MS = 10_000;
/** Each step of a walk down, under feed.maxTickJumpPct (50). */
const WALK_STEP = 0.4;

/**
 * Far exits, so the book holds its size: with the default 25% stop and a
 * trailing stop from +20%, far-from-the-money premiums on a 5/s feed close
 * hundreds of positions by themselves within minutes (a first run lost 300
 * of 500 that way). Only the pins below cross these stops.
 */
const FAR_EXITS: Record<string, string> = {
  [keyPathToEnvName(['exits', 'stopLoss'])]: '{pct: 80}',
  [keyPathToEnvName(['exits', 'target'])]: '{pct: 1000}',
  [keyPathToEnvName(['exits', 'trailing', 'activation'])]: '{pct: 1000}',
};

/** A stack for holding a large book: every instrument ticking, exits far enough to stay open. */
export const startBookStack = (
  ctx: BenchContext,
  name: string,
  workerEnv?: NodeJS.ProcessEnv,
  settings: Record<string, string> = {},
): Promise<BenchStack> =>
  startBenchStack(ctx, {
    name,
    tickIntervalMs: TICK_INTERVAL_MS,
    settings: { ...FAR_EXITS, ...settings },
    workerEnv,
  });

/** Five minutes, or 400 ms an entry: 2,000 across two workers filled at about 3/s (1,840 in 600 s). */
const growDeadlineMs = (size: number) => Math.max(300_000, size * 400);

/**
 * Tops the book up to `size` open positions, a bounded number of entries in
 * flight at a time; gives up after a deadline so a stall is reported, not
 * waited out. A position that closes on its own (a far-from-the-money
 * premium at the price floor touches even an 80% stop, more so near expiry)
 * leaves the book and is replaced. Returns the OPEN count and how many closed.
 */
export async function growTo(
  stack: BenchStack,
  book: OpenPosition[],
  size: number,
  log: (m: string) => void,
): Promise<{ open: number; closedOnTheirOwn: number }> {
  let next = book.length;
  let closedOnTheirOwn = 0;
  const giveUpAt = Date.now() + growDeadlineMs(size);
  let open = 0;
  while (Date.now() < giveUpAt) {
    while (book.length < size && Date.now() < giveUpAt) {
      const wanted = Math.min(OPEN_CONCURRENCY, size - book.length);
      const variants = Array.from({ length: wanted }, () => VARIANTS[next++ % VARIANTS.length]);
      book.push(...(await openBatch(stack, variants)));
      if (book.length % 100 < OPEN_CONCURRENCY) log(`${book.length}/${size} entries filled`);
    }
    open = await countInPhase(stack, 'OPEN');
    if (open >= size) break;
    await sleep(2_000);
    const ended = await endedPositionIds(stack);
    const kept = book.filter((p) => !ended.has(p.workflowId));
    closedOnTheirOwn += book.length - kept.length;
    book.splice(0, book.length, ...kept);
  }
  if (closedOnTheirOwn > 0)
    log(`${closedOnTheirOwn} positions closed on their own and were replaced`);
  return { open, closedOnTheirOwn };
}

interface TriggerSample {
  latencies: number[];
  /**
   * Positions on one contract whose stops the same tick crossed exit
   * together, so their orders queue behind each other: the first order of
   * each such tick is the lone trigger's latency, the rest the burst's.
   */
  firstOfTick: number[];
  /** How many exits each crossing tick set off. */
  exitsPerTick: number[];
  /** Each crossing tick's exits, crossing → order ms, in the order they reached the exchange. */
  perTick: number[][];
  /** Where each crossing tick's first exit spent its time. */
  phases: FirstExitPhases;
  late: number;
  missed: number;
  /** Sampled positions that had closed on their own before their contract's walk. */
  closedBeforeWalk: number;
}

/**
 * A crossing tick's first exit, in ms, from the exchange's stamps and the
 * worker's log (epoch ms, so whole milliseconds): publish → the packet at
 * the worker; → the placement at the exchange's HTTP server; → the order
 * announced (its body read, matched and in the journal); → the trigger's
 * log line, after the answer came back.
 */
interface FirstExitPhases {
  toWorker: number[];
  inWorker: number[];
  atExchange: number[];
  answer: number[];
}

interface Exit {
  token: number;
  tag: string;
  crossedAt: number;
  orderAt?: number;
}

/** Exits that reached the exchange, grouped by the tick that crossed them, each group in arrival order. */
function groupByCrossingTick(exits: readonly Exit[]): Exit[][] {
  const ticks = new Map<string, Exit[]>();
  for (const e of exits) {
    if (e.orderAt === undefined) continue;
    const key = `${e.token}@${e.crossedAt}`;
    ticks.set(key, [...(ticks.get(key) ?? []), e]);
  }
  return [...ticks.values()].map((g) => g.sort((a, b) => a.orderAt! - b.orderAt!));
}

/** Each group's first order, and the group sizes. */
function byCrossingTick(
  groups: readonly Exit[][],
): Pick<TriggerSample, 'firstOfTick' | 'exitsPerTick' | 'perTick'> {
  const ms = (e: Exit) => e.orderAt! - e.crossedAt;
  return {
    firstOfTick: groups.map((g) => ms(g[0])),
    exitsPerTick: groups.map((g) => g.length),
    perTick: groups.map((g) => g.map((e) => Math.round(ms(e) * 10) / 10)),
  };
}

/** The first exit of each group, split at the worker and the exchange's HTTP server. */
function firstExitPhases(
  groups: readonly Exit[][],
  stack: BenchStack,
  firings: ReadonlyMap<string, TriggerFiring>,
): FirstExitPhases {
  const phases: FirstExitPhases = { toWorker: [], inWorker: [], atExchange: [], answer: [] };
  const epoch = (t: number) => performance.timeOrigin + t;
  for (const [first] of groups) {
    const firing = firings.get(first.tag);
    const placedAt = stack.clock.placementAfter(first.crossedAt);
    if (!firing || placedAt === undefined) continue;
    phases.toWorker.push(firing.receivedAt - epoch(first.crossedAt));
    phases.inWorker.push(epoch(placedAt) - firing.receivedAt);
    phases.atExchange.push(first.orderAt! - placedAt);
    phases.answer.push(firing.loggedAt - epoch(first.orderAt!));
  }
  return phases;
}

/**
 * Walks a contract's price down in steps the feed's bad-print filter takes as
 * real (each under feed.maxTickJumpPct), each held for a few ticks, until it
 * is at `to`. A far stop (80%) crossed in one pin would be an 84% jump, held
 * back by the filter until the next print confirms it: that measured the
 * filter and the tick interval, not the trigger.
 */
async function walkDown(stack: BenchStack, token: number, from: number, to: number) {
  let price = from;
  while (price > to) {
    price = Math.max(to, Math.round(price * (1 - WALK_STEP) * 20) / 20);
    await stack.control.pinPrice(token, price);
    await sleep(TICK_INTERVAL_MS * 2.5);
  }
}

/**
 * The share of the book a sample triggers. A tenth gave about 104 exits at
 * 1,000 in 13 crossings of 8, so its p99 was the second-largest exit and one
 * slow crossing moved it by 10 ms between runs of the same code.
 */
const SAMPLE_SHARE = 0.3;

/**
 * Walks contracts down one after another (every position on a walked
 * contract must exit) until SAMPLE_SHARE of the book, and at least 30
 * positions, have been triggered, while the rest keeps ticking. Each exit is
 * timed from the first tick at or through its own stop.
 */
async function triggerSample(stack: BenchStack, book: OpenPosition[]): Promise<TriggerSample> {
  const byToken = new Map<number, OpenPosition[]>();
  for (const p of book) byToken.set(p.token, [...(byToken.get(p.token) ?? []), p]);
  const target = Math.max(30, Math.ceil(book.length * SAMPLE_SHARE));
  const exits: Promise<Exit>[] = [];
  const walked: number[] = [];
  let closedBeforeWalk = 0;
  for (const [token, onToken] of byToken) {
    if (exits.length >= target) break;
    const positions: OpenPosition[] = [];
    for (const p of onToken) {
      const { phase, exits: plan } = await waitForPhase(
        stack.client.workflow.getHandle(p.workflowId),
        'OPEN',
        'CLOSED',
      );
      if (phase === 'CLOSED') {
        closedBeforeWalk += 1;
        continue;
      }
      positions.push(p);
      const crossed = stack.clock.crossingPublished(token, plan!.stopLoss);
      const exited = within(stack.clock.orderReceived(p.exitTag), MISSED_MS);
      exits.push(
        Promise.all([crossed, exited]).then(([crossedAt, orderAt]) => ({
          token,
          tag: p.exitTag,
          crossedAt,
          orderAt,
        })),
      );
    }
    walked.push(token);
    if (positions.length === 0) continue;
    const entries = positions.map((p) => p.entryPrice);
    await walkDown(
      stack,
      token,
      Math.max(...entries),
      crossingPrice(Math.min(...entries), stopLossPct(stack)),
    );
  }
  const results = await Promise.all(exits);
  await sleep(3_000); // let the exits settle before the next size reuses these contracts
  for (const token of walked) await stack.control.unpin(token);
  book.splice(0, book.length, ...book.filter((p) => !walked.includes(p.token)));
  const latencies = results.flatMap((e) =>
    e.orderAt === undefined ? [] : [e.orderAt - e.crossedAt],
  );
  const groups = groupByCrossingTick(results);
  return {
    latencies,
    ...byCrossingTick(groups),
    phases: firstExitPhases(groups, stack, triggerFirings(stack.workerLog)),
    late: latencies.filter((l) => l > LATE_MS).length,
    missed: results.length - latencies.length,
    closedBeforeWalk,
  };
}

/**
 * 100, 500 and 1,000 positions supervised at once, every instrument ticking
 * at 5/s: the worker's CPU and memory over a steady window, then tick-to-exit
 * for a sample of the book. Baselines from the same run: the idle worker
 * (no positions, same feed) and the bare triggered workflow measured at the
 * same size, under the same load.
 */
export async function capacity(ctx: BenchContext): Promise<BenchOutcome> {
  const sizes = ctx.quick ? [10, 30] : [100, 500, 1000];
  const stack = await startBookStack(ctx, 'capacity');
  const rows: Row[] = [];
  const details: Record<string, unknown> = { sizes, tickIntervalMs: TICK_INTERVAL_MS };
  try {
    await sleep(5_000);
    const idle = await measureUsage(stack.worker, USAGE_WINDOW_MS);
    details.idle = idle;
    ctx.log(`idle worker ${JSON.stringify(idle)}`);
    const book: OpenPosition[] = [];
    for (const size of sizes) {
      const started = Date.now();
      const { open, closedOnTheirOwn } = await growTo(stack, book, size, ctx.log);
      const fillSeconds = Math.round((Date.now() - started) / 1000);
      ctx.log(`${open} OPEN of ${size} after ${fillSeconds} s`);
      // The server's and this process's (the paper exchange, the bare worker) CPU beside the worker's.
      const benchCpuBefore = process.cpuUsage();
      const [usage, server]: Usage[] = await Promise.all([
        measureUsage(stack.worker, USAGE_WINDOW_MS),
        measureUsage(ctx.temporal.server, USAGE_WINDOW_MS),
      ]);
      const { user, system } = process.cpuUsage(benchCpuBefore);
      const benchCpuPct = Math.round(((user + system) / 1e3 / USAGE_WINDOW_MS) * 1000) / 10;
      ctx.log(`usage at ${size}: ${JSON.stringify({ usage, server, benchCpuPct })}`);
      const requestsBefore = new Map(stack.clock.requests);
      const workerMetrics = metricsUrlOf(stack.workerLog);
      const workerBefore = await scrapeNodeSeries(workerMetrics);
      const loopDelay = monitorEventLoopDelay({ resolution: 5 });
      loopDelay.enable();
      const sample = await triggerSample(stack, book);
      loopDelay.disable();
      const workerNode = nodeActivity(workerBefore, await scrapeNodeSeries(workerMetrics));
      const during = {
        // What the exchange served while the sample ran, and how late this process's event loop (the exchange's) ran.
        requests: Object.fromEntries(
          [...stack.clock.requests]
            .map(([key, n]) => [key, n - (requestsBefore.get(key) ?? 0)] as const)
            .filter(([, n]) => n > 0),
        ),
        benchLoopDelayMs: {
          median: loopDelay.percentile(50) / 1e6,
          p99: loopDelay.percentile(99) / 1e6,
          max: loopDelay.max / 1e6,
        },
        worker: workerNode,
      };
      ctx.log(`during the sample at ${size}: ${JSON.stringify(during)}`);
      const bare: number[] = [];
      for (let i = 0; i < samples(ctx, 20); i++) bare.push(await ctx.baseline.triggered());
      const real = summarize(sample.latencies);
      ctx.log(
        `first exit of a crossing tick at ${size}, median ms: ${Object.entries(sample.phases)
          .map(([phase, ms]) => `${phase} ${summarize(ms).median}`)
          .join(', ')}`,
      );
      const base = summarize(bare);
      details[`size${size}`] = {
        open,
        fillSeconds,
        closedOnTheirOwn: closedOnTheirOwn + sample.closedBeforeWalk,
        during,
        usage,
        server,
        benchCpuPct,
        sample: { late: sample.late, missed: sample.missed },
        real,
        firstOfTick: summarize(sample.firstOfTick),
        exitsPerTick: summarize(sample.exitsPerTick),
        perTick: sample.perTick,
        firstExitPhases: Object.fromEntries(
          Object.entries(sample.phases).map(([phase, ms]) => [phase, summarize(ms)]),
        ),
        base,
      };
      const at = `@${size}`;
      rows.push(
        latencyRow(
          `capacity ${at}: tick → exit order`,
          real,
          base,
          'bare triggered workflow at this load',
          `${open}/${size} OPEN; late (>${LATE_MS} ms) ${sample.late}, missed ${sample.missed}`,
        ),
        latencyRow(
          `capacity ${at}: crossing tick → its first exit order`,
          summarize(sample.firstOfTick),
          base,
          'bare triggered workflow at this load',
          `exits per crossing tick: median ${summarize(sample.exitsPerTick).median}, max ${summarize(sample.exitsPerTick).max}`,
        ),
        {
          metric: `capacity ${at}: worker CPU`,
          unit: '% of a core',
          value: usage.workerCpuPct,
          baseline: `idle worker ${idle.workerCpuPct}`,
          ratio: ratio(usage.workerCpuPct, idle.workerCpuPct),
          note:
            `machine busy ${usage.machineBusyPct}% of ${os.cpus().length} cores; ` +
            `Temporal server ${server.workerCpuPct}%, bench process (exchange) ${benchCpuPct}%`,
        },
        {
          metric: `capacity ${at}: worker RSS`,
          unit: 'MiB',
          value: usage.workerRssMiB,
          baseline: `idle worker ${idle.workerRssMiB}`,
          ratio: ratio(usage.workerRssMiB, idle.workerRssMiB),
        },
      );
    }
  } finally {
    await terminateAll(stack);
    await stack.stop();
  }
  return { rows, details };
}
