import { samples, type BenchContext } from './lib/context';
import { entryPhases, type Phase } from './lib/entry-phases';
import { submitPosition, VARIANTS } from './lib/positions';
import { latencyRow, type BenchOutcome } from './lib/report';
import { within } from './lib/rendezvous';
import { startBenchStack } from './lib/stack';
import { summarize } from './lib/stats';

/** Before its entry order a position makes this many activity calls: reserveRisk, listExpiries, getOptionChain, placeOrder. */
export const ENTRY_ROUND_TRIPS = 4;
const WARM_UP = 10;

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
  });
  const count = samples(ctx, 200);
  const latencies: number[] = [];
  const bare: number[] = [];
  let missing = 0;
  const measured: string[] = [];
  let phases: Phase[] | undefined;
  try {
    for (let i = 0; i < WARM_UP + count; i++) {
      const position = await submitPosition(stack, VARIANTS[i % VARIANTS.length]);
      const received = await within(stack.clock.orderReceived(position.entryTag), 30_000);
      await stack.client.workflow.getHandle(position.workflowId).terminate('measured');
      const baseline = await ctx.baseline.roundTrips(ENTRY_ROUND_TRIPS);
      if (i < WARM_UP) continue;
      if (received === undefined) missing++;
      else latencies.push(received - position.submittedAt);
      measured.push(position.workflowId);
      bare.push(baseline);
      if ((i + 1) % 50 === 0) ctx.log(`${i + 1 - WARM_UP}/${count}`);
    }
    phases = await entryPhases(stack.client, measured.slice(-50));
    for (const p of phases) ctx.log(`${p.step}: median ${p.ms.median} ms, p99 ${p.ms.p99} ms`);
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
    ],
    details: { real, baseline: base, missing, warmUp: WARM_UP, phases },
  };
}
