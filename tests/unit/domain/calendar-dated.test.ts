import {
  isMonthlyExpiry,
  isTradingDay,
  monthlyExpiries,
  monthlyExpiryOf,
  previousTradingDay,
  weeklyExpiries,
} from '../../../src/domain/calendar';
import { expiryRulesOn } from '../../../src/domain/market-facts';
import { parseOptionSymbol } from '../../../src/domain/symbols';

describe('trading days from the dated holiday list', () => {
  it('closes on the 2027 holidays known in advance and opens around them', () => {
    // Republic Day (Tue), Good Friday (Easter 2027-03-28), Ambedkar Jayanti (Wed).
    expect(['2027-01-26', '2027-03-26', '2027-04-14'].map(isTradingDay)).toEqual([
      false,
      false,
      false,
    ]);
    expect(['2027-01-25', '2027-01-27', '2027-04-13'].map(isTradingDay)).toEqual([
      true,
      true,
      true,
    ]);
    expect(previousTradingDay('2027-01-27')).toBe('2027-01-25');
  });

  it('knows 2024, added closures included', () => {
    // Ram temple (added 2024-01-19), Lok Sabha election, Maharashtra election.
    expect(['2024-01-22', '2024-05-20', '2024-11-20'].map(isTradingDay)).toEqual([
      false,
      false,
      false,
    ]);
    expect(isTradingDay('2024-01-23')).toBe(true);
  });
});

describe('expiries listed on a 2024 date (2024-10-21)', () => {
  const day = '2024-10-21';

  it('NIFTY weeklies and monthlies on Thursday', () => {
    expect(weeklyExpiries(day, 4, 'NIFTY')).toEqual([
      '2024-10-24',
      '2024-10-31',
      '2024-11-07',
      '2024-11-14',
    ]);
    expect(monthlyExpiries(day, 3, 'NIFTY')).toEqual(['2024-10-31', '2024-11-28', '2024-12-26']);
  });

  it('BANKNIFTY weeklies on Wednesday up to the last one, 2024-11-13; monthlies on the last Wednesday', () => {
    expect(weeklyExpiries(day, 6, 'BANKNIFTY')).toEqual([
      '2024-10-23',
      '2024-10-30',
      '2024-11-06',
      '2024-11-13',
    ]);
    // December's last Wednesday is Christmas: the previous trading day.
    expect(monthlyExpiries(day, 3, 'BANKNIFTY')).toEqual([
      '2024-10-30',
      '2024-11-27',
      '2024-12-24',
    ]);
  });

  it('FINNIFTY weeklies on Tuesday up to 2024-11-19; monthlies on the last Tuesday', () => {
    expect(weeklyExpiries(day, 6, 'FINNIFTY')).toEqual([
      '2024-10-22',
      '2024-10-29',
      '2024-11-05',
      '2024-11-12',
      '2024-11-19',
    ]);
    expect(monthlyExpiries(day, 3, 'FINNIFTY')).toEqual(['2024-10-29', '2024-11-26', '2024-12-31']);
  });

  it('no BANKNIFTY or FINNIFTY weeklies once NIFTY is the only weekly index', () => {
    expect(weeklyExpiries('2024-11-14', 4, 'BANKNIFTY')).toEqual([]);
    expect(weeklyExpiries('2024-11-20', 4, 'FINNIFTY')).toEqual([]);
    expect(weeklyExpiries('2024-11-20', 1, 'NIFTY')).toEqual(['2024-11-21']);
  });

  it('moves a holiday expiry to the previous trading day', () => {
    // Thursday 2024-08-15 (Independence Day); BANKNIFTY's Wednesday 2024-04-17 (Ram Navami).
    expect(weeklyExpiries('2024-08-12', 1, 'NIFTY')).toEqual(['2024-08-14']);
    expect(weeklyExpiries('2024-04-15', 1, 'BANKNIFTY')).toEqual(['2024-04-16']);
  });

  it("BANKNIFTY's monthly weekday as listed on each side of 2024-03-01", () => {
    // Listed on 2024-02-15 under the Thursday rule; NSE re-dated March to the 27th on 2024-03-01:
    // "The first Wednesday monthly expiry will be on March 27, 2024."
    expect(monthlyExpiries('2024-02-15', 2, 'BANKNIFTY')).toEqual(['2024-02-29', '2024-03-28']);
    expect(monthlyExpiries('2024-03-01', 1, 'BANKNIFTY')).toEqual(['2024-03-27']);
  });
});

describe('expiries listed in August 2025, across the move to Tuesday', () => {
  it('2025-08-20: NIFTY still on Thursday, BANKNIFTY monthlies only, last Thursday', () => {
    expect(weeklyExpiries('2025-08-20', 4, 'NIFTY')).toEqual([
      '2025-08-21',
      '2025-08-28',
      '2025-09-04',
      '2025-09-11',
    ]);
    expect(weeklyExpiries('2025-08-20', 4, 'BANKNIFTY')).toEqual([]);
    expect(monthlyExpiries('2025-08-20', 3, 'BANKNIFTY')).toEqual([
      '2025-08-28',
      '2025-09-25',
      '2025-10-30',
    ]);
  });

  it('2025-08-29, after the re-dating: Tuesdays, the first on 2025-09-02', () => {
    // NDTV Profit: "Starting today, Sept. 2, the expiry day of Nifty weekly futures shifts to Tuesday."
    expect(weeklyExpiries('2025-08-29', 4, 'NIFTY')).toEqual([
      '2025-09-02',
      '2025-09-09',
      '2025-09-16',
      '2025-09-23',
    ]);
    expect(monthlyExpiries('2025-08-29', 3, 'BANKNIFTY')).toEqual([
      '2025-09-30',
      '2025-10-28',
      '2025-11-25',
    ]);
  });
});

describe('expiries listed today (2026-12-02)', () => {
  const today = '2026-12-02';

  it('NIFTY weeklies and monthlies on Tuesday; January 2027 moves off Republic Day', () => {
    expect(weeklyExpiries(today, 4, 'NIFTY')).toEqual([
      '2026-12-08',
      '2026-12-15',
      '2026-12-22',
      '2026-12-29',
    ]);
    expect(monthlyExpiries(today, 3, 'NIFTY')).toEqual(['2026-12-29', '2027-01-25', '2027-02-23']);
  });

  it('BANKNIFTY and FINNIFTY: monthlies only, on the same Tuesdays', () => {
    for (const u of ['BANKNIFTY', 'FINNIFTY'] as const) {
      expect(weeklyExpiries(today, 4, u)).toEqual([]);
      expect(monthlyExpiries(today, 3, u)).toEqual(monthlyExpiries(today, 3, 'NIFTY'));
    }
  });

  it('SENSEX on Thursday', () => {
    expect(weeklyExpiries(today, 2, 'SENSEX')).toEqual(['2026-12-03', '2026-12-10']);
    expect(monthlyExpiryOf(today, 'SENSEX')).toBe('2026-12-31');
  });

  it('defaults to NIFTY and takes a rule as well as an underlying', () => {
    expect(weeklyExpiries(today, 4)).toEqual(weeklyExpiries(today, 4, 'NIFTY'));
    const rule = expiryRulesOn('BANKNIFTY', '2024-10-21');
    expect(weeklyExpiries('2024-11-01', 4, rule)).toEqual(['2024-11-06', '2024-11-13']);
    expect(isMonthlyExpiry('2024-10-30', 'BANKNIFTY')).toBe(true);
    expect(isMonthlyExpiry('2024-10-31', 'BANKNIFTY')).toBe(false);
    expect(isMonthlyExpiry('2024-10-31', 'NIFTY')).toBe(true);
  });
});

describe('monthly symbols read with their underlying and date', () => {
  it('dates a 2024 BANKNIFTY monthly on Wednesday and a 2026 one on Tuesday', () => {
    expect(parseOptionSymbol('BANKNIFTY24OCT52000CE')?.expiry).toBe('2024-10-30');
    expect(parseOptionSymbol('NIFTY24OCT25000CE')?.expiry).toBe('2024-10-31');
    expect(parseOptionSymbol('BANKNIFTY26DEC60000PE')?.expiry).toBe('2026-12-29');
  });
});
