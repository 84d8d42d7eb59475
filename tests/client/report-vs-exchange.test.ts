import type { DayReport } from '../../src/client/cli/report';
import { submitSignal } from '../../src/client/submit';
import { fromKiteTime } from '../../src/adapters/kite/kite-time';
import { istDateOf } from '../../src/domain/calendar';
import { chargesByTradeDate } from '../../src/domain/charges';
import { schemeFor, tagsOf } from '../harness/tags';
import { forceExitSignal } from '../../src/workflows/messages';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { newSignal, openPosition, waitForPhase } from '../harness/positions';
import { cliEnv, runCliJson } from './run-cli';

interface KiteOrder {
  tag: string | null;
  transaction_type: 'BUY' | 'SELL';
  filled_quantity: number;
  average_price: number;
  /** Its IST date decides the rates (kiteconnect hands it over as a Date). */
  order_timestamp: Date | string;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** A position's P&L from nothing but the exchange's order book. */
function fromExchange(orders: KiteOrder[], workflowId: string, stack: PaperStack) {
  const { prefix } = tagsOf(workflowId, schemeFor(stack.config));
  const filled = orders.filter((o) => o.tag?.startsWith(prefix) && o.filled_quantity > 0);
  const value = (side: 'BUY' | 'SELL') =>
    filled
      .filter((o) => o.transaction_type === side)
      .reduce((s, o) => s + o.filled_quantity * o.average_price, 0);
  const grossPnl = round2(value('SELL') - value('BUY'));
  const breakdown = chargesByTradeDate(
    filled.map((o) => ({
      side: o.transaction_type,
      quantity: o.filled_quantity,
      price: o.average_price,
      orders: 1,
      date: istDateOf(fromKiteTime(o.order_timestamp)!),
    })),
    stack.config.charges,
  );
  const charges = breakdown.total;
  return { grossPnl, charges, netPnl: round2(grossPnl - charges), breakdown };
}

describe('trade report', () => {
  let stack: PaperStack;
  beforeAll(async () => {
    stack = await startPaperStack();
  });
  afterAll(() => stack.stop());

  it('adds up to the fills the exchange booked and the charges on them', async () => {
    const strategy = `report${Math.random().toString(36).slice(2, 8)}`;
    const win = await openPosition(stack, { strategy });
    await stack.control.pinPrice(win.state.contract!.token, win.state.exits!.target);
    await win.handle.result();
    const loss = await openPosition(stack, { strategy });
    await stack.control.pinPrice(loss.state.contract!.token, loss.state.exits!.stopLoss);
    await loss.handle.result();
    await stack.control.unpin(loss.state.contract!.token);
    const forced = await openPosition(stack, { strategy });
    await forced.handle.signal(forceExitSignal, 'report test');
    await forced.handle.result();
    const weakSignal = newSignal({ strategy, strength: 1 });
    const weak = await submitSignal(stack.client, stack.config, weakSignal);
    await waitForPhase(weak.handle, 'REJECTED');

    const report = await runCliJson<DayReport>(['report'], cliEnv(stack.config));
    const orders = (await stack.kite.getOrders()) as unknown as KiteOrder[];
    const positions = [win, loss, forced];
    const expected = positions.map((p) => fromExchange(orders, p.handle.workflowId, stack));
    const reported = positions.map((p) =>
      report.tradeList.find((t) => t.positionId === p.state.positionId),
    );
    expect(
      reported.map(
        (t) =>
          t && {
            grossPnl: t.grossPnl,
            charges: t.charges,
            netPnl: t.netPnl,
            breakdown: t.chargesBreakdown,
          },
      ),
    ).toEqual(expected);
    // No override in the paper config: the day's trades paid the dated rates.
    expect(report.chargesBreakdown.rates.every((r) => r.startsWith('NSE/Zerodha as of '))).toBe(
      true,
    );
    expect(report.tradeList.map((t) => t.positionId)).not.toContain(weakSignal.id);

    const total = (pick: (e: (typeof expected)[number]) => number) =>
      round2(expected.reduce((s, e) => s + pick(e), 0));
    expect(report.byStrategy.find((s) => s.strategy === strategy)).toEqual({
      strategy,
      trades: 3,
      wins: expected.filter((e) => e.netPnl > 0).length,
      winRate: round2(expected.filter((e) => e.netPnl > 0).length / 3),
      grossPnl: total((e) => e.grossPnl),
      netPnl: total((e) => e.netPnl),
    });
    expect(expected[0]!.netPnl).toBeGreaterThan(0);
    expect(expected[1]!.netPnl).toBeLessThan(0);
  }, 120_000);
});
