import { samples, type BenchContext } from './lib/context';
import { openBatch, type OpenPosition } from './lib/open';
import { latencyRow, type BenchOutcome } from './lib/report';
import { within } from './lib/rendezvous';
import { startBenchStack, type BenchStack } from './lib/stack';
import { summarize } from './lib/stats';
import { crossingPrice, stopLossPct, VARIANTS } from './lib/positions';
import { waitForPhase } from '../tests/harness/positions';
import { BareTrader } from './lib/bare-trader';

const BATCH = 20;

/** Pins `token` at `price` and times the exchange's crossing tick to the order tagged `tag`. */
async function timeCrossing(
  stack: BenchStack,
  token: number,
  price: number,
  tag: string,
): Promise<number | undefined> {
  const crossed = within(stack.clock.crossingPublished(token, price), 10_000);
  const received = within(stack.clock.orderReceived(tag), 10_000);
  await stack.control.pinPrice(token, price);
  const [tick, order] = await Promise.all([crossed, received]);
  return order === undefined || tick === undefined ? undefined : order - tick;
}

/** Pins one position's contract through its stop and times the exchange's tick to its exit order. */
export async function timeExit(stack: BenchStack, p: OpenPosition): Promise<number | undefined> {
  // A tick going out for the token means the worker's hub is subscribed: the trigger is armed.
  await within(stack.clock.published(p.token), 10_000);
  return timeCrossing(stack, p.token, crossingPrice(p.entryPrice, stopLossPct(stack)), p.exitTag);
}

/**
 * The same crossing for the bare trader (bench/baseline/bare-trader.ts): the
 * contract pinned through the same level, timed from the tick to its order.
 */
async function timeBareOrder(
  stack: BenchStack,
  trader: BareTrader,
  p: OpenPosition,
  contract: { tradingSymbol: string; lotSize: number },
): Promise<number | undefined> {
  const price = crossingPrice(p.entryPrice, stopLossPct(stack));
  const tag = `bare${p.exitTag.slice(-12)}`;
  const answered = trader.arm({
    token: p.token,
    below: price,
    tag,
    tradingsymbol: contract.tradingSymbol,
    quantity: contract.lotSize,
  });
  // Two publishes: the first may predate the trader's subscription reaching the exchange.
  await stack.clock.published(p.token);
  await stack.clock.published(p.token);
  const latency = await timeCrossing(stack, p.token, price, tag);
  await within(answered, 10_000);
  return latency;
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
  const floor: number[] = [];
  let missed = 0;
  let sharedContract = 0;
  let closedByTheFeed = 0;
  const trader = await BareTrader.start(stack.exchange.restUrl, stack.exchange.tickerUrl);
  try {
    for (let done = 0; done < count; done += BATCH) {
      const variants = Array.from(
        { length: Math.min(BATCH, count - done) },
        (_, i) => VARIANTS[(done + i) % VARIANTS.length],
      );
      const opened = await openBatch(stack, variants);
      const contracts = new Map<string, { tradingSymbol: string; lotSize: number }>();
      for (const p of opened) {
        const seen = await waitForPhase(
          stack.client.workflow.getHandle(p.workflowId),
          'OPEN',
          'CLOSED',
        );
        // A stop a tick or two under a premium of a rupee or less can cross on the feed's own noise.
        if (seen.phase === 'CLOSED') closedByTheFeed++;
        else contracts.set(p.workflowId, seen.contract!);
      }
      const batch = opened.filter((p) => contracts.has(p.workflowId));
      // Two strike rules can pick one contract (the chain is the day's); the first pin
      // sells both, and no tick goes out for the contract after, so only the first is timed.
      const pinned = new Set<number>();
      for (const p of batch) {
        if (pinned.has(p.token)) {
          sharedContract++;
          continue;
        }
        pinned.add(p.token);
        const latency = await timeExit(stack, p);
        if (latency === undefined) missed++;
        else latencies.push(latency);
        bare.push(await ctx.baseline.triggered());
      }
      for (const p of batch) {
        await waitForPhase(stack.client.workflow.getHandle(p.workflowId), 'CLOSED');
        await stack.control.unpin(p.token);
      }
      for (const p of batch) {
        const latency = await timeBareOrder(stack, trader, p, contracts.get(p.workflowId)!);
        if (latency !== undefined) floor.push(latency);
        await stack.control.unpin(p.token);
      }
      ctx.log(`${done + batch.length}/${count}`);
    }
  } finally {
    trader.stop();
    await stack.stop();
  }
  const real = summarize(latencies);
  const base = summarize(bare);
  const bareOrder = summarize(floor);
  return {
    rows: [
      latencyRow(
        'tick → exit order',
        real,
        base,
        'bare workflow, activity released → next activity',
        [
          missed ? `${missed} missed (no exit in 10 s)` : '',
          sharedContract
            ? `${sharedContract} sold by an earlier pin on their contract, not timed`
            : '',
          closedByTheFeed
            ? `${closedByTheFeed} crossed their stop on the feed before the pin, not timed`
            : '',
        ]
          .filter(Boolean)
          .join('; ') || undefined,
      ),
      latencyRow(
        'tick → exit order, against no Temporal at all',
        real,
        bareOrder,
        'another process with the same ticker client and Kite adapter, ordering on the crossing tick',
      ),
    ],
    details: {
      real,
      baseline: base,
      bareOrder,
      missed,
      sharedContract,
      closedByTheFeed,
      batch: BATCH,
    },
  };
}
