import {
  chargesByTradeDate,
  chargesFor,
  exerciseStt,
  type ChargeOverride,
  type DatedFill,
} from '../../../src/domain/charges';
import { chargeRatesOn } from '../../../src/domain/market-facts';

/** One NIFTY lot: bought at 100 (turnover 6,500), sold at 120 (7,800). */
const roundTrip = (entryDate: string, exitDate: string): DatedFill[] => [
  { side: 'BUY', quantity: 65, price: 100, orders: 1, date: entryDate },
  { side: 'SELL', quantity: 65, price: 120, orders: 1, date: exitDate },
];

describe('charges at the rates of each trade date', () => {
  it('charges a round trip closed on 2026-03-31 at 0.1% STT and one on 2026-04-01 at 0.15%', () => {
    // 2026-03-31 (FA73061 exchange rates, STT 0.1% until the Finance Act 2026):
    //   brokerage 2 x 20                                = 40.00
    //   STT       7,800 x 0.1%                          =  7.80
    //   exchange  14,300 x 0.03552%   = 5.07936         ->  5.08
    //   IPFT      14,300 x 0.00001%   = 0.00143         ->  0.00
    //   SEBI      14,300 x 10 / 1e7   = 0.0143          ->  0.01
    //   stamp     6,500 x 0.003%      = 0.195           ->  0.20
    //   GST       18% x (40 + 5.07936 + 0.0143) = 8.1168588 -> 8.12
    //   total                                           = 61.21
    // 2026-04-01 (FATAX73524): STT 7,800 x 0.15% = 11.70, all else equal: 65.11.
    const before = chargesByTradeDate(roundTrip('2026-03-31', '2026-03-31'));
    const after = chargesByTradeDate(roundTrip('2026-04-01', '2026-04-01'));
    const same = {
      brokerage: 40,
      exchangeTxn: 5.08,
      ipft: 0,
      sebi: 0.01,
      stampDuty: 0.2,
      gst: 8.12,
    };
    expect(before).toMatchObject({
      ...same,
      stt: 7.8,
      total: 61.21,
      rates: 'NSE/Zerodha as of 2026-03-31',
    });
    expect(after).toMatchObject({
      ...same,
      stt: 11.7,
      total: 65.11,
      rates: 'NSE/Zerodha as of 2026-04-01',
    });
  });

  it('charges an entry and its exit on different days each at its own date, one contract note per day', () => {
    // Entry 2026-03-31, buy 6,500: brokerage 20; exchange 2.3088 -> 2.31; IPFT 0.00065 -> 0;
    //   SEBI 0.0065 -> 0.01; stamp 0.195 -> 0.20; GST 18% x 22.3153 = 4.016754 -> 4.02; total 26.54.
    // Exit 2026-04-01, sell 7,800: brokerage 20; STT 0.15% = 11.70; exchange 2.77056 -> 2.77;
    //   IPFT 0.00078 -> 0; SEBI 0.0078 -> 0.01; GST 18% x 22.77836 = 4.1001048 -> 4.10; total 38.58.
    // 65.12 in all: a paisa more than the same trades on one day, from rounding per contract note.
    const c = chargesByTradeDate(roundTrip('2026-03-31', '2026-04-01'));
    expect(c.byDate).toEqual([
      {
        date: '2026-03-31',
        brokerage: 20,
        stt: 0,
        exchangeTxn: 2.31,
        ipft: 0,
        sebi: 0.01,
        stampDuty: 0.2,
        gst: 4.02,
        total: 26.54,
      },
      {
        date: '2026-04-01',
        brokerage: 20,
        stt: 11.7,
        exchangeTxn: 2.77,
        ipft: 0,
        sebi: 0.01,
        stampDuty: 0,
        gst: 4.1,
        total: 38.58,
      },
    ]);
    expect(c).toMatchObject({
      brokerage: 40,
      stt: 11.7,
      exchangeTxn: 5.08,
      gst: 8.12,
      total: 65.12,
      rates: 'NSE/Zerodha as of 2026-03-31, 2026-04-01',
    });
  });

  it('charges 2024-09-30 at 0.0625% STT and 0.0495% exchange, 2024-10-01 at 0.1% and 0.03503%', () => {
    // 2024-09-30: STT 4.875 -> 4.88; exchange 7.0785 -> 7.08; IPFT 0.0715 -> 0.07; SEBI 0.01;
    //   stamp 0.20; GST 18% x (40 + 7.0785 + 0.0143) = 8.476704 -> 8.48; total 60.72.
    // 2024-10-01: STT 7.80; exchange 5.00929 -> 5.01; IPFT 0.07; SEBI 0.01; stamp 0.20;
    //   GST 18% x 45.02359 = 8.1042462 -> 8.10; total 61.19.
    expect(chargesByTradeDate(roundTrip('2024-09-30', '2024-09-30'))).toMatchObject({
      stt: 4.88,
      exchangeTxn: 7.08,
      ipft: 0.07,
      gst: 8.48,
      total: 60.72,
    });
    expect(chargesByTradeDate(roundTrip('2024-10-01', '2024-10-01'))).toMatchObject({
      stt: 7.8,
      exchangeTxn: 5.01,
      gst: 8.1,
      total: 61.19,
    });
  });

  it('uses a config override for every date and says so', () => {
    const override: ChargeOverride = {
      brokeragePerOrder: 20,
      sttSellRate: 0.001,
      sttExerciseRate: 0.00125,
      exchangeTxnRate: 0.0003503,
      sebiPerCrore: 10,
      stampBuyRate: 0.00003,
      gstRate: 0.18,
    };
    // The old default.yaml rates: no IPFT, so 5.01 exchange and 61.12 in all, on either date.
    for (const date of ['2026-03-31', '2026-04-01']) {
      expect(chargesByTradeDate(roundTrip(date, date), override)).toMatchObject({
        stt: 7.8,
        exchangeTxn: 5.01,
        ipft: 0,
        total: 61.12,
        rates: 'config override',
      });
    }
  });

  it("agrees with Kite's virtual contract note for its NFO row", () => {
    // kiteconnect-mocks virtual_contract_note.json (July 2023): BUY NIFTY2371317900PE 100 @ 1.5:
    // exchange_turnover_charge 0.07575 (0.05% + IPFT 0.0005%), sebi 0.00015, brokerage 20,
    // gst 3.613527 = 18% x (20 + 0.075 + 0.00015), total 23.689427 (its stamp duty is 0).
    const july2023 = {
      ...chargeRatesOn('2024-01-01'),
      exchangeTxnRate: 0.0005,
      stampBuyRate: 0,
    };
    const c = chargesFor([{ side: 'BUY', quantity: 100, price: 1.5, orders: 1 }], july2023);
    expect(c.gst).toBe(Math.round(3.613527 * 100) / 100);
    expect(c.exchangeTxn + c.ipft).toBe(Math.round(0.07575 * 100) / 100);
    expect(c.total).toBe(Math.round(23.689427 * 100) / 100);
  });
});

describe('STT on an exercised option', () => {
  const call = {
    optionType: 'CE' as const,
    strike: 25_000,
    settlementPrice: 25_123.45,
    quantity: 65,
  };

  it('is intrinsic value x quantity x the exercise rate of the expiry date', () => {
    // Intrinsic 123.45 x 65 = 8,024.25. Until 2026-03-31 0.125%: 10.0303125 -> 10.03;
    // from 2026-04-01 0.15%: 12.036375 -> 12.04.
    expect(exerciseStt(call, chargeRatesOn('2026-03-31'))).toBe(10.03);
    expect(exerciseStt(call, chargeRatesOn('2026-04-01'))).toBe(12.04);
    // A put: strike minus settlement, 25,000 - 24,900 = 100 x 65 = 6,500 x 0.15% = 9.75.
    expect(
      exerciseStt(
        { ...call, optionType: 'PE', settlementPrice: 24_900 },
        chargeRatesOn('2026-04-01'),
      ),
    ).toBe(9.75);
  });

  it('is nothing out of the money or at the strike', () => {
    const rates = chargeRatesOn('2026-04-01');
    expect(exerciseStt({ ...call, settlementPrice: 24_990 }, rates)).toBe(0);
    expect(exerciseStt({ ...call, settlementPrice: 25_000 }, rates)).toBe(0);
    expect(exerciseStt({ ...call, optionType: 'PE' }, rates)).toBe(0);
  });
});
