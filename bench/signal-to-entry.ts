import os from 'node:os';
import path from 'node:path';
import { startCpuProfile, type ProfileSummary } from './lib/cpu-profile';
import { samples, type BenchContext } from './lib/context';
import { Inspector } from './lib/inspector';
import { entryPhases, type Phase } from './lib/entry-phases';
import { submitPosition, VARIANTS } from './lib/positions';
import { latencyRow, type BenchOutcome } from './lib/report';
import { within } from './lib/rendezvous';
import { startBenchStack } from './lib/stack';
import { summarize } from './lib/stats';

/** Before its entry order a position makes this many activity calls: reserveRisk, listExpiries, getOptionChain, placeOrder (the first three local, the first beside the next two). */
export const ENTRY_ROUND_TRIPS = 4;
const WARM_UP = 10;

/**
 * `ENTRY_PROFILE=1`: the worker runs with `--inspect` and every isolate is
 * CPU-profiled over the measured signals (not the warm-up), so the time
 * inside the workflow tasks and activities has an address. The profiler
 * slows what it watches: such a run's latencies are not the figures.
 */
async function profileIsolates(
  workerLog: string,
): Promise<() => Promise<Record<string, ProfileSummary>>> {
  const inspector = await Inspector.attach(workerLog);
  const stops = await Promise.all(
    inspector.isolates().map(async (target) => {
      const file = path.join(
        os.tmpdir(),
        `trader-bench-entry-profile-${target.title.replace(/\W+/g, '-')}.cpuprofile`,
      );
      return [target.title, await startCpuProfile(target, file)] as const;
    }),
  );
  return async () => {
    const summaries: Record<string, ProfileSummary> = {};
    for (const [title, stop] of stops) summaries[title] = await stop();
    inspector.close();
    return summaries;
  };
}

/**
 * submitSignal until the exchange's matching engine receives the entry order,
 * one signal at a time, interleaved with the bare baseline so drift in the
 * machine's load hits both alike. Each position is terminated once its order
 * is in: only the path to the order is measured, not a growing book.
 */
export async function signalToEntry(ctx: BenchContext): Promise<BenchOutcome> {
  const stack = await startBenchStack(ctx, {
    name: 'signal-to-entry',
    tickIntervalMs: 200,
    ...(process.env.ENTRY_PROFILE && { workerEnv: { NODE_OPTIONS: '--inspect=127.0.0.1:0' } }),
  });
  const count = samples(ctx, 200);
  const latencies: number[] = [];
  const bare: number[] = [];
  const shape: number[] = [];
  const single: number[] = [];
  let missing = 0;
  const measured: string[] = [];
  let phases: Phase[] | undefined;
  let shapePhases: Phase[] | undefined;
  let profiles: Record<string, ProfileSummary> | undefined;
  let stopProfiles: (() => Promise<Record<string, ProfileSummary>>) | undefined;
  try {
    for (let i = 0; i < WARM_UP + count; i++) {
      if (i === WARM_UP && process.env.ENTRY_PROFILE)
        stopProfiles = await profileIsolates(stack.workerLog);
      const position = await submitPosition(stack, VARIANTS[i % VARIANTS.length]);
      const received = await within(stack.clock.orderReceived(position.entryTag), 30_000);
      await stack.client.workflow.getHandle(position.workflowId).terminate('measured');
      const baseline = await ctx.baseline.roundTrips(ENTRY_ROUND_TRIPS);
      const reservedEntry = await ctx.baseline.reservedEntry();
      const oneActivity = await ctx.baseline.roundTrips(1);
      if (i < WARM_UP) continue;
      shape.push(reservedEntry);
      single.push(oneActivity);
      if (received === undefined) missing++;
      else latencies.push(received - position.submittedAt);
      measured.push(position.workflowId);
      bare.push(baseline);
      if ((i + 1) % 50 === 0) ctx.log(`${i + 1 - WARM_UP}/${count}`);
    }
    profiles = await stopProfiles?.();
    phases = await entryPhases(stack.client, measured.slice(-50));
    shapePhases = await ctx.baseline.reservedEntryPhases(50);
    for (const [who, steps] of [
      ['position', phases],
      ['same shape', shapePhases],
    ] as const)
      for (const p of steps)
        ctx.log(`${who}: ${p.step}: median ${p.ms.median} ms, p99 ${p.ms.p99} ms`);
  } finally {
    await stack.stop();
  }
  const real = summarize(latencies);
  const base = summarize(bare);
  return {
    rows: [
      latencyRow(
        'signal → entry order',
        real,
        base,
        `bare workflow, ${ENTRY_ROUND_TRIPS} no-op activities`,
        missing ? `${missing} never arrived` : undefined,
      ),
      latencyRow(
        'signal → entry order, against its own shape',
        real,
        summarize(shape),
        'bare workflow of the same shape: a local update-with-start to a running workflow beside two local activities in turn, then one activity',
      ),
      latencyRow(
        'signal → entry order, against the least a workflow can do',
        real,
        summarize(single),
        'bare workflow, start → one activity',
      ),
    ],
    details: {
      real,
      baseline: base,
      reservedEntry: summarize(shape),
      oneActivity: summarize(single),
      missing,
      warmUp: WARM_UP,
      phases,
      shapePhases,
      ...(profiles && { profiles }),
    },
  };
}
