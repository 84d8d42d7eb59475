import type { Command } from 'commander';
import { positionWorkflowId, type PositionSummary } from '../../workflows/messages';
import type { positionWorkflow } from '../../workflows/position';
import { keyValues, money, price, table } from './format';
import { withContext } from './context';
import { checkIstDay, istDayClause, listPositions, todayIst } from './positions';
import { dayCharges, renderChargesTable, type DayCharges } from './report-charges';

export interface StrategyStats {
  strategy: string;
  trades: number;
  wins: number;
  winRate: number | null;
  grossPnl: number;
  netPnl: number;
}

export interface DayReport {
  day: string;
  positions: number;
  trades: number;
  rejected: number;
  entryFailed: number;
  wins: number;
  losses: number;
  /** Wins over trades that filled; null on a day without trades. */
  winRate: number | null;
  grossPnl: number;
  charges: number;
  /** Per component, summed over the day's trades; each trade's own is in tradeList. */
  chargesBreakdown: DayCharges;
  netPnl: number;
  byStrategy: StrategyStats[];
  largestWin?: PositionSummary;
  largestLoss?: PositionSummary;
  tradeList: PositionSummary[];
  /** signals-only positions, reported apart: nothing of them was ever placed. */
  simulated?: Omit<DayReport, 'simulated'>;
}

/** Sums of prices drift in binary floating point; reports speak in whole paise. */
const paise = (value: number) => Math.round(value * 100) / 100;
const sum = (xs: PositionSummary[], pick: (s: PositionSummary) => number) =>
  paise(xs.reduce((acc, s) => acc + pick(s), 0));
const rate = (wins: number, trades: number) => (trades === 0 ? null : paise(wins / trades));
const isTrade = (s: PositionSummary) =>
  s.outcome === 'WIN' || s.outcome === 'LOSS' || s.outcome === 'FLAT';

/**
 * The day's figures from the summaries its position workflows returned, the
 * simulated (signals-only) ones apart so they never mix with real money. Pure.
 */
export function buildReport(day: string, summaries: PositionSummary[]): DayReport {
  const simulated = summaries.filter((s) => s.simulated);
  return {
    ...figures(
      day,
      summaries.filter((s) => !s.simulated),
    ),
    ...(simulated.length > 0 && { simulated: figures(day, simulated) }),
  };
}

function figures(day: string, summaries: PositionSummary[]): Omit<DayReport, 'simulated'> {
  const trades = summaries.filter(isTrade).sort((a, b) => a.closedAt - b.closedAt);
  const wins = trades.filter((s) => s.outcome === 'WIN').length;
  const strategies = [...new Set(trades.map((s) => s.strategy))].sort();
  const byNet = [...trades].sort((a, b) => b.netPnl - a.netPnl);
  return {
    day,
    positions: summaries.length,
    trades: trades.length,
    rejected: summaries.filter((s) => s.outcome === 'REJECTED').length,
    entryFailed: summaries.filter((s) => s.outcome === 'ENTRY_FAILED').length,
    wins,
    losses: trades.filter((s) => s.outcome === 'LOSS').length,
    winRate: rate(wins, trades.length),
    grossPnl: sum(trades, (s) => s.grossPnl),
    charges: sum(trades, (s) => s.charges),
    chargesBreakdown: dayCharges(trades),
    netPnl: sum(trades, (s) => s.netPnl),
    byStrategy: strategies.map((strategy) => {
      const mine = trades.filter((s) => s.strategy === strategy);
      const myWins = mine.filter((s) => s.outcome === 'WIN').length;
      return {
        strategy,
        trades: mine.length,
        wins: myWins,
        winRate: rate(myWins, mine.length),
        grossPnl: sum(mine, (s) => s.grossPnl),
        netPnl: sum(mine, (s) => s.netPnl),
      };
    }),
    largestWin: byNet.find((s) => s.netPnl > 0),
    largestLoss: byNet.reverse().find((s) => s.netPnl < 0),
    tradeList: trades,
  };
}

const pct = (r: number | null) => (r === null ? undefined : `${(r * 100).toFixed(0)}%`);
const best = (s: PositionSummary | undefined) =>
  s && `${money(s.netPnl)} ${s.positionId} (${s.strategy}, ${s.tradingSymbol ?? s.underlying})`;

export function renderReport(r: DayReport, uiUrl: (workflowId: string) => string): string {
  const real = renderFigures(r, uiUrl);
  if (!r.simulated) return real;
  return [
    real,
    '',
    'SIMULATED (signals-only: nothing below was placed; fills at the quote of the moment)',
    renderFigures(r.simulated, uiUrl),
  ].join('\n');
}

function renderFigures(
  r: Omit<DayReport, 'simulated'>,
  uiUrl: (workflowId: string) => string,
): string {
  const head = keyValues([
    ['day (IST)', r.day],
    ['positions', r.positions],
    ['trades', r.trades],
    ['rejected', r.rejected],
    ['entry failed', r.entryFailed],
    ['win rate', pct(r.winRate) ?? 'n/a'],
    ['gross P&L', money(r.grossPnl)],
    ['charges', price(r.charges)],
    ['rates', r.chargesBreakdown.rates.join('; ') || undefined],
    ['net P&L', money(r.netPnl)],
    ['largest win', best(r.largestWin)],
    ['largest loss', best(r.largestLoss)],
  ]);
  if (r.trades === 0) return head;
  const strategies = table(
    [
      { header: 'STRATEGY', value: (s: StrategyStats) => s.strategy },
      { header: 'TRADES', value: (s) => s.trades, align: 'right' },
      { header: 'WIN RATE', value: (s) => pct(s.winRate), align: 'right' },
      { header: 'GROSS', value: (s) => money(s.grossPnl), align: 'right' },
      { header: 'NET', value: (s) => money(s.netPnl), align: 'right' },
    ],
    r.byStrategy,
  );
  const trades = table(
    [
      { header: 'POSITION', value: (s: PositionSummary) => s.positionId },
      { header: 'STRATEGY', value: (s) => s.strategy },
      { header: 'SYMBOL', value: (s) => s.tradingSymbol },
      { header: 'QTY', value: (s) => s.quantity, align: 'right' },
      { header: 'ENTRY', value: (s) => price(s.entryPrice), align: 'right' },
      { header: 'EXIT', value: (s) => price(s.exitPrice), align: 'right' },
      { header: 'GROSS', value: (s) => money(s.grossPnl), align: 'right' },
      { header: 'CHARGES', value: (s) => price(s.charges), align: 'right' },
      {
        header: 'BROKER CHARGES',
        value: (s) => price(s.brokerCharges?.total),
        align: 'right',
      },
      { header: 'NET', value: (s) => money(s.netPnl), align: 'right' },
      { header: 'OUTCOME', value: (s) => s.outcome },
      { header: 'WEB UI', value: (s) => uiUrl(positionWorkflowId(s.positionId)) },
    ],
    r.tradeList,
  );
  const missing = r.chargesBreakdown.withoutBreakdown;
  const charges = [
    renderChargesTable(r.tradeList, r.chargesBreakdown),
    ...(missing > 0 ? [`(${missing} trade(s) closed before charges were broken down)`] : []),
  ].join('\n');
  return [head, '', strategies, '', trades, '', charges].join('\n');
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      "the day's closed positions: trades, win rate, P&L, per strategy, charges per component",
    )
    .option('--date <YYYY-MM-DD>', 'IST day (default: today)')
    .action((opts: { date?: string }, cmd: Command) => {
      const day = opts.date === undefined ? todayIst() : checkIstDay(opts.date, '--date');
      return withContext(cmd, async ({ client, out, uiUrl }) => {
        // Completed only: a continued-as-new run is not a close, and a running one has no summary yet.
        const rows = await listPositions(client, [
          `ExecutionStatus = 'Completed'`,
          istDayClause(day),
        ]);
        const summaries = await Promise.all(
          rows.map((row) =>
            client.workflow.getHandle<typeof positionWorkflow>(row.workflowId).result(),
          ),
        );
        const report = buildReport(day, summaries);
        const links = Object.fromEntries(
          rows.map((row) => [row.workflowId, uiUrl(row.workflowId)]),
        );
        out.emit({ ...report, links }, () => renderReport(report, uiUrl));
      });
    });
}
