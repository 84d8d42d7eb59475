import { Writable } from 'node:stream';
import pino from 'pino';
import type { Instrument } from '../../src/adapters/kite/types';
import type { SessionConfig } from '../../src/domain/session';
import { listInstruments } from '../../src/exchange/market/instrument';
import {
  checkInstrumentFacts,
  instrumentFactDisagreements,
} from '../../src/workers/instrument-facts-check';
import { marketFactsNotices } from '../../src/workers/market-facts-notices';

const TODAY = '2026-12-02';
const SPOTS = { NIFTY: 25_900, BANKNIFTY: 58_500, FINNIFTY: 27_400 };

/** The paper exchange's dump for `today`, as the Kite adapter reads it. */
const paperDump = (today: string): Instrument[] =>
  listInstruments(SPOTS, today, 2).map((i) => ({
    token: i.token,
    tradingsymbol: i.tradingsymbol,
    name: i.name,
    exchange: i.exchange,
    segment: i.segment,
    instrumentType: i.instrumentType,
    expiry: i.expiry || null,
    strike: i.strike,
    lotSize: i.lotSize,
    tickSize: i.tickSize,
  }));

describe("comparing the broker's instruments dump with the table", () => {
  it("finds nothing in a dump that carries today's lot and tick sizes", () => {
    const dump = paperDump(TODAY);
    expect(dump.filter((i) => i.expiry !== null).length).toBeGreaterThan(0);
    expect(instrumentFactDisagreements(dump, TODAY)).toEqual([]);
  });

  it('names each expiry whose lot or tick size differs, counting its contracts', () => {
    const dump = paperDump(TODAY).map((i) =>
      i.name === 'BANKNIFTY' && i.expiry === '2026-12-29'
        ? { ...i, lotSize: 35 }
        : i.name === 'NIFTY' && i.expiry === '2026-12-08'
          ? { ...i, tickSize: 0.1 }
          : i,
    );
    expect(instrumentFactDisagreements(dump, TODAY)).toEqual([
      {
        underlying: 'BANKNIFTY',
        expiry: '2026-12-29',
        kind: 'monthly',
        field: 'lotSize',
        table: 30,
        broker: 35,
        contracts: 10,
      },
      {
        underlying: 'NIFTY',
        expiry: '2026-12-08',
        kind: 'weekly',
        field: 'tickSize',
        table: 0.05,
        broker: 0.1,
        contracts: 10,
      },
    ]);
  });

  it('ignores contracts already expired and instruments that are not our index options', () => {
    const expired = paperDump('2026-11-02')
      .filter((i) => i.expiry !== null && i.expiry < TODAY)
      .map((i) => ({ ...i, lotSize: 1 }));
    expect(expired.length).toBeGreaterThan(0);
    const stock: Instrument = { ...paperDump(TODAY)[1], name: 'SBIN', lotSize: 1 };
    expect(instrumentFactDisagreements([...expired, stock], TODAY)).toEqual([]);
  });

  it('logs a warning per disagreement and returns them for an alert', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const dump = paperDump(TODAY).map((i) => (i.name === 'FINNIFTY' ? { ...i, lotSize: 65 } : i));
    const found = await checkInstrumentFacts({ getInstruments: async () => dump }, TODAY, logger);
    expect(found.map((d) => `${d.underlying} ${d.expiry} ${d.field}`)).toEqual([
      'FINNIFTY 2026-12-29 lotSize',
      'FINNIFTY 2027-01-25 lotSize',
      'FINNIFTY 2027-02-23 lotSize',
    ]);
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(warnings.map((w) => w.level)).toEqual([40, 40, 40]);
    expect(warnings[0].msg).toBe(
      "the broker's instruments dump gives FINNIFTY 2026-12-29 lotSize 65, src/domain/market-facts.ts 60: live trades the dump's; update the table",
    );
  });
});

describe('what the worker says about market facts at start', () => {
  const session: SessionConfig = {
    calendar: 'ist-hours',
    open: '09:15',
    close: '15:30',
    noNewEntriesAfter: '15:00',
    squareOffAt: '15:15',
  };
  const paper = { ...session, unknownHolidayYears: 'warn' as const };
  const live = { ...session, unknownHolidayYears: 'refuse' as const };

  it('names the rates: dated by default, the override when configured', () => {
    const [dated] = marketFactsNotices({ session: paper }, TODAY);
    expect(dated).toMatchObject({
      level: 'info',
      fields: { rates: 'NSE/Zerodha as of 2026-12-02', today: { sttSellRate: 0.0015 } },
    });
    const override = {
      brokeragePerOrder: 20,
      sttSellRate: 0.001,
      sttExerciseRate: 0.00125,
      exchangeTxnRate: 0.0003503,
      sebiPerCrore: 10,
      stampBuyRate: 0.00003,
      gstRate: 0.18,
    };
    const [overridden] = marketFactsNotices({ session: paper, charges: override }, TODAY);
    expect(overridden).toMatchObject({ level: 'warn', fields: { rates: 'config override' } });
    expect(overridden.message).toMatch(/override replaces the dated NSE\/Zerodha rates/);
  });

  it('in December warns of next year: paper goes on, live will refuse', () => {
    expect(marketFactsNotices({ session: paper }, TODAY).slice(1)).toEqual([
      {
        level: 'warn',
        message: expect.stringMatching(
          /^the NSE holiday list for 2027 is provisional .*; paper trading goes on from 2027-01-01 with only the listed holidays closed$/,
        ),
        fields: { year: 2027, status: 'provisional' },
      },
    ]);
    expect(marketFactsNotices({ session: live }, TODAY)[1]).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/; live entries are refused from 2027-01-01$/),
    });
  });

  it('past the list, says so for today; inside it, outside December, says nothing', () => {
    expect(marketFactsNotices({ session: paper }, '2028-03-01').slice(1)).toEqual([
      {
        level: 'warn',
        message:
          'no NSE holiday list for 2028: add it to src/domain/market-facts.ts; paper trading goes on today with only the listed holidays closed',
        fields: { year: 2028, status: 'missing' },
      },
    ]);
    expect(marketFactsNotices({ session: live }, '2026-06-01')).toHaveLength(1);
    expect(
      marketFactsNotices({ session: { ...paper, calendar: 'always-open' } }, '2028-03-01'),
    ).toHaveLength(1);
  });
});
