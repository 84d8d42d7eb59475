import { samples, type BenchContext } from './lib/context';
import { openBatch, type OpenPosition } from './lib/open';
import { latencyRow, type BenchOutcome } from './lib/report';
import { within } from './lib/rendezvous';
import { startBenchStack, type BenchStack } from './lib/stack';
import { summarize } from './lib/stats';
import { crossingPrice, stopLossPct, VARIANTS } from './lib/positions';
import { waitForPhase } from '../tests/harness/positions';

const BATCH = 20;

/** Pins one position's contract through its stop and times the exchange's tick to its exit order. */
export async function timeExit(stack: BenchStack, p: OpenPosition): Promise<number | undefined> {
  // A tick going out for the token means the worker's hub is subscribed: the trigger is armed.
  await stack.clock.published(p.token);
  const price = crossingPrice(p.entryPrice, stopLossPct(stack));
  const crossed = stack.clock.crossingPublished(p.token, price);
  const exited = within(stack.clock.orderReceived(p.exitTag), 10_000);
  await stack.control.pinPrice(p.token, price);
  const [tick, order] = await Promise.all([crossed, exited]);
  return order === undefined ? undefined : order - tick;
}

/**
 * Batches of positions on distinct contracts; each is pinned through its
 * stop in turn, so every exit is measured on its own while the rest of the
 * batch is supervised. Baseline: a bare workflow whose waiting activity is
 * released, until its next activity begins.
 */
export async function tickToExit(ctx: BenchContext): Promise<BenchOutcome> {
  const stack = await startBenchStack(ctx, { name: 'tick-to-exit', tickIntervalMs: 200 });
  const count = samples(ctx, 200);
  const latencies: number[] = [];
  const bare: number[] = [];
  let missed = 0;
  try {
    for (let done = 0; done < count; done += BATCH) {
      const variants = Array.from(
        { length: Math.min(BATCH, count - done) },
        (_, i) => VARIANTS[(done + i) % VARIANTS.length],
      );
      const batch = await openBatch(stack, variants);
      for (const p of batch)
        await waitForPhase(stack.client.workflow.getHandle(p.workflowId), 'OPEN');
      for (const p of batch) {
        const latency = await timeExit(stack, p);
        if (latency === undefined) missed++;
        else latencies.push(latency);
        bare.push(await ctx.baseline.triggered());
      }
      for (const p of batch) {
        await waitForPhase(stack.client.workflow.getHandle(p.workflowId), 'CLOSED');
        await stack.control.unpin(p.token);
      }
      ctx.log(`${done + batch.length}/${count}`);
    }
  } finally {
    await stack.stop();
  }
  const real = summarize(latencies);
  const base = summarize(bare);
  return {
    rows: [
      latencyRow(
        'tick → exit order',
        real,
        base,
        'bare workflow, activity released → next activity',
        missed ? `${missed} missed (no exit in 10 s)` : undefined,
      ),
    ],
    details: { real, baseline: base, missed, batch: BATCH },
  };
}
