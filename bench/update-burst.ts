import { samples, type BenchContext } from './lib/context';
import type { BenchOutcome } from './lib/report';
import { summarize } from './lib/stats';

const WARM_UP = 2;
/** A second of signals at the 50/s target, all reserving at once. */
const CONCURRENT = 50;

/**
 * Bursts of updates sent together to one workflow, as reservations reach the
 * account book: a server refusing updates past history.maxInFlightUpdates
 * (10 by default) shows as failures or as the client's retry back-off.
 */
export async function updateBurst(ctx: BenchContext): Promise<BenchOutcome> {
  const bursts = samples(ctx, 10, 2);
  const latencies: number[] = [];
  const slowest: number[] = [];
  let failed = 0;
  for (let i = 0; i < WARM_UP + bursts; i++) {
    const burst = await ctx.baseline.updateBurst(CONCURRENT);
    if (i < WARM_UP) continue;
    latencies.push(...burst.latencies);
    slowest.push(Math.max(...burst.latencies));
    failed += burst.failed;
  }
  const each = summarize(latencies);
  const whole = summarize(slowest);
  return {
    rows: [
      {
        metric: `update burst: ${CONCURRENT} at once to one workflow, each`,
        unit: 'ms',
        n: each.n,
        median: each.median,
        p99: each.p99,
        baseline: 'is itself a baseline',
        ratio: null,
        note: `${failed} failed; slowest of a burst: median ${whole.median}, max ${whole.max}`,
      },
    ],
    details: { warmUp: WARM_UP, concurrent: CONCURRENT, bursts, each, whole, failed, latencies },
  };
}
