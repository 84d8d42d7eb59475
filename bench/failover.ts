import { performance } from 'node:perf_hooks';
import { growTo, startBookStack, TICK_INTERVAL_MS, USAGE_WINDOW_MS } from './capacity';
import { samples, type BenchContext } from './lib/context';
import type { OpenPosition } from './lib/open';
import { crossingPrice, stopLossPct, terminateAll } from './lib/positions';
import { latencyRow, type BenchOutcome, type Row } from './lib/report';
import { sleep, within } from './lib/rendezvous';
import { summarize } from './lib/stats';
import { measureUsage, startCpuMeter } from './lib/usage';
import { bookHealth, timeoutsAround } from './lib/book-health';
import { byTriggerWorker, forceExits } from './lib/forced-exits';
import { serverRates } from './lib/server-rates';
import { retriesOf, triggerMoves } from './lib/trigger-moves';

/** The bound on moving a dead worker's supervision. */
const MOVED_WITHIN_MS = 15_000;
const MISSED_MS = 60_000;
/** Force exits sent at the kill to the dead worker's positions, and as many to the survivor's. */
const FORCED = 20;
/** The server's work after the kill is read over this window: the time the issue allows a move. */
const AFTER_KILL_RATES_MS = 15_000;

/**
 * Two production workers on one task queue, each with its own ticker
 * connection, share the book; then one is SIGKILLed and, at that instant, a
 * sample of contracts is pinned through its positions' stops. Positions
 * whose trigger waited on the survivor exit at once; the dead worker's are
 * only sold once their trigger has moved (heartbeat timeout, retry, re-arm
 * on the survivor), so the sample's kill → exit times show how long a crash
 * leaves a position unsupervised. Baseline: the bare triggered workflow on
 * the same server afterwards.
 */
export async function failover(ctx: BenchContext): Promise<BenchOutcome> {
  // FAILOVER_SIZE: a smaller book than the 2,000, for a machine that cannot hold it.
  const size = ctx.quick ? 40 : Number(process.env.FAILOVER_SIZE ?? 2000);
  const stack = await startBookStack(ctx, 'failover');
  const rows: Row[] = [];
  const details: Record<string, unknown> = { size, tickIntervalMs: TICK_INTERVAL_MS };
  try {
    const second = await stack.spawnWorker();
    const book: OpenPosition[] = [];
    const started = Date.now();
    const { open } = await growTo(stack, book, size, ctx.log);
    const fillSeconds = Math.round((Date.now() - started) / 1000);
    ctx.log(`${open} OPEN of ${size} across two workers after ${fillSeconds} s`);
    const [first, other, server, serverAtRest] = await Promise.all([
      measureUsage(stack.worker, USAGE_WINDOW_MS),
      measureUsage(second, USAGE_WINDOW_MS),
      measureUsage(ctx.temporal.server, USAGE_WINDOW_MS),
      serverRates(ctx.temporal.metricsUrl, USAGE_WINDOW_MS),
    ]);
    ctx.log(`usage: ${JSON.stringify({ first, other, server })}`);
    ctx.log(`server at rest, per second: ${JSON.stringify(serverAtRest)}`);

    const byToken = new Map<number, OpenPosition[]>();
    for (const p of book) byToken.set(p.token, [...(byToken.get(p.token) ?? []), p]);
    const wanted = Math.max(30, Math.ceil(book.length / 20));
    const chosen: OpenPosition[][] = [];
    for (const positions of byToken.values()) {
      if (chosen.flat().length >= wanted) break;
      chosen.push(positions);
    }
    const crossing = new Set(chosen.flat().map((p) => p.token));
    const forced = await byTriggerWorker(
      stack.client,
      book.filter((p) => !crossing.has(p.token)),
      second.pid!,
      ctx.quick ? 3 : FORCED,
    );
    const serverSpent = startCpuMeter({ server: ctx.temporal.server });
    const killedAt = performance.now();
    const killedAtEpochMs = Date.now();
    await second.kill();
    const serverAfterKill = serverRates(ctx.temporal.metricsUrl, AFTER_KILL_RATES_MS);
    const forcedExits = Promise.all([
      forceExits(stack, forced.on, killedAt, MISSED_MS),
      forceExits(stack, forced.elsewhere, killedAt, MISSED_MS),
    ]);
    const exits = chosen.flatMap((positions) => {
      const price = crossingPrice(
        Math.min(...positions.map((p) => p.entryPrice)),
        stopLossPct(stack),
      );
      void stack.control.pinPrice(positions[0].token, price);
      return positions.map(async (p) => {
        const at = await within(stack.clock.orderReceived(p.exitTag), MISSED_MS);
        return at === undefined ? undefined : at - killedAt;
      });
    });
    const results = await Promise.all(exits);
    const [forcedOnDead, forcedOnSurvivor] = await forcedExits;
    const serverMoving = await serverAfterKill;
    ctx.log(`server after the kill, per second: ${JSON.stringify(serverMoving)}`);
    const spent = serverSpent();
    const serverCpuAfterKillPct =
      Math.round((spent.seconds.server / ((performance.now() - killedAt) / 1000)) * 1000) / 10;
    // A server short of the machine's idle CPU is held by something other than CPU.
    const machineBusyAfterKillPct = spent.machineBusyPct;
    ctx.log(
      `from the kill until every exit or a miss: server CPU ${serverCpuAfterKillPct}%, ` +
        `machine ${machineBusyAfterKillPct}% busy`,
    );
    const sampled = chosen.flat();
    const moves = await triggerMoves(
      stack.client,
      sampled.map((p) => p.workflowId),
      killedAtEpochMs,
    );
    // The survivor's half: its retried trigger's start → the exit order at the exchange.
    const survivorMs = sampled.flatMap((p, i) => {
      const retry = moves.retryStartedAfterKill.get(p.workflowId);
      const exit = results[i];
      return retry === undefined || exit === undefined ? [] : [exit - retry];
    });
    const survivor = summarize(survivorMs);
    const { retried, retryStarted } = retriesOf(moves);
    ctx.log(
      `triggers retried ${retried}: kill → retry started ${JSON.stringify(retryStarted)}, ` +
        `retry started → exit ${JSON.stringify(survivor)}; still pending ${JSON.stringify(moves.pending)}`,
    );
    const accountBook = await bookHealth(stack.client);
    ctx.log(`account book: ${JSON.stringify(accountBook)}`);
    const moved = results.filter((r): r is number => r !== undefined);
    const bare: number[] = [];
    for (let i = 0; i < samples(ctx, 20); i++) bare.push(await ctx.baseline.triggered());
    const real = summarize(moved);
    const base = summarize(bare);
    const slow = moved.filter((m) => m > MOVED_WITHIN_MS).length;
    const missed = results.length - moved.length;
    const forcedDead = arrived(forcedOnDead);
    const forcedLive = arrived(forcedOnSurvivor);
    details.result = {
      open,
      fillSeconds,
      first,
      other,
      server,
      serverAtRest,
      serverCpuAfterKillPct,
      machineBusyAfterKillPct,
      serverAfterKill: serverMoving,
      real,
      base,
      slow,
      missed,
      accountBook,
      retried,
      retryStarted,
      retryToExit: survivor,
      pending: moves.pending,
      forcedOnKilledWorker: { ...summarize(forcedDead.ms), missed: forcedDead.missed },
      forcedOnSurvivor: { ...summarize(forcedLive.ms), missed: forcedLive.missed },
    };
    rows.push(
      {
        metric: 'failover: positions OPEN across two workers',
        unit: 'positions',
        value: open,
        baseline: `asked ${size}`,
        ratio: null,
        note: `filled in ${fillSeconds} s`,
      },
      {
        metric: 'failover: account book workflow tasks timed out / failed',
        unit: 'tasks',
        value: accountBook.taskTimeouts + accountBook.taskFailures,
        baseline: `${accountBook.runs} runs, longest ${accountBook.longestRun.events} events`,
        ratio: null,
        note: `timed out ${accountBook.taskTimeouts} (${timeoutsAround(accountBook, killedAtEpochMs)}), failed ${accountBook.taskFailures}; longest run ${Math.round(accountBook.longestRun.bytes / 1024)} KiB`,
      },
      {
        metric: 'failover: worker RSS (each)',
        unit: 'MiB',
        value: Math.max(first.workerRssMiB, other.workerRssMiB),
        baseline: `${first.workerRssMiB} and ${other.workerRssMiB}`,
        ratio: null,
        note: `CPU ${first.workerCpuPct}% and ${other.workerCpuPct}% of a core; Temporal server ${server.workerCpuPct}%, ${server.workerRssMiB} MiB`,
      },
      latencyRow(
        'failover: SIGKILL of one worker → exit order, crossings at the kill',
        real,
        base,
        'bare triggered workflow',
        `${moved.length} exits; over ${MOVED_WITHIN_MS / 1000} s ${slow}, missed ${missed}; ` +
          `${retried} retried: kill → retry started ${retryStarted.median} / ${retryStarted.p99} ms, ` +
          `retry started → exit ${survivor.median} / ${survivor.p99} ms`,
      ),
      latencyRow(
        "failover: force exit sent at the kill → exit order, the killed worker's positions",
        summarize(forcedDead.ms),
        summarize(forcedLive.ms),
        "the same sent to the survivor's positions",
        `over ${MOVED_WITHIN_MS / 1000} s ${forcedDead.ms.filter((m) => m > MOVED_WITHIN_MS).length}, ` +
          `missed ${forcedDead.missed} (survivor's missed ${forcedLive.missed})`,
      ),
    );
    await sleep(3_000);
  } finally {
    await terminateAll(stack);
    await stack.stop();
  }
  return { rows, details };
}

const arrived = (times: (number | undefined)[]) => {
  const ms = times.filter((t): t is number => t !== undefined);
  return { ms, missed: times.length - ms.length };
};
