import { buildReport, renderReport } from '../../src/client/cli/report';
import type { PositionSummary } from '../../src/workflows/messages';

const summary = (over: Partial<PositionSummary>): PositionSummary => ({
  positionId: 'x',
  outcome: 'WIN',
  strategy: 'rsiReversal',
  underlying: 'NIFTY',
  tradingSymbol: 'NIFTY25N1826000CE',
  quantity: 75,
  entryPrice: 100,
  exitPrice: 110,
  grossPnl: 750,
  charges: 60.1,
  netPnl: 689.9,
  closedAt: 1,
  ...over,
});

describe('buildReport', () => {
  const day = [
    summary({ positionId: 'a', closedAt: 3 }),
    summary({
      positionId: 'b',
      outcome: 'LOSS',
      grossPnl: -300,
      charges: 55.2,
      netPnl: -355.2,
      closedAt: 1,
    }),
    summary({
      positionId: 'c',
      strategy: 'emaCrossover',
      grossPnl: 0.1,
      charges: 0.05,
      netPnl: 0.05,
      closedAt: 2,
    }),
    summary({
      positionId: 'd',
      strategy: 'emaCrossover',
      outcome: 'LOSS',
      grossPnl: -900,
      charges: 50,
      netPnl: -950,
      closedAt: 4,
    }),
    summary({
      positionId: 'r',
      outcome: 'REJECTED',
      quantity: 0,
      grossPnl: 0,
      charges: 0,
      netPnl: 0,
    }),
    summary({
      positionId: 'f',
      outcome: 'ENTRY_FAILED',
      quantity: 0,
      grossPnl: 0,
      charges: 0,
      netPnl: 0,
    }),
  ];

  it('counts trades apart from positions that never filled', () => {
    const r = buildReport('2025-11-18', day);
    expect(r).toMatchObject({
      positions: 6,
      trades: 4,
      rejected: 1,
      entryFailed: 1,
      wins: 2,
      losses: 2,
      winRate: 0.5,
    });
    expect(r.tradeList.map((s) => s.positionId)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('sums P&L in whole paise and names the largest win and loss', () => {
    const r = buildReport('2025-11-18', day);
    expect(r.grossPnl).toBe(-449.9);
    expect(r.charges).toBe(165.35);
    expect(r.netPnl).toBe(-615.25);
    expect(r.largestWin?.positionId).toBe('a');
    expect(r.largestLoss?.positionId).toBe('d');
  });

  it('breaks the day down per strategy', () => {
    expect(buildReport('2025-11-18', day).byStrategy).toEqual([
      {
        strategy: 'emaCrossover',
        trades: 2,
        wins: 1,
        winRate: 0.5,
        grossPnl: -899.9,
        netPnl: -949.95,
      },
      { strategy: 'rsiReversal', trades: 2, wins: 1, winRate: 0.5, grossPnl: 450, netPnl: 334.7 },
    ]);
  });

  it('has no win rate and no extremes on a day without trades', () => {
    const r = buildReport('2025-11-18', [day[4]]);
    expect(r).toMatchObject({
      trades: 0,
      winRate: null,
      netPnl: 0,
      largestWin: undefined,
      largestLoss: undefined,
    });
    expect(renderReport(r, (id) => id)).toMatch(/win rate\s+n\/a/);
  });

  it('renders a table per strategy and per trade with Web UI links', () => {
    const text = renderReport(buildReport('2025-11-18', day), (id) => `ui/${id}`);
    expect(text).toMatch(/net P&L\s+-615\.25/);
    expect(text).toMatch(/^STRATEGY\s+TRADES\s+WIN RATE\s+GROSS\s+NET$/m);
    expect(text).toMatch(/^emaCrossover\s+2\s+50%\s+-899\.90\s+-949\.95$/m);
    expect(text).toContain('ui/pos-a');
  });
});
