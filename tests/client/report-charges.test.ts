import { buildReport, renderReport } from '../../src/client/cli/report';
import { chargesByTradeDate, type DatedFill } from '../../src/domain/charges';
import type { PositionSummary } from '../../src/workflows/messages';

const lot = (entryDate: string, exitDate: string): DatedFill[] => [
  { side: 'BUY', quantity: 65, price: 100, orders: 1, date: entryDate },
  { side: 'SELL', quantity: 65, price: 120, orders: 1, date: exitDate },
];

const trade = (positionId: string, closedAt: number, fills: DatedFill[]): PositionSummary => {
  const chargesBreakdown = chargesByTradeDate(fills);
  return {
    positionId,
    outcome: 'WIN',
    strategy: 'rsiReversal',
    underlying: 'NIFTY',
    tradingSymbol: 'NIFTY26APR25000CE',
    quantity: 65,
    entryPrice: 100,
    exitPrice: 120,
    grossPnl: 1300,
    charges: chargesBreakdown.total,
    chargesBreakdown,
    netPnl: 1300 - chargesBreakdown.total,
    closedAt,
  };
};

describe('trade report charges breakdown', () => {
  // Worked by hand in tests/unit/domain/charges-dated.test.ts: 65.11 on 2026-04-01 alone,
  // 26.54 + 38.58 = 65.12 for an entry on 2026-03-31 closed on 2026-04-01.
  const sameDay = trade('a', 1, lot('2026-04-01', '2026-04-01'));
  const overnight = trade('b', 2, lot('2026-03-31', '2026-04-01'));
  const older: PositionSummary = { ...sameDay, positionId: 'c', closedAt: 3, charges: 61.12 };
  delete older.chargesBreakdown;

  it('sums each component over the day in whole paise and lists the rate sources', () => {
    const r = buildReport('2026-04-01', [sameDay, overnight, older]);
    expect(r.charges).toBe(191.35);
    expect(r.chargesBreakdown).toEqual({
      brokerage: 80,
      stt: 23.4,
      exchangeTxn: 10.16,
      ipft: 0,
      sebi: 0.03,
      stampDuty: 0.4,
      gst: 16.24,
      total: 130.23,
      rates: ['NSE/Zerodha as of 2026-03-31, 2026-04-01', 'NSE/Zerodha as of 2026-04-01'],
      withoutBreakdown: 1,
    });
    // --json prints the report as built: each trade keeps its own breakdown by date.
    const json = JSON.parse(JSON.stringify(r)) as typeof r;
    expect(json.tradeList.find((t) => t.positionId === 'b')?.chargesBreakdown?.byDate).toEqual(
      overnight.chargesBreakdown!.byDate,
    );
  });

  it('renders a row per trade and one for the day, component by component, with the source', () => {
    const text = renderReport(buildReport('2026-04-01', [sameDay, overnight, older]), (id) => id);
    expect(text).toMatch(
      /^CHARGES\s+BROKERAGE\s+STT\s+EXCH TXN\s+IPFT\s+SEBI\s+STAMP\s+GST\s+TOTAL\s+RATES$/m,
    );
    expect(text).toMatch(
      /^a\s+40\.00\s+11\.70\s+5\.08\s+0\.00\s+0\.01\s+0\.20\s+8\.12\s+65\.11\s+NSE\/Zerodha as of 2026-04-01$/m,
    );
    expect(text).toMatch(
      /^b\s+40\.00\s+11\.70\s+5\.08\s+0\.00\s+0\.02\s+0\.20\s+8\.12\s+65\.12\s+NSE\/Zerodha as of 2026-03-31, 2026-04-01$/m,
    );
    expect(text).toMatch(/^c\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+not recorded$/m);
    expect(text).toMatch(
      /^day\s+80\.00\s+23\.40\s+10\.16\s+0\.00\s+0\.03\s+0\.40\s+16\.24\s+130\.23\s/m,
    );
    expect(text).toContain('(1 trade(s) closed before charges were broken down)');
    expect(text).toMatch(
      /^rates\s+NSE\/Zerodha as of 2026-03-31, 2026-04-01; NSE\/Zerodha as of 2026-04-01$/m,
    );
  });

  it('says when the rates were a config override', () => {
    const override = {
      brokeragePerOrder: 20,
      sttSellRate: 0.001,
      sttExerciseRate: 0.00125,
      exchangeTxnRate: 0.0003503,
      sebiPerCrore: 10,
      stampBuyRate: 0.00003,
      gstRate: 0.18,
    };
    const overridden = {
      ...sameDay,
      chargesBreakdown: chargesByTradeDate(lot('2026-04-01', '2026-04-01'), override),
    };
    const r = buildReport('2026-04-01', [overridden]);
    expect(r.chargesBreakdown.rates).toEqual(['config override']);
    expect(renderReport(r, (id) => id)).toMatch(/^rates\s+config override$/m);
  });
});
