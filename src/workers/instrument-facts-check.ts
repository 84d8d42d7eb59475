import type { KiteBroker } from '../adapters/kite/client';
import type { Instrument } from '../adapters/kite/types';
import { UNDERLYINGS, type Underlying } from '../config/schema';
import { isMonthlyExpiry } from '../domain/calendar';
import { specOf } from '../domain/instruments';
import { lotSizeOf, type ContractKind } from '../domain/market-facts';
import { parseOptionSymbol } from '../domain/symbols';
import type { Logger } from '../log';

/** One (underlying, expiry, field) where the broker's dump and our table differ. */
export interface FactDisagreement {
  underlying: Underlying;
  expiry: string;
  kind: ContractKind;
  field: 'lotSize' | 'tickSize';
  table: number;
  broker: number;
  /** Contracts of that expiry carrying the broker's value. */
  contracts: number;
}

// Kite names weeklies NIFTY26106... and monthlies NIFTY26JAN...; the calendar decides an odd symbol.
const kindOf = (i: Instrument, underlying: Underlying, expiry: string): ContractKind => {
  const parsed = parseOptionSymbol(i.tradingsymbol);
  const monthly = parsed ? parsed.monthly : isMonthlyExpiry(expiry, underlying);
  return monthly ? 'monthly' : 'weekly';
};

/**
 * Where the dump's lot and tick sizes of the contracts alive on `today`
 * disagree with src/domain/market-facts.ts and the static specs. Live
 * trading uses the dump's values either way; a disagreement means the table
 * is out of date (or the broker changed something the table should know).
 */
export function instrumentFactDisagreements(
  nfo: readonly Instrument[],
  today: string,
): FactDisagreement[] {
  const found = new Map<string, FactDisagreement>();
  for (const i of nfo) {
    const underlying = UNDERLYINGS.find((u) => u === i.name);
    const isOption = i.instrumentType === 'CE' || i.instrumentType === 'PE';
    if (!underlying || !isOption || i.expiry === null || i.expiry < today) continue;
    const kind = kindOf(i, underlying, i.expiry);
    const table = {
      lotSize: lotSizeOf(underlying, i.expiry, kind),
      tickSize: specOf(underlying).tickSize,
    };
    for (const field of ['lotSize', 'tickSize'] as const) {
      if (i[field] === table[field]) continue;
      const key = `${underlying} ${i.expiry} ${field} ${i[field]}`;
      const seen = found.get(key);
      if (seen) seen.contracts++;
      else {
        found.set(key, {
          underlying,
          expiry: i.expiry,
          kind,
          field,
          table: table[field],
          broker: i[field],
          contracts: 1,
        });
      }
    }
  }
  return [...found.values()].sort(
    (a, b) =>
      a.underlying.localeCompare(b.underlying) ||
      a.expiry.localeCompare(b.expiry) ||
      a.field.localeCompare(b.field),
  );
}

/** Reads today's NFO dump and logs a warning per disagreement; the list is for an alert hook. */
export async function checkInstrumentFacts(
  broker: Pick<KiteBroker, 'getInstruments'>,
  today: string,
  logger: Logger,
): Promise<FactDisagreement[]> {
  const found = instrumentFactDisagreements(await broker.getInstruments('NFO'), today);
  for (const d of found) {
    logger.warn(
      d,
      `the broker's instruments dump gives ${d.underlying} ${d.expiry} ${d.field} ${d.broker}, ` +
        `src/domain/market-facts.ts ${d.table}: live trades the dump's; update the table`,
    );
  }
  return found;
}
