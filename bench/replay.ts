import type { Client } from '@temporalio/client';
import { createAccountActivities } from '../src/activities/account';
import { keyPathToEnvName } from '../src/config/load';
import {
  accountWorkflowId,
  positionStateQuery,
  recordMarksUpdate,
} from '../src/workflows/messages';
import { growTo, startBookStack } from './capacity';
import { samples, type BenchContext } from './lib/context';
import type { OpenPosition } from './lib/open';
import { terminateAll } from './lib/positions';
import { latencyRow, type BenchOutcome } from './lib/report';
import { sleep } from './lib/rendezvous';
import { summarize } from './lib/stats';

/** Days no position of the run trades, so their books hold only what this benchmark puts there. */
const SYNTHETIC_DAY = '2099-01-05';
/** A book of one position: the first task a restarted worker runs, so the full book's replay is timed on a worker already warm. */
const SMALL_DAY = '2099-01-06';
const WARM_RESERVATIONS = 10;
/**
 * A started worker logs that it is up before its pollers reach the server:
 * its first task then took 2.0 s, and 30 ms once the worker had 5 s to
 * settle (quick runs). The benchmark waits, so it times the replay, not the start.
 */
const SETTLE_MS = 5_000;
/**
 * The book continues as new when the server suggests it, which at 2,000
 * open positions and a marks batch of about 66 KB came at about 4.6 MB; a
 * run is measured once it passes this, its largest observed before the
 * roll-over (a scratch run stopped at 3.98 MB, 538 events).
 */
const FULL_RUN_BYTES = 3_900_000;

const timed = async (call: () => Promise<unknown>) => {
  const start = performance.now();
  await call();
  return performance.now() - start;
};

async function queryEach(client: Client, book: readonly OpenPosition[]): Promise<number[]> {
  const out: number[] = [];
  for (const p of book)
    out.push(await timed(() => client.workflow.getHandle(p.workflowId).query(positionStateQuery)));
  return out;
}

/**
 * A book as a full trading day leaves it: `positions` open, then the
 * worker's marks batches (every position's mark each time) until its
 * current run passes `runBytes`.
 */
async function fillSyntheticBook(
  client: Client,
  account: ReturnType<typeof createAccountActivities>,
  positions: number,
  runBytes: number,
) {
  const ids = Array.from({ length: positions }, (_, i) => `replay-bench-${SYNTHETIC_DAY}-${i}`);
  for (let at = 0; at < ids.length; at += 50)
    await Promise.all(
      ids
        .slice(at, at + 50)
        .map((positionId) => account.reserveRisk({ day: SYNTHETIC_DAY, positionId, capital: 1 })),
    );
  const handle = client.workflow.getHandle(accountWorkflowId(SYNTHETIC_DAY));
  for (let round = 0; ((await handle.describe()).historySize ?? 0) < runBytes; round++)
    await handle.executeUpdate(recordMarksUpdate, {
      args: [ids.map((positionId, i) => ({ positionId, unrealisedPnl: -round - i / 100 }))],
    });
  return handle;
}

/**
 * What waking costs once a worker has lost its cache. The worker is
 * stopped (SIGTERM: it drains and exits, as a deploy stops it; a SIGKILL
 * is the failover benchmark's) and started again. Its first task is a
 * reservation on a book of one position (what any first task costs a fresh
 * worker); then the first reservation on a day's book with `bookPositions`
 * open replays that book's current run, and a query of each parked
 * position replays that position. Baselines: the
 * same calls on the same workflows just before, served from the cache. The
 * reconciler runs hourly here so that none of its queries wakes a position
 * before the benchmark's does.
 */
export async function replay(ctx: BenchContext): Promise<BenchOutcome> {
  const size = samples(ctx, 200, 20);
  const bookPositions = samples(ctx, 2_000, 200);
  const restarts = samples(ctx, 3, 1);
  const stack = await startBookStack(ctx, 'replay', undefined, {
    [keyPathToEnvName(['reconcile', 'intervalSeconds'])]: '3600',
  });
  const account = createAccountActivities({
    client: stack.client,
    taskQueue: stack.config.temporal.taskQueue,
    // Room for the measured reservations beside the book's own: a refusal would time the wrong path.
    risk: { ...stack.config.risk, maxOpenPositions: bookPositions + 100 },
  });
  const warm = { positions: [] as number[], book: [] as number[] };
  const cold = { first: [] as number[], positions: [] as number[], book: [] as number[] };
  const bookRuns: { events: number; bytes: number }[] = [];
  try {
    const book: OpenPosition[] = [];
    await growTo(stack, book, size, ctx.log);
    const synthetic = await fillSyntheticBook(
      stack.client,
      account,
      bookPositions,
      ctx.quick ? 500_000 : FULL_RUN_BYTES,
    );
    const reserve = (positionId: string, day = SYNTHETIC_DAY) =>
      timed(async () => {
        const granted = await account.reserveRisk({ day, positionId, capital: 1 });
        if (!granted.ok) throw new Error(`reservation ${positionId} refused: ${granted.reason}`);
      });
    await reserve('small-book', SMALL_DAY);
    for (let r = 0; r < restarts; r++) {
      for (let i = 0; i < WARM_RESERVATIONS; i++) warm.book.push(await reserve(`warm-${r}-${i}`));
      warm.positions.push(...(await queryEach(stack.client, book)));
      const run = await synthetic.describe();
      bookRuns.push({ events: run.historyLength, bytes: run.historySize ?? 0 });
      await stack.worker.stop();
      await stack.worker.start();
      await sleep(SETTLE_MS);
      cold.first.push(await reserve(`cold-${r}`, SMALL_DAY));
      cold.book.push(await reserve(`cold-${r}`));
      cold.positions.push(...(await queryEach(stack.client, book)));
      ctx.log(
        `restart ${r + 1}: book run ${run.historyLength} events, ${run.historySize ?? '?'} bytes → first reservation ${Math.round(cold.book[r])} ms`,
      );
    }
    await synthetic.terminate('bench done');
    await stack.client.workflow.getHandle(accountWorkflowId(SMALL_DAY)).terminate('bench done');
    await terminateAll(stack);
  } finally {
    await stack.stop();
  }
  const runs = bookRuns.map((b) => `${b.events} events / ${(b.bytes / 1e6).toFixed(2)} MB`);
  return {
    rows: [
      latencyRow(
        `first reservation after a worker restart, book at ${bookPositions} open`,
        summarize(cold.book),
        summarize(warm.book),
        'the same book from the cache',
        `book runs replayed: ${runs.join(', ')}`,
      ),
      latencyRow(
        "a restarted worker's first task: a reservation on a book of one position",
        summarize(cold.first),
        summarize(warm.book),
        'a reservation from the cache',
      ),
      latencyRow(
        `query of a parked position after a worker restart (${size} OPEN)`,
        summarize(cold.positions),
        summarize(warm.positions),
        'the same queries from the cache',
      ),
    ],
    details: { size, bookPositions, restarts, warm, cold, bookRuns },
  };
}
