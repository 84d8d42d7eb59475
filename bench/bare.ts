import { samples, type BenchContext } from './lib/context';
import type { BenchOutcome, Row } from './lib/report';
import { summarize } from './lib/stats';

const WARM_UP = 10;
const ROUNDS = 4;
/** Long enough that the timer is pending before it falls due, whatever the dispatch costs. */
const TIMER_IN_MS = 300;
/** A time stop shared by many positions: their timers all fall due at once. */
const TIMER_BURST = 100;
/** Far enough ahead that all of them are set before they fall due. */
const TIMER_BURST_IN_MS = 5_000;

const row = (metric: string, samples: number[], note: string): Row => {
  const s = summarize(samples);
  return {
    metric,
    unit: 'ms',
    n: s.n,
    median: s.median,
    p99: s.p99,
    baseline: 'is itself a baseline',
    ratio: null,
    note,
  };
};

/**
 * The bare workflows alone, one after another so each is measured on a quiet
 * worker: what the server's settings cost with no code of ours. Then a burst
 * of timers falling due together.
 */
export async function bare(ctx: BenchContext): Promise<BenchOutcome> {
  const count = samples(ctx, 60);
  const remote: number[] = [];
  const local: number[] = [];
  const empty: number[] = [];
  const timerNext: number[] = [];
  for (let i = 0; i < WARM_UP + count; i++) {
    const r = await ctx.baseline.roundTrips(ROUNDS);
    const l = await ctx.baseline.localRoundTrips(ROUNDS);
    const e = await ctx.baseline.empty();
    const [t] = await ctx.baseline.timers(1, TIMER_IN_MS);
    if (i < WARM_UP) continue;
    remote.push(r);
    local.push(l);
    empty.push(e);
    timerNext.push(t.next);
    if ((i + 1 - WARM_UP) % 20 === 0) ctx.log(`${i + 1 - WARM_UP}/${count}`);
  }
  await ctx.baseline.timers(TIMER_BURST, TIMER_BURST_IN_MS);
  const burst = await ctx.baseline.timers(TIMER_BURST, TIMER_BURST_IN_MS);
  const burstFired = burst.map((b) => b.fired);
  const burstNext = burst.map((b) => b.next);
  return {
    rows: [
      row(`bare, ${ROUNDS} remote activities`, remote, 'client start → last activity begins'),
      row(`bare, ${ROUNDS} local activities`, local, 'client start → last activity begins'),
      row('bare, no activity', empty, 'client start → result'),
      row('bare, timer → next activity', timerNext, 'timer due → the activity it wakes begins'),
      row(
        `bare, ${TIMER_BURST} timers due at once: fired`,
        burstFired,
        'due → TimerFired (server clock)',
      ),
      row(
        `bare, ${TIMER_BURST} timers due at once: next activity`,
        burstNext,
        'due → activity begins',
      ),
    ],
    details: {
      warmUp: WARM_UP,
      remote: summarize(remote),
      local: summarize(local),
      empty: summarize(empty),
      timerNext: summarize(timerNext),
      burstFired: summarize(burstFired),
      burstNext: summarize(burstNext),
      samples: { remote, local, empty, timerNext, burstFired, burstNext },
    },
  };
}
