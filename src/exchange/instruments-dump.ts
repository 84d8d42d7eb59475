import type { Instrument } from './market/instrument';
import type { Market } from './market/market';

const COLUMNS = [
  'instrument_token',
  'exchange_token',
  'tradingsymbol',
  'name',
  'last_price',
  'expiry',
  'strike',
  'tick_size',
  'lot_size',
  'instrument_type',
  'segment',
  'exchange',
] as const;

/** Quote any field holding a comma or quote, the way Kite's dump does ("NIFTY 50" needs none). */
const csvField = (v: string | number): string => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Kite's instruments CSV for the listed instruments, optionally one exchange only. */
export function instrumentsCsv(market: Market, exchange?: string): string {
  const rows = market.instruments
    .filter((i) => exchange === undefined || i.exchange === exchange)
    .map((i: Instrument) =>
      [
        i.token,
        i.exchangeToken,
        i.tradingsymbol,
        i.name,
        market.quote(i.token)?.close ?? 0,
        i.expiry,
        i.strike,
        i.tickSize,
        i.lotSize,
        i.instrumentType,
        i.segment,
        i.exchange,
      ]
        .map(csvField)
        .join(','),
    );
  // No trailing newline: papaparse (inside kiteconnect) would turn it into an empty row.
  return [COLUMNS.join(','), ...rows].join('\n');
}
