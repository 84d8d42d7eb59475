import type { ChargesBreakdown } from '../../domain/charges';
import type { PositionSummary } from '../../workflows/messages';
import { price, table, type Column } from './format';

/** The day's charges per component, as a contract note totals them, and where the rates came from. */
export interface DayCharges extends ChargesBreakdown {
  /** Each distinct source: "NSE/Zerodha as of <dates>" or "config override". */
  rates: string[];
  /** Trades closed before the breakdown existed: in `charges`, not in these components. */
  withoutBreakdown: number;
}

const COMPONENTS = [
  ['brokerage', 'BROKERAGE'],
  ['stt', 'STT'],
  ['exchangeTxn', 'EXCH TXN'],
  ['ipft', 'IPFT'],
  ['sebi', 'SEBI'],
  ['stampDuty', 'STAMP'],
  ['gst', 'GST'],
  ['total', 'TOTAL'],
] as const satisfies readonly [keyof ChargesBreakdown, string][];

const inPaise = (rupees: number) => Math.round(rupees * 100);

/** Sums whole paise per component over the trades that carry a breakdown. */
export function dayCharges(trades: readonly PositionSummary[]): DayCharges {
  const broken = trades.flatMap((t) => (t.chargesBreakdown ? [t.chargesBreakdown] : []));
  const sums = Object.fromEntries(
    COMPONENTS.map(([key]) => [key, broken.reduce((s, b) => s + inPaise(b[key]), 0) / 100]),
  ) as Record<keyof ChargesBreakdown, number>;
  return {
    ...sums,
    rates: [...new Set(broken.map((b) => b.rates))].sort(),
    withoutBreakdown: trades.length - broken.length,
  };
}

interface Row {
  label: string;
  charges?: ChargesBreakdown;
  rates?: string;
}

/** One row per trade and one for the day, each component in its column, with the rates' source. */
export function renderChargesTable(trades: readonly PositionSummary[], day: DayCharges): string {
  const rows: Row[] = [
    ...trades.map((t) => ({
      label: t.positionId,
      charges: t.chargesBreakdown,
      rates: t.chargesBreakdown?.rates ?? 'not recorded',
    })),
    { label: 'day', charges: day, rates: day.rates.join('; ') || undefined },
  ];
  const columns: Column<Row>[] = [
    { header: 'CHARGES', value: (r) => r.label },
    ...COMPONENTS.map(([key, header]): Column<Row> => ({
      header,
      value: (r) => price(r.charges?.[key]),
      align: 'right',
    })),
    { header: 'RATES', value: (r) => r.rates },
  ];
  return table(columns, rows);
}
