import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { samples, type BenchContext } from './lib/context';
import { openBatch, type OpenPosition } from './lib/open';
import { crossingPrice, stopLossPct, VARIANTS } from './lib/positions';
import type { BenchOutcome } from './lib/report';
import { startBenchStack, type BenchStack } from './lib/stack';
import { ratio, summarize } from './lib/stats';
import { waitForPhase, waitForState } from '../tests/harness/positions';
import { forceExitSignal } from '../src/workflows/messages';
import type { positionWorkflow } from '../src/workflows/position';

type Lifecycle = 'stop' | 'target' | 'trailing' | 'forceExit';
const LIFECYCLES: Lifecycle[] = ['stop', 'target', 'trailing', 'forceExit'];

const tick = (price: number) => Math.round(price * 20) / 20;
/** The smallest tick at or above `price`, so a print reaches the grid level it aims at. */
const tickUp = (price: number) => Math.ceil(Math.round(price * 2000) / 100) / 20;
const RATCHETS = 6;

/** Drives one open position to flat the way `kind` says; answers how many times its stop ratcheted. */
async function drive(stack: BenchStack, p: OpenPosition, kind: Lifecycle): Promise<number> {
  const handle: WorkflowHandle<typeof positionWorkflow> = stack.client.workflow.getHandle(
    p.workflowId,
  );
  await stack.clock.published(p.token);
  if (kind === 'forceExit') await handle.signal(forceExitSignal, 'bench');
  if (kind === 'target') await stack.control.pinPrice(p.token, tick(p.entryPrice * 1.6));
  let ratchets = 0;
  if (kind === 'trailing') {
    // Up the trailing stop's own grid from its activation, short of the target: one
    // ratchet per print. Fixed percentages did not ratchet every time on a cheap
    // option (an entry at 1.70: +36% and +31% both round to the same grid level).
    const { exits } = await waitForState(handle, (s) => s.exits?.trailing !== undefined);
    const { activationPrice, step } = exits!.trailing!;
    for (let k = 0; k < RATCHETS; k++) {
      const price = tickUp(activationPrice + k * step);
      if (price >= exits!.target) break;
      const before = (await waitForState(handle, () => true)).stopHistory.length;
      await stack.control.pinPrice(p.token, price);
      await waitForState(handle, (s) => s.stopHistory.length > before);
      ratchets++;
    }
  }
  if (kind === 'stop' || kind === 'trailing')
    await stack.control.pinPrice(p.token, crossingPrice(p.entryPrice, stopLossPct(stack)));
  await waitForPhase(handle, 'CLOSED');
  await stack.control.unpin(p.token);
  return ratchets;
}

/**
 * Events in a position's history for each way a position ends, counted from
 * the server. Baseline: a bare workflow making as many activity calls as the
 * typical (stop-loss) lifecycle does.
 */
export async function historySize(ctx: BenchContext): Promise<BenchOutcome> {
  const stack = await startBenchStack(ctx, { name: 'history-size', tickIntervalMs: 200 });
  const rounds = samples(ctx, 5, 1);
  const events: Record<Lifecycle, number[]> = { stop: [], target: [], trailing: [], forceExit: [] };
  const ratchets: number[] = [];
  let stopActivities = 0;
  let stopBreakdown: Record<string, number> = {};
  try {
    for (let r = 0; r < rounds; r++) {
      const batch = await openBatch(
        stack,
        LIFECYCLES.map((_, i) => VARIANTS[(r * LIFECYCLES.length + i) % VARIANTS.length]),
      );
      for (const p of batch)
        await waitForPhase(stack.client.workflow.getHandle(p.workflowId), 'OPEN');
      for (const [i, p] of batch.entries()) {
        const kind = LIFECYCLES[i];
        const ratcheted = await drive(stack, p, kind);
        if (kind === 'trailing') ratchets.push(ratcheted);
        const history = await stack.client.workflow.getHandle(p.workflowId).fetchHistory();
        const types = (history.events ?? []).map(
          (e) => temporal.api.enums.v1.EventType[e.eventType ?? 0],
        );
        events[kind].push(types.length);
        if (kind === 'stop') {
          stopActivities = types.filter((t) => t === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED').length;
          stopBreakdown = {};
          for (const t of types) stopBreakdown[t] = (stopBreakdown[t] ?? 0) + 1;
        }
      }
      ctx.log(`round ${r + 1}/${rounds}: ${JSON.stringify(events)}`);
    }
  } finally {
    await stack.stop();
  }
  const bareEvents = await ctx.baseline.roundTripsHistory(stopActivities);
  const typical = summarize(events.stop);
  const all = Object.values(events).flat();
  const max = Math.max(...all);
  return {
    rows: [
      {
        metric: 'history: events per lifecycle (entry → stop-loss exit)',
        unit: 'events',
        n: typical.n,
        median: typical.median,
        p99: typical.p99,
        baseline: `bare workflow with the same ${stopActivities} activity calls: ${bareEvents} events`,
        ratio: ratio(typical.median, bareEvents),
      },
      {
        metric: 'history: maximum seen',
        unit: 'events',
        value: max,
        baseline: `bare workflow: ${bareEvents} events`,
        ratio: ratio(max, bareEvents),
        note:
          Object.entries(events)
            .map(([k, v]) => `${k} ${summarize(v).median}`)
            .join(', ') + `; trailing ratchets ${summarize(ratchets).median}`,
      },
    ],
    details: { events, ratchets, stopActivities, stopBreakdown, bareEvents: bareEvents },
  };
}
