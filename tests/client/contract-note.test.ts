import { contractNoteBreakdown, parseContractNote } from '../../src/adapters/kite/contract-note';
import { fromKiteTime } from '../../src/adapters/kite/kite-time';
import type { DayReport } from '../../src/client/cli/report';
import { istDateOf } from '../../src/domain/calendar';
import { freezeQtyOn } from '../../src/domain/market-facts';
import { forceExitSignal } from '../../src/workflows/messages';
import { atmOption } from '../exchange/helpers';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { openPosition } from '../harness/positions';
import { schemeFor, tagsOf } from '../harness/tags';
import { cliEnv, runCliJson } from './run-cli';

interface KiteOrder {
  order_id: string;
  tag: string | null;
  exchange: 'NFO';
  tradingsymbol: string;
  transaction_type: 'BUY' | 'SELL';
  product: 'MIS' | 'NRML';
  order_type: 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
  filled_quantity: number;
  average_price: number;
  order_timestamp: Date | string;
}

const paise = (rupees: number) => Math.round(rupees * 100);

/**
 * The charges `trade report --json` shows for a trade are the broker's: the
 * paper exchange's virtual contract note (POST /charges/orders, through the
 * official kiteconnect client) for the same orders agrees to the paisa,
 * component by component. The stack trades at the wall-clock date, past
 * 2026-04-01, so STT is 0.15% of the sold premium (NSE FATAX73524).
 */
describe('charges against the contract note', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());

  it("a closed trade's report charges equal the exchange's virtual contract note to the paisa", async () => {
    const strategy = `note${Math.random().toString(36).slice(2, 8)}`;
    const position = await openPosition(stack, { strategy });
    await position.handle.signal(forceExitSignal, 'contract note test');
    await position.handle.result();

    const report = await runCliJson<DayReport>(['report'], cliEnv(stack.config));
    const trade = report.tradeList.find((t) => t.positionId === position.state.positionId);
    const breakdown = trade?.chargesBreakdown;
    expect(breakdown).toBeDefined();
    expect(Object.keys(breakdown!).sort()).toEqual(
      [
        'brokerage',
        'byDate',
        'exchangeTxn',
        'gst',
        'ipft',
        'rates',
        'sebi',
        'stampDuty',
        'stt',
        'total',
      ].sort(),
    );

    const { prefix } = tagsOf(position.handle.workflowId, schemeFor(stack.config));
    const orders = ((await stack.kite.getOrders()) as unknown as KiteOrder[]).filter(
      (o) => o.tag?.startsWith(prefix) && o.filled_quantity > 0,
    );
    expect(orders.map((o) => o.transaction_type).sort()).toEqual(['BUY', 'SELL']);
    const soldPremium = orders
      .filter((o) => o.transaction_type === 'SELL')
      .reduce((s, o) => s + o.filled_quantity * paise(o.average_price), 0);
    // 0.15% of the sold premium, half a paisa up: paise x 15 / 10,000.
    expect(paise(breakdown!.stt)).toBe(Math.floor((soldPremium * 15 + 5_000) / 10_000));

    const asked = orders.map((o) => ({
      orderId: o.order_id,
      exchange: o.exchange,
      tradingsymbol: o.tradingsymbol,
      transactionType: o.transaction_type,
      product: o.product,
      orderType: o.order_type,
      quantity: o.filled_quantity,
      averagePrice: o.average_price,
    }));
    const note = await stack.kite.getvirtualContractNote(
      asked.map((o) => ({
        order_id: o.orderId,
        exchange: o.exchange,
        tradingsymbol: o.tradingsymbol,
        transaction_type: o.transactionType,
        variety: 'regular',
        product: o.product,
        order_type: o.orderType,
        quantity: o.quantity,
        average_price: o.averagePrice,
      })),
    );
    const dates = [...new Set(orders.map((o) => istDateOf(fromKiteTime(o.order_timestamp)!)))];
    expect(dates).toHaveLength(1);
    const broker = contractNoteBreakdown(parseContractNote(asked, note));
    // Kite shows IPFT inside its exchange charge: compare ours as one line.
    const { rates, byDate, ...ours } = breakdown!;
    expect(rates).toBe(`NSE/Zerodha as of ${dates[0]}`);
    expect(byDate).toHaveLength(1);
    expect(broker).toEqual({
      ...ours,
      exchangeTxn: (paise(ours.exchangeTxn) + paise(ours.ipft)) / 100,
      ipft: 0,
    });
    expect(broker.total).toBe(trade!.charges);
  }, 120_000);

  it("refuses an order over BANKNIFTY's freeze limit of the day, before it reaches the book", async () => {
    const ce = await atmOption(stack.kite, 'BANKNIFTY');
    const lot = Number(ce.lot_size);
    const limit = freezeQtyOn('BANKNIFTY', istDateOf(Date.now()));
    const over = (Math.floor(limit / lot) + 1) * lot;
    const before = ((await stack.kite.getOrders()) as unknown as KiteOrder[]).length;
    await expect(
      stack.kite.placeOrder('regular', {
        exchange: 'NFO',
        tradingsymbol: ce.tradingsymbol,
        transaction_type: 'BUY',
        quantity: over,
        product: 'NRML',
        order_type: 'LIMIT',
        price: 0.05,
      } as never),
    ).rejects.toMatchObject({
      error_type: 'InputException',
      message: `The order quantity ${over} (${over / lot} lots) is higher than the maximum quantity of ${limit} (${Math.floor(limit / lot)} lots) allowed by the exchanges. Please reduce the order quantity or use iceberg orders.`,
    });
    expect(((await stack.kite.getOrders()) as unknown as KiteOrder[]).length).toBe(before);
  });
});
