import { monthlyExpiryOf } from './calendar';
import type { OptionType, Underlying } from './types';

export interface OptionSymbolParts {
  underlying: Underlying;
  /** YYYY-MM-DD */
  expiry: string;
  strike: number;
  optionType: OptionType;
  /** Monthly contracts use the NIFTY25NOV... form, weeklies NIFTY25N18... */
  monthly: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Kite's one-character weekly month code: 1-9, then O, N, D. */
const WEEKLY_MONTH_CODES = '123456789OND';

export function optionSymbol(p: OptionSymbolParts): string {
  const [yyyy, mm, dd] = p.expiry.split('-');
  const month = Number(mm) - 1;
  const date = p.monthly ? MONTHS[month] : `${WEEKLY_MONTH_CODES[month]}${dd}`;
  return `${p.underlying}${yyyy.slice(2)}${date}${p.strike}${p.optionType}`;
}

// BANKNIFTY and FINNIFTY first so the NIFTY alternative never eats their prefix.
const UNDERLYING_RE = '(BANKNIFTY|FINNIFTY|NIFTY)';
const WEEKLY_RE = new RegExp(
  `^${UNDERLYING_RE}(\\d{2})([1-9OND])(\\d{2})(\\d+(?:\\.\\d+)?)(CE|PE)$`,
);
const MONTHLY_RE = new RegExp(
  `^${UNDERLYING_RE}(\\d{2})(${MONTHS.join('|')})(\\d+(?:\\.\\d+)?)(CE|PE)$`,
);

/** Inverse of optionSymbol; a monthly symbol's expiry comes from the calendar. Null if not an index option. */
export function parseOptionSymbol(symbol: string): OptionSymbolParts | null {
  const weekly = WEEKLY_RE.exec(symbol);
  if (weekly) {
    const [, u, yy, code, dd, strike, type] = weekly;
    const mm = String(WEEKLY_MONTH_CODES.indexOf(code) + 1).padStart(2, '0');
    return {
      underlying: u as Underlying,
      expiry: `20${yy}-${mm}-${dd}`,
      strike: Number(strike),
      optionType: type as OptionType,
      monthly: false,
    };
  }
  const monthly = MONTHLY_RE.exec(symbol);
  if (monthly) {
    const [, u, yy, mon, strike, type] = monthly;
    const mm = String(MONTHS.indexOf(mon) + 1).padStart(2, '0');
    return {
      underlying: u as Underlying,
      expiry: monthlyExpiryOf(`20${yy}-${mm}-01`, u as Underlying),
      strike: Number(strike),
      optionType: type as OptionType,
      monthly: true,
    };
  }
  return null;
}
