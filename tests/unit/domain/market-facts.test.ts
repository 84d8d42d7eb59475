import {
  chargeRatesOn,
  EXPIRY_RULES,
  expiryRulesOn,
  FACTS_START,
  freezeQtyOn,
  holidayCoverage,
  holidaysOf,
  inForce,
  LOT_SIZES,
  lotSizeOf,
  MARKET_FACTS,
  NFO_OPTION_CHARGES,
  NSE_FREEZE_LIMITS,
  type Dated,
} from '../../../src/domain/market-facts';

const DAY_MS = 86_400_000;
const nextDay = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

describe('charge rates by trade date', () => {
  const rate = (date: string) => chargeRatesOn(date);

  it('STT on sold premium: 0.0625% to 2024-09-30, 0.1% to 2026-03-31, 0.15% from 2026-04-01', () => {
    // NSE STT page, "RATES W.E.F. APRIL 1, 2023": "Sale of an option in securities · 0.0625 per cent".
    expect(rate('2024-09-30').sttSellRate).toBe(0.000625);
    // Finance (No. 2) Act 2024, NSE FATAX63809: "Sale of an option in securities - 0.10%".
    expect(rate('2024-10-01').sttSellRate).toBe(0.001);
    expect(rate('2026-03-31').sttSellRate).toBe(0.001);
    // Finance Act 2026, NSE FATAX73524 (2026-03-31): "0.10% · 0.15% · Seller".
    expect(rate('2026-04-01').sttSellRate).toBe(0.0015);
    expect(rate('2026-12-02').sttSellRate).toBe(0.0015);
  });

  it('STT on an exercised option: 0.125% to 2026-03-31, 0.15% from 2026-04-01', () => {
    // NSE STT page: "where option is exercised · 0.125 per cent · Purchaser".
    expect(rate('2024-01-01').sttExerciseRate).toBe(0.00125);
    expect(rate('2026-03-31').sttExerciseRate).toBe(0.00125);
    // FATAX73524: "Sale of an option in securities (exercised) · 0.125% · 0.15% · Purchaser".
    expect(rate('2026-04-01').sttExerciseRate).toBe(0.0015);
  });

  it('NSE transaction charge and IPFT: 0.0495% + 0.0005%, then 0.03503% + 0.0005%, then 0.03552% + 0.00001%', () => {
    // Zerodha's figure via Kamath (livemint 2024-10-01): "decreased to 0.035% from 0.0495%" (low confidence).
    expect(rate('2024-09-30')).toMatchObject({ exchangeTxnRate: 0.000495, ipftRate: 0.000005 });
    // Hindustan Times 2024-09-27 (NSE/FA/64323): "₹35.03 on each side per lakh of premium value".
    // Zerodha IPFT page: "₹50 per crore of premium value for NSE Equity options".
    expect(rate('2024-10-01')).toMatchObject({ exchangeTxnRate: 0.0003503, ipftRate: 0.000005 });
    expect(rate('2026-02-28')).toMatchObject({ exchangeTxnRate: 0.0003503, ipftRate: 0.000005 });
    // NSE FA73061 (2026-02-27): "Equity Options (on premium) · Rs. 3,552.00 · Rs. 1.00 · Rs. 3,553".
    expect(rate('2026-03-01')).toMatchObject({ exchangeTxnRate: 0.0003552, ipftRate: 0.0000001 });
    // The re-split left the total a contract note shows at ₹3,553 per crore.
    for (const date of ['2026-02-28', '2026-03-01']) {
      expect(Math.round((rate(date).exchangeTxnRate + rate(date).ipftRate) * 1e7)).toBe(3553);
    }
  });

  it('brokerage, SEBI fee, stamp duty and GST have not changed since the table starts', () => {
    for (const date of [FACTS_START, '2026-12-02']) {
      expect(rate(date)).toMatchObject({
        // Zerodha F&O page: "Flat ₹20 per executed order"; "GST 18% on (Brokerage + transaction charges + SEBI charges)".
        brokeragePerOrder: 20,
        gstRate: 0.18,
        // SEBI (Payment of Fees) (Amendment) Regulations 2019: "₹10 per crore".
        sebiRate: 0.000001,
        // Zerodha bulletin 2020-06: "Options ... 0.003% or Rs 300 per crore on buy-side".
        stampBuyRate: 0.00003,
        // Kite's virtual_contract_note.json: 0.18 x (20 + 0.075 + 0.00015) = 3.613527, IPFT left out.
        ipftInGstBase: false,
      });
    }
  });

  it('BSE SENSEX options: ₹3,250 per crore from 2024-10-01, no IPFT, the same statutory levies', () => {
    // Hindustan Times 2024-09-27: "Sensex and Bankex options ... ₹3,250 per crore of the premium turnover".
    expect(chargeRatesOn('2026-12-02', 'BFO')).toEqual({
      ...chargeRatesOn('2026-12-02'),
      exchangeTxnRate: 0.000325,
      ipftRate: 0,
    });
    expect(() => chargeRatesOn('2024-09-30', 'BFO')).toThrow(
      'no BFO exchange transaction charge in force on 2024-09-30: add it to src/domain/market-facts.ts',
    );
  });

  it('refuses a date before the table', () => {
    expect(() => chargeRatesOn('2023-12-29')).toThrow(
      'no NFO option charge brokeragePerOrder in force on 2023-12-29: add it to src/domain/market-facts.ts',
    );
  });
});

describe('lot sizes by contract', () => {
  const lot = (u: Parameters<typeof lotSizeOf>[0], expiry: string, kind: 'weekly' | 'monthly') =>
    lotSizeOf(u, expiry, kind);

  it('NIFTY: 50, 25 from May 2024, 75 from January 2025 weeklies and the February monthly, 65 from January 2026', () => {
    // Zerodha bulletin 2024-04-02: "50 · 25 · May 2024 (contracts expiring on May 30, 2024) · May 2, 2024".
    expect(lot('NIFTY', '2024-04-25', 'weekly')).toBe(50);
    expect(lot('NIFTY', '2024-05-02', 'weekly')).toBe(25);
    expect(lot('NIFTY', '2024-04-25', 'monthly')).toBe(50);
    expect(lot('NIFTY', '2024-05-30', 'monthly')).toBe(25);
    // Angel One: "NIFTY · Weekly · 19-Dec-24 · 02-Jan-25 · Monthly · 30-Jan-25 · 27-Feb-25":
    // in January 2025 the weeklies carried 75 while the monthly still carried 25.
    expect(lot('NIFTY', '2024-12-26', 'monthly')).toBe(25);
    expect(lot('NIFTY', '2025-01-02', 'weekly')).toBe(75);
    expect(lot('NIFTY', '2025-01-30', 'monthly')).toBe(25);
    expect(lot('NIFTY', '2025-02-27', 'monthly')).toBe(75);
    // NSE/FAOP/70616: "December 23, 2025: Last weekly expiry with existing lot size";
    // "January 6, 2026: First weekly"; "January 27, 2026: First monthly expiry with revised lot size".
    expect(lot('NIFTY', '2025-12-23', 'weekly')).toBe(75);
    expect(lot('NIFTY', '2025-12-30', 'monthly')).toBe(75);
    expect(lot('NIFTY', '2026-01-06', 'weekly')).toBe(65);
    expect(lot('NIFTY', '2026-01-20', 'weekly')).toBe(65);
    expect(lot('NIFTY', '2026-01-27', 'monthly')).toBe(65);
    expect(lot('NIFTY', '2026-12-29', 'monthly')).toBe(65);
  });

  it('BANKNIFTY: 15, 30 from the February 2025 monthly, 35 from July 2025, 30 from January 2026', () => {
    // Zerodha bulletin 2024-04-02: "NIFTY BANK · BANKNIFTY · 15 · 15 · No change".
    expect(lot('BANKNIFTY', '2024-11-13', 'weekly')).toBe(15);
    expect(lot('BANKNIFTY', '2025-01-30', 'monthly')).toBe(15);
    // Angel One (NSE 2024-10-18): first monthly with 30 is February 2025.
    expect(lot('BANKNIFTY', '2025-02-27', 'monthly')).toBe(30);
    // Business Standard 2025-03-31: "The July 2025 expiry contracts will be the first to reflect the revised market lots."
    expect(lot('BANKNIFTY', '2025-06-26', 'monthly')).toBe(30);
    expect(lot('BANKNIFTY', '2025-07-31', 'monthly')).toBe(35);
    // NSE/FAOP/70616: "Bank Nifty market lot reduced from 35 to 30", first monthly 2026-01-27.
    expect(lot('BANKNIFTY', '2025-12-30', 'monthly')).toBe(35);
    expect(lot('BANKNIFTY', '2026-01-27', 'monthly')).toBe(30);
  });

  it('FINNIFTY: 40, 25 from the July 2024 monthly and August weeklies, 65 from February 2025, 60 from January 2026', () => {
    // Zerodha bulletin 2024-04-02: "40 · 25 · July 2024 (contracts expiring on July 30, 2024) · August 6, 2024".
    expect(lot('FINNIFTY', '2024-07-23', 'weekly')).toBe(40);
    expect(lot('FINNIFTY', '2024-07-30', 'monthly')).toBe(25);
    expect(lot('FINNIFTY', '2024-08-06', 'weekly')).toBe(25);
    // NSE 2024-10-18 "from 25 to 65"; the first expiry with 65 is inferred (low confidence).
    expect(lot('FINNIFTY', '2025-01-30', 'monthly')).toBe(25);
    expect(lot('FINNIFTY', '2025-02-27', 'monthly')).toBe(65);
    // NSE/FAOP/70616: "Nifty Financial Services market lot reduced from 65 to 60".
    expect(lot('FINNIFTY', '2025-12-30', 'monthly')).toBe(65);
    expect(lot('FINNIFTY', '2026-01-27', 'monthly')).toBe(60);
  });

  it('SENSEX: 10, then 20 from the January 2025 weeklies and the February 2025 monthly', () => {
    // livemint 2023-03-28: "reduced to 10 from 15"; share.market / Zerodha: "BSE Sensex · SENSEX · 10 · 20".
    expect(lot('SENSEX', '2024-12-27', 'weekly')).toBe(10);
    expect(lot('SENSEX', '2025-01-07', 'weekly')).toBe(20);
    expect(lot('SENSEX', '2025-01-28', 'monthly')).toBe(10);
    expect(lot('SENSEX', '2025-02-25', 'monthly')).toBe(20);
  });

  it('refuses a contract before the table', () => {
    expect(() => lotSizeOf('NIFTY', '2023-12-28', 'monthly')).toThrow(
      'no NIFTY lot size for a contract expiring 2023-12-28: add it to src/domain/market-facts.ts',
    );
  });
});

describe('freeze limits by trade date', () => {
  it('BANKNIFTY follows each NSE circular: 900, 600, 900, 600, 900, 600', () => {
    const cases: [string, number][] = [
      ['2024-06-03', 900], // Angel One, 03-Apr-23 and August 2024: "BANKNIFTY · 900"
      ['2025-06-30', 900], // Angel One, 03-Mar-25
      ['2025-07-01', 600], // moneycontrol: "effective July 1 ... Bank Nifty at 600"
      ['2025-08-31', 600], // FAOP69431
      ['2025-09-01', 900], // FAOP69913: "Bank Nifty at 900"
      ['2025-11-02', 900], // FAOP70530 unread: September's 900 carried
      ['2025-11-03', 600], // FAOP71087
      ['2026-03-31', 600], // FAOP73039
      ['2026-04-01', 900], // FAOP73531
      ['2026-06-30', 900], // FAOP74469
      ['2026-07-01', 600], // FAOP74942
      ['2026-12-02', 600], // FAOP75521 (2026-08-03), carried: no later circular found
    ];
    expect(cases.map(([date]) => [date, freezeQtyOn('BANKNIFTY', date)])).toEqual(cases);
  });

  it('FINNIFTY: 1200 in December 2025, January 2026 and March 2026, else 1800', () => {
    const cases: [string, number][] = [
      ['2025-11-30', 1800],
      ['2025-12-01', 1200], // FAOP71540
      ['2026-01-31', 1200], // FAOP72094
      ['2026-02-01', 1800], // FAOP72534
      ['2026-03-01', 1800],
      ['2026-03-02', 1200], // FAOP73039
      ['2026-04-01', 1800], // FAOP73531
    ];
    expect(cases.map(([date]) => [date, freezeQtyOn('FINNIFTY', date)])).toEqual(cases);
  });

  it('NIFTY 1800 throughout; SENSEX 1000 (low confidence)', () => {
    for (const date of ['2024-01-01', '2025-10-15', '2026-12-02'])
      expect(freezeQtyOn('NIFTY', date)).toBe(1800);
    // ICICI Direct FAQ: "SENSEX 1000 50".
    expect(freezeQtyOn('SENSEX', '2026-12-02')).toBe(1000);
  });

  it('marks the months no circular was found for as carried', () => {
    const carried = NSE_FREEZE_LIMITS.filter((e) => e.confidence === 'carried').map((e) => e.from);
    expect(carried).toEqual(['2025-10-01', '2026-09-01']);
    expect(inForce(NSE_FREEZE_LIMITS, '2026-12-02', 'freeze').confidence).toBe('carried');
  });
});

describe('expiry rules by trade date', () => {
  it('NIFTY weeklies on Thursday until 2025-08-28, Tuesday from the re-dating after it', () => {
    expect(expiryRulesOn('NIFTY', '2025-08-28')).toMatchObject({
      weekly: { weekday: 'THU' },
      monthlyWeekday: 'THU',
    });
    // NSE 2025-06-23: "NIFTY (weekly, monthly, quarterly, half-yearly): Revised from Thursday to Tuesday".
    expect(expiryRulesOn('NIFTY', '2025-08-29')).toMatchObject({
      weekly: { weekday: 'TUE' },
      monthlyWeekday: 'TUE',
    });
  });

  it('BANKNIFTY and FINNIFTY weeklies end 2024-11-13 and 2024-11-19; their monthlies move weekday', () => {
    // Business Standard 2024-10-11: "last trading days ... November 13, 18, and 19, 2024".
    expect(expiryRulesOn('BANKNIFTY', '2024-11-13').weekly).toEqual({
      weekday: 'WED',
      lastExpiry: '2024-11-13',
    });
    expect(expiryRulesOn('BANKNIFTY', '2024-11-14').weekly).toBeNull();
    expect(expiryRulesOn('FINNIFTY', '2024-11-19').weekly).toEqual({
      weekday: 'TUE',
      lastExpiry: '2024-11-19',
    });
    expect(expiryRulesOn('FINNIFTY', '2024-11-20').weekly).toBeNull();
    const monthly = (date: string) => [
      expiryRulesOn('BANKNIFTY', date).monthlyWeekday,
      expiryRulesOn('FINNIFTY', date).monthlyWeekday,
    ];
    // businesstoday 2023-12-29: last Wednesday "effective from trade date March 01, 2024".
    expect(monthly('2024-02-29')).toEqual(['THU', 'TUE']);
    expect(monthly('2024-03-01')).toEqual(['WED', 'TUE']);
    // Business Standard 2024-11-30: last Thursday from 2025-01-01.
    expect(monthly('2025-01-01')).toEqual(['THU', 'THU']);
    expect(monthly('2025-08-29')).toEqual(['TUE', 'TUE']);
  });

  it('SENSEX on Friday, then Tuesday in 2025 to August, Thursday from 2025-09-01', () => {
    expect(expiryRulesOn('SENSEX', '2024-12-31').weekly?.weekday).toBe('FRI');
    expect(expiryRulesOn('SENSEX', '2025-01-01').weekly?.weekday).toBe('TUE');
    // zeebiz 2025-06-17: "Starting September 1, 2025 ... will expire on Thursdays."
    expect(expiryRulesOn('SENSEX', '2025-09-01')).toMatchObject({
      exchange: 'BSE',
      weekly: { weekday: 'THU' },
      monthlyWeekday: 'THU',
    });
  });
});

describe('NSE holidays by year', () => {
  it('lists 2024, 2025 and 2026 as NSE published them, and 2027 provisionally', () => {
    expect([2024, 2025, 2026].map((y) => holidaysOf(y).length)).toEqual([17, 14, 16]);
    expect(holidaysOf(2024)).toContain('2024-01-22'); // added 2024-01-19 (NI Act holiday)
    expect(holidaysOf(2026)).toContain('2026-01-15'); // added by NSE/FAOP/72262
    expect(holidaysOf(2027)).toEqual(['2027-01-26', '2027-03-26', '2027-04-14']);
    expect(holidaysOf(2028)).toEqual([]);
  });

  it('says how far the list covers a date', () => {
    expect(holidayCoverage('2026-12-02')).toEqual({ year: 2026, status: 'published' });
    expect(holidayCoverage('2027-01-04')).toEqual({
      year: 2027,
      status: 'provisional',
      message:
        'the NSE holiday list for 2027 is provisional (fixed-date holidays only, NSE has not published it): add the published list to src/domain/market-facts.ts',
    });
    expect(holidayCoverage('2028-01-03')).toEqual({
      year: 2028,
      status: 'missing',
      message: 'no NSE holiday list for 2028: add it to src/domain/market-facts.ts',
    });
  });
});

describe('the table', () => {
  const families: [string, readonly Dated<unknown>[]][] = [
    ...Object.entries(NFO_OPTION_CHARGES).map(
      ([k, v]) => [`charges ${k}`, v] as [string, readonly Dated<unknown>[]],
    ),
    ['freeze NSE', MARKET_FACTS.freezeLimits.NSE],
    ['freeze SENSEX', MARKET_FACTS.freezeLimits.SENSEX],
    ...Object.entries(EXPIRY_RULES).map(
      ([k, v]) => [`expiry ${k}`, v] as [string, readonly Dated<unknown>[]],
    ),
    ...Object.entries(LOT_SIZES).map(
      ([k, v]) => [`lot ${k}`, v] as [string, readonly Dated<unknown>[]],
    ),
  ];

  it.each(families)(
    '%s runs without gaps or overlaps from its first date, the last open',
    (_, rows) => {
      for (let i = 1; i < rows.length; i++) {
        expect(`${rows[i - 1].until} -> ${rows[i].from}`).toBe(
          `${rows[i - 1].until} -> ${nextDay(rows[i - 1].until!)}`,
        );
      }
      expect(rows[rows.length - 1].until).toBeUndefined();
      expect(rows[0].from <= FACTS_START).toBe(true);
    },
  );

  it('starts BSE rates at 2024-10-01: the slabs before are not known', () => {
    expect(MARKET_FACTS.charges.BFO.exchangeTxnRate.map((e) => [e.from, e.until])).toEqual([
      ['2024-10-01', undefined],
    ]);
  });

  it('names a source for every entry', () => {
    for (const [, rows] of families)
      for (const row of rows) expect(row.source.title.length).toBeGreaterThan(10);
    for (const year of MARKET_FACTS.holidays) expect(year.source.title.length).toBeGreaterThan(10);
  });
});
