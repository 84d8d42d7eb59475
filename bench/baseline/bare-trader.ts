import readline from 'node:readline';
import { createKiteBroker } from '../../src/adapters/kite/client';
import { createTicker } from '../../src/adapters/kite/ticker';
import { PAPER_CREDENTIALS } from '../../src/config/secrets';

/**
 * The floor of tick → exit without Temporal or any of our checks: its own
 * process, the same ticker client and Kite adapter as the worker, and an
 * order sent the moment a tick crosses. Armed by one JSON line on stdin
 * ({token, below, tag, tradingsymbol}); answers each order's id on stdout.
 * The order is a far-off limit buy, so it reaches the matching engine and
 * never fills: the book the benchmark measures stays as it was.
 *
 * Usage: tsx bench/baseline/bare-trader.ts <restUrl> <tickerUrl>
 */
interface Arm {
  token: number;
  below: number;
  tag: string;
  tradingsymbol: string;
  quantity: number;
}

const [restUrl, tickerUrl] = process.argv.slice(2);
const credentials = {
  apiKey: PAPER_CREDENTIALS.apiKey,
  accessToken: PAPER_CREDENTIALS.accessToken,
};
const broker = createKiteBroker({ restUrl, timeoutMs: 7_000, ...credentials });
const ticker = createTicker({ url: tickerUrl, ...credentials });
let armed: Arm | undefined;

ticker.on('tick', (tick) => {
  const arm = armed;
  if (!arm || tick.token !== arm.token || tick.ltp > arm.below) return;
  armed = undefined;
  broker
    .placeOrder({
      tag: arm.tag,
      tradingsymbol: arm.tradingsymbol,
      exchange: 'NFO',
      transactionType: 'BUY',
      quantity: arm.quantity,
      product: 'MIS',
      orderType: 'LIMIT',
      price: 0.05,
    })
    .then(
      async (orderId) => {
        await broker.cancelOrder(orderId);
        process.stdout.write(`${JSON.stringify({ tag: arm.tag, orderId })}\n`);
      },
      (err: Error) =>
        process.stdout.write(`${JSON.stringify({ tag: arm.tag, error: err.message })}\n`),
    );
});
ticker.on('connect', () => process.stdout.write(`${JSON.stringify({ ready: true })}\n`));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const arm = JSON.parse(line) as Arm;
  ticker.subscribe([arm.token], 'full');
  armed = arm;
});
