import type { KiteBroker } from '../adapters/kite/client';
import type { Config } from '../config/schema';
import { chargeRatesOn, holidayCoverage } from '../domain/market-facts';
import type { Logger } from '../log';
import { checkInstrumentFacts, type FactDisagreement } from './instrument-facts-check';

export interface Notice {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

type Facts = Pick<Config, 'charges' | 'session'>;

const nextYearStart = (today: string) => `${Number(today.slice(0, 4)) + 1}-01-01`;

/** What a worker starting on `today` says about the charge rates and the holiday list. Pure. */
export function marketFactsNotices(config: Facts, today: string): Notice[] {
  const notices: Notice[] = [
    config.charges
      ? {
          level: 'warn',
          message:
            'charges: the config override replaces the dated NSE/Zerodha rates for every trade date',
          fields: { rates: 'config override', override: config.charges },
        }
      : {
          level: 'info',
          message: `charges: NSE/Zerodha rates in force on each trade date (src/domain/market-facts.ts)`,
          fields: { rates: `NSE/Zerodha as of ${today}`, today: chargeRatesOn(today) },
        },
  ];
  if (config.session.calendar !== 'ist-hours') return notices;
  const refuse = config.session.unknownHolidayYears === 'refuse';
  // In December, next year's list matters too: a worker started now runs into it.
  const days = today.slice(5, 7) === '12' ? [today, nextYearStart(today)] : [today];
  for (const day of days) {
    const coverage = holidayCoverage(day);
    if (coverage.status === 'published') continue;
    const from = day === today ? 'today' : `from ${day}`;
    notices.push({
      level: refuse ? 'error' : 'warn',
      message: refuse
        ? `${coverage.message}; live entries are refused ${from}`
        : `${coverage.message}; paper trading goes on ${from} with only the listed holidays closed`,
      fields: { year: coverage.year, status: coverage.status },
    });
  }
  return notices;
}

/**
 * Logs the notices at worker start and, in live mode, compares the broker's
 * instruments dump with the table (in the background: the first chain reads
 * the same cached dump). Returns the dump's disagreements for an alert hook.
 */
export async function reportMarketFacts(options: {
  config: Pick<Config, 'charges' | 'session' | 'broker'>;
  broker: Pick<KiteBroker, 'getInstruments'>;
  logger: Logger;
  today: string;
}): Promise<FactDisagreement[]> {
  const { config, broker, logger, today } = options;
  for (const n of marketFactsNotices(config, today)) logger[n.level](n.fields, n.message);
  if (config.broker.mode !== 'live') return [];
  try {
    return await checkInstrumentFacts(broker, today, logger);
  } catch (err) {
    logger.warn({ err }, 'could not compare the instruments dump with src/domain/market-facts.ts');
    return [];
  }
}
