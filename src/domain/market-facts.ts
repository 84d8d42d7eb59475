import type { Underlying } from './types';

/**
 * Every market fact that changes by date, in one table, each with the first
 * day it applies (`from`), the last (`until`, absent while in force), its
 * source and how sure the source is. docs/research/market-facts.md has the
 * quotes behind each entry. Pure: lookups take the date they answer for.
 *
 * Dates are trade dates (IST) unless an entry says otherwise: lot sizes
 * belong to contracts and are keyed by the contract's expiry.
 *
 * Confidence: high = an exchange, regulator or broker primary source, or two
 * sources that agree; medium = one reliable secondary source or a summary of
 * the primary PDF; low = inference or disagreeing sources; carried = no
 * source for this period, the last known value carried forward.
 */

/** The research and the table start here: a lookup for an earlier day is refused. */
export const FACTS_START = '2024-01-01';

/** The three NFO indices the system trades, and BSE's SENSEX for the paper exchange. */
export type FactUnderlying = Underlying | 'SENSEX';
export type Confidence = 'high' | 'medium' | 'low' | 'carried';

export interface Source {
  title: string;
  url?: string;
  circular?: string;
}

export interface Dated<T> {
  from: string;
  until?: string;
  value: T;
  source: Source;
  confidence: Confidence;
  note?: string;
}

/* ------------------------------------------------------------------ charges */

/**
 * Zerodha's charges on NSE index options, as fractions of premium turnover
 * unless named otherwise. `exchangeTxnRate` excludes NSE's IPFT levy, which
 * is `ipftRate`; a contract note and Kite's `exchange_turnover_charge` show
 * their sum.
 */
export interface ChargeRates {
  /** Rupees per executed order, both sides. */
  brokeragePerOrder: number;
  /** On sold premium, paid by the seller. */
  sttSellRate: number;
  /** On the intrinsic value of an option exercised at expiry, paid by the buyer. */
  sttExerciseRate: number;
  exchangeTxnRate: number;
  ipftRate: number;
  /** SEBI turnover fee (₹10 per crore = 0.000001). */
  sebiRate: number;
  /** Stamp duty on bought premium. */
  stampBuyRate: number;
  /** GST on brokerage + exchange transaction charge + SEBI fee. */
  gstRate: number;
  /** Whether IPFT is in the GST base as well. */
  ipftInGstBase: boolean;
}

const ZERODHA_FNO: Source = {
  title: 'Zerodha support: What is the brokerage for Futures and Options?',
  url: 'https://support.zerodha.com/category/account-opening/charges-at-zerodha/trading-account-charges/articles/what-is-the-brokerage-for-futures-and-options',
};
const NSE_STT_PAGE: Source = {
  title: 'NSE: Securities Transaction Tax (rates w.e.f. April 1, 2023)',
  url: 'https://nseindia.com/products-services/equity-derivatives-securities-transaction-tax',
};
const STT_2024: Source = {
  title:
    'NSE: Changes in relation to rates of Securities Transaction Tax (Finance (No. 2) Act 2024)',
  circular: 'FATAX63809 (2024-09-11)',
  url: 'https://notifications.geojit.com/exchange-circulars/others',
};
const STT_2026: Source = {
  title: 'NSE: Changes in rates of Securities Transaction Tax (Finance Act 2026)',
  circular: 'FATAX73524 (2026-03-31)',
  url: 'https://nsearchives.nseindia.com/content/circulars/FATAX73524.pdf',
};
const TXN_2024: Source = {
  title: 'Hindustan Times 2024-09-27: NSE, BSE revise transaction fees from October 1',
  circular: 'NSE/FA/64323',
  url: 'https://www.hindustantimes.com/business/nse-bse-revise-transaction-fees-here-are-new-charges-effective-from-october-1-101727449498861.html',
};
const TXN_2026: Source = {
  title: 'NSE: Revision in transaction charges (IPFT contribution re-split)',
  circular: 'FA73061 (2026-02-27)',
  url: 'https://nsearchives.nseindia.com/content/circulars/FA73061.pdf',
};
const KITE_VCN_MOCK: Source = {
  title:
    'zerodha/kiteconnect-mocks virtual_contract_note.json (Kite POST /charges/orders), commit 0dd520a',
  url: 'https://github.com/zerodha/kiteconnect-mocks/blob/master/virtual_contract_note.json',
};

type RateTable = { [K in keyof ChargeRates]: readonly Dated<ChargeRates[K]>[] };

/** NSE F&O (NFO) index options at Zerodha. */
export const NFO_OPTION_CHARGES: RateTable = {
  brokeragePerOrder: [
    {
      from: FACTS_START,
      value: 20,
      source: ZERODHA_FNO,
      confidence: 'high',
      note: 'flat ₹20 per executed order, no 0.03% cap for options; in force before 2024 (₹40 with a negative balance, not modelled)',
    },
  ],
  sttSellRate: [
    {
      from: '2023-04-01',
      until: '2024-09-30',
      value: 0.000625,
      source: NSE_STT_PAGE,
      confidence: 'high',
    },
    { from: '2024-10-01', until: '2026-03-31', value: 0.001, source: STT_2024, confidence: 'high' },
    { from: '2026-04-01', value: 0.0015, source: STT_2026, confidence: 'high' },
  ],
  sttExerciseRate: [
    {
      from: '2023-04-01',
      until: '2026-03-31',
      value: 0.00125,
      source: NSE_STT_PAGE,
      confidence: 'high',
    },
    { from: '2026-04-01', value: 0.0015, source: STT_2026, confidence: 'high' },
  ],
  exchangeTxnRate: [
    {
      from: FACTS_START,
      until: '2024-09-30',
      value: 0.000495,
      source: {
        title: 'Nithin Kamath (Zerodha CEO) via livemint, 2024-10-01',
        url: 'https://origin-preprod.livemint.com/market/stock-market-news/zerodha-confirms-free-equity-delivery-nithin-kamath-says-will-continue-to-be-free/amp-11727768962214.html',
      },
      confidence: 'low',
      note: "Zerodha's figure; Dhan and the 2023 Kite mock imply 0.05% (NSE had volume slabs then)",
    },
    {
      from: '2024-10-01',
      until: '2026-02-28',
      value: 0.0003503,
      source: TXN_2024,
      confidence: 'high',
    },
    {
      from: '2026-03-01',
      value: 0.0003552,
      source: TXN_2026,
      confidence: 'medium',
      note: 'transaction charge + IPFT unchanged at ₹3,553 per crore',
    },
  ],
  ipftRate: [
    {
      from: '2023-04-01',
      until: '2026-02-28',
      value: 0.000005,
      source: {
        title: 'Zerodha support: What are IPFT charges?',
        url: 'https://support.zerodha.com/category/account-opening/charges-at-zerodha/statutory-and-exchange/articles/ipft-charges',
      },
      confidence: 'high',
      note: '₹50 per crore of premium',
    },
    {
      from: '2026-03-01',
      value: 0.0000001,
      source: TXN_2026,
      confidence: 'medium',
      note: '₹1 per crore',
    },
  ],
  sebiRate: [
    {
      from: '2019-04-01',
      value: 0.000001,
      source: {
        title: 'SEBI (Payment of Fees) (Amendment) Regulations 2019',
        url: 'https://taxguru.in/sebi/sebi-payment-of-fees-amendment-regulations-2019.html',
      },
      confidence: 'high',
      note: '₹10 per crore of premium turnover',
    },
  ],
  stampBuyRate: [
    {
      from: '2020-07-01',
      value: 0.00003,
      source: {
        title: 'Zerodha bulletin: Uniform stamp duty applicable from July 1, 2020',
        url: 'https://zerodha.com/marketintel/bulletin/259741/uniform-stamp-duty-applicable-from-july-1-2020',
      },
      confidence: 'high',
      note: 'buy side only',
    },
  ],
  gstRate: [
    {
      from: FACTS_START,
      value: 0.18,
      source: ZERODHA_FNO,
      confidence: 'high',
      note: 'on brokerage + exchange transaction charges + SEBI fee, never on STT or stamp duty; in force before 2024',
    },
  ],
  ipftInGstBase: [
    {
      from: '2023-04-01',
      value: false,
      source: KITE_VCN_MOCK,
      confidence: 'medium',
      // The broker's arithmetic decides: in both mock rows GST is 18% of
      // brokerage + exchange charge without IPFT + SEBI (NFO: 0.18 x
      // (20 + 0.075 + 0.00015) = 3.613527; NSE equity: 0.18 x (0.0182 +
      // 0.00056) = 0.0033768), while exchange_turnover_charge includes IPFT.
      note: "Zerodha's IPFT page says +18% GST, Upstox says none; Kite's own contract-note arithmetic leaves IPFT out",
    },
  ],
};

/** BSE's transaction charge on SENSEX options (everything else as on NFO; BSE has no IPFT). */
export const BFO_EXCHANGE_TXN: readonly Dated<number>[] = [
  {
    from: '2024-10-01',
    value: 0.000325,
    source: TXN_2024,
    confidence: 'high',
    note: '₹3,250 per crore of premium',
  },
];

/* ---------------------------------------------------------------- lot sizes */

/**
 * Lot sizes belong to contracts, not trade dates: a revision applies to new
 * contracts and existing weeklies and monthlies keep their lot to expiry. So
 * an entry is keyed by the first contract expiry carrying it: `from` for
 * monthlies, `weeklyFrom` (when different) for weeklies; in January 2025
 * NIFTY weeklies carried 75 while that month's monthly still carried 25.
 * Long-dated (quarterly, half-yearly) contracts switched at a stated end of
 * day instead; before it they carried the old lot, which this key does not
 * express (the system trades weeklies and monthlies only).
 */
export interface LotSizeEntry extends Dated<number> {
  weeklyFrom?: string;
}

const LOTS_2024_04: Source = {
  title: 'Zerodha bulletin 2024-04-02: Revision in lot size of index derivative contracts',
  url: 'https://zerodha.com/marketintel/bulletin/375282/revision-in-lot-size-of-index-derivative-contracts-2',
};
const LOTS_2024_11: Source = {
  title:
    'NSE circular 2024-10-18 (SEBI/HO/MRD/TPD-1/P/CIR/2024/132) via Angel One: Revision in market lot for index derivatives',
  url: 'https://www.angelone.in/announcements/market/revision-in-market-lot-for-index-derivatives-contracts',
};
const LOTS_2026_01: Source = {
  title: 'NSE: Revision in market lot of derivative contracts on indices',
  circular: 'NSE/FAOP/70616 (2025-10-03)',
  url: 'https://nsearchives.nseindia.com/content/circulars/FAOP70616.pdf',
};
const BSE_2023: Source = {
  title:
    'livemint 2023-03-28: BSE reduces lot size, shifts expiry of derivatives contracts to Friday',
  url: 'https://www.livemint.com/market/stock-market-news/bse-reduces-lot-size-shifts-expiry-of-derivatives-contracts-to-friday-11679991579786.html',
};
const BEFORE_2024 = 'in force before 2024 (the table starts here)';

export const LOT_SIZES: Record<FactUnderlying, readonly LotSizeEntry[]> = {
  NIFTY: [
    {
      from: FACTS_START,
      until: '2024-05-29',
      value: 50,
      source: LOTS_2024_04,
      confidence: 'high',
      note: BEFORE_2024,
    },
    {
      from: '2024-05-30',
      weeklyFrom: '2024-05-02',
      until: '2025-02-26',
      value: 25,
      source: LOTS_2024_04,
      confidence: 'high',
    },
    {
      from: '2025-02-27',
      weeklyFrom: '2025-01-02',
      until: '2026-01-26',
      value: 75,
      source: LOTS_2024_11,
      confidence: 'high',
    },
    {
      from: '2026-01-27',
      weeklyFrom: '2026-01-06',
      value: 65,
      source: LOTS_2026_01,
      confidence: 'high',
    },
  ],
  BANKNIFTY: [
    {
      from: FACTS_START,
      until: '2025-02-26',
      value: 15,
      source: LOTS_2024_04,
      confidence: 'high',
      note: BEFORE_2024,
    },
    {
      from: '2025-02-27',
      until: '2025-07-30',
      value: 30,
      source: LOTS_2024_11,
      confidence: 'high',
      note: 'the February 2025 monthly (dated 26-Feb before the January 2025 move to Thursday)',
    },
    {
      from: '2025-07-31',
      until: '2026-01-26',
      value: 35,
      source: {
        title: 'Business Standard 2025-03-31: NSE revises market lot sizes',
        url: 'https://www.business-standard.com/amp/markets/capital-market-news/nse-revises-market-lot-sizes-for-nifty-bank-nifty-mid-select-f-o-contracts-125033100440_1.html',
      },
      confidence: 'high',
    },
    { from: '2026-01-27', value: 30, source: LOTS_2026_01, confidence: 'high' },
  ],
  FINNIFTY: [
    {
      from: FACTS_START,
      until: '2024-07-29',
      value: 40,
      source: LOTS_2024_04,
      confidence: 'high',
      note: BEFORE_2024,
    },
    {
      from: '2024-07-30',
      weeklyFrom: '2024-08-06',
      until: '2025-02-26',
      value: 25,
      source: LOTS_2024_04,
      confidence: 'high',
    },
    {
      from: '2025-02-27',
      until: '2026-01-26',
      value: 65,
      source: LOTS_2024_11,
      confidence: 'low',
      note: 'the first expiry with 65 is inferred: the first monthly listed after 2024-11-20, as for NIFTY and BANKNIFTY',
    },
    { from: '2026-01-27', value: 60, source: LOTS_2026_01, confidence: 'high' },
  ],
  SENSEX: [
    {
      from: FACTS_START,
      until: '2025-02-24',
      value: 10,
      source: BSE_2023,
      confidence: 'high',
      note: 'since 2023-05-15',
    },
    {
      from: '2025-02-25',
      weeklyFrom: '2025-01-07',
      value: 20,
      source: {
        title: 'Zerodha support: Lot size for index derivatives',
        url: 'https://support.zerodha.com/category/trading-and-markets/trading-faqs/f-otrading/articles/lot-size-for-index-derivatives',
      },
      confidence: 'medium',
      note: 'Angel One dates the first weekly 10-Jan-25 and monthly 28-Feb-25, written before BSE moved expiries to Tuesday; keyed at those weeks',
    },
  ],
};

/* ------------------------------------------------------------ freeze limits */

type NseLimits = Record<Underlying, number>;
const nseFreeze = (
  from: string,
  until: string | undefined,
  value: NseLimits,
  source: Source,
  confidence: Confidence,
  note?: string,
): Dated<NseLimits> => ({
  from,
  ...(until && { until }),
  value,
  source,
  confidence,
  ...(note && { note }),
});
const limits = (BANKNIFTY: number, NIFTY: number, FINNIFTY: number): NseLimits => ({
  NIFTY,
  BANKNIFTY,
  FINNIFTY,
});
const circular = (id: string): Source => ({
  title: 'NSE: Revision in quantity freeze limits',
  circular: id,
  url: `https://nsearchives.nseindia.com/content/circulars/${id}.pdf`,
});
const angelOne = (title: string, url: string): Source => ({ title: `Angel One: ${title}`, url });

/**
 * NSE's largest quantity per order (units) by trade date; from mid-2025 NSE
 * republishes them monthly from the index level. An order at the limit is
 * allowed, one unit more trips it; orders are whole lots below it.
 */
export const NSE_FREEZE_LIMITS: readonly Dated<NseLimits>[] = [
  nseFreeze(
    '2023-04-03',
    '2024-07-31',
    limits(900, 1800, 1800),
    angelOne(
      'Quantity freeze limits for indices, 03-Apr-23',
      'https://www.angelone.in/announcements/market/03-apr-23-quantity-freeze-limits-for-indices',
    ),
    'high',
  ),
  nseFreeze(
    '2024-08-01',
    '2025-03-02',
    limits(900, 1800, 1800),
    angelOne(
      'Quantity freeze limits for indices, August 2024',
      'https://angelone.in/announcements/market/quantity-freeze-limits-for-indices-august-2024',
    ),
    'high',
  ),
  nseFreeze(
    '2025-03-03',
    '2025-06-30',
    limits(900, 1800, 1800),
    angelOne(
      'Quantity freeze limits for indices, 03-Mar-25',
      'https://www.angelone.in/announcements/market/03-mar-25-quantity-freeze-limits-for-indices',
    ),
    'high',
    'BANKNIFTY may already have been 600 from May 2025 (unverified)',
  ),
  nseFreeze(
    '2025-07-01',
    '2025-07-31',
    limits(600, 1800, 1800),
    {
      title:
        'moneycontrol: NSE revises quantity freeze limits for index derivatives from September 1',
      url: 'https://www.moneycontrol.com/news/business/markets/nse-revises-quantity-freeze-limits-for-index-derivatives-from-september-1-13504080.html/amp',
    },
    'high',
  ),
  nseFreeze('2025-08-01', '2025-08-31', limits(600, 1800, 1800), circular('FAOP69431'), 'medium'),
  nseFreeze('2025-09-01', '2025-09-30', limits(900, 1800, 1800), circular('FAOP69913'), 'high'),
  nseFreeze(
    '2025-10-01',
    '2025-11-02',
    limits(900, 1800, 1800),
    circular('FAOP70530'),
    'carried',
    "circular FAOP70530 exists but was not read: September's limits carried",
  ),
  nseFreeze('2025-11-03', '2025-11-30', limits(600, 1800, 1800), circular('FAOP71087'), 'medium'),
  nseFreeze('2025-12-01', '2025-12-31', limits(600, 1800, 1200), circular('FAOP71540'), 'high'),
  nseFreeze('2026-01-01', '2026-01-31', limits(600, 1800, 1200), circular('FAOP72094'), 'medium'),
  nseFreeze('2026-02-01', '2026-03-01', limits(600, 1800, 1800), circular('FAOP72534'), 'high'),
  nseFreeze('2026-03-02', '2026-03-31', limits(600, 1800, 1200), circular('FAOP73039'), 'medium'),
  nseFreeze('2026-04-01', '2026-05-03', limits(900, 1800, 1800), circular('FAOP73531'), 'medium'),
  nseFreeze('2026-05-04', '2026-05-31', limits(900, 1800, 1800), circular('FAOP73991'), 'medium'),
  nseFreeze('2026-06-01', '2026-06-30', limits(900, 1800, 1800), circular('FAOP74469'), 'medium'),
  nseFreeze('2026-07-01', '2026-08-02', limits(600, 1800, 1800), circular('FAOP74942'), 'medium'),
  nseFreeze('2026-08-03', '2026-08-31', limits(600, 1800, 1800), circular('FAOP75521'), 'medium'),
  nseFreeze(
    '2026-09-01',
    undefined,
    limits(600, 1800, 1800),
    circular('FAOP75521'),
    'carried',
    "no circular found after 2026-08-03: August's limits carried; add each month's circular here",
  ),
];

export const SENSEX_FREEZE_LIMITS: readonly Dated<number>[] = [
  {
    from: FACTS_START,
    value: 1000,
    source: {
      title: 'ICICI Direct: What is a quantity freeze limit in futures and options?',
      url: 'https://www.icicidirect.com/faqs/fno/what-is-a-quantity-freeze-limit-in-futures-and-options',
    },
    confidence: 'low',
    note: "seen beside NSE's February 2026 limits; its start is unknown, carried back to the table's start",
  },
];

/* ----------------------------------------------------------------- expiries */

export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI';

/**
 * Which option expiries an underlying lists on a trade date. Each switch
 * re-dated the contracts already listed (NSE at the end of the day before),
 * so everything listed on one trade date follows one rule.
 */
export interface ExpiryRule {
  exchange: 'NSE' | 'BSE';
  /** Null when the underlying lists no weeklies; `lastExpiry` is the final weekly of a discontinued series. */
  weekly: { weekday: Weekday; lastExpiry?: string } | null;
  /** Monthlies expire on the last such weekday of their month. */
  monthlyWeekday: Weekday;
}

/** Both exchanges: an expiry on a trading holiday moves to the previous trading day. */
export const EXPIRY_HOLIDAY_RULE: Dated<'previous trading day'> = {
  from: FACTS_START,
  value: 'previous trading day',
  source: {
    title: 'NSE Bank Nifty circular via businesstoday 2023-12-29; BSE via livemint 2023-03-28',
    url: 'https://www.businesstoday.in/markets/top-story/story/nifty-bank-fo-expiry-nse-says-monthly-quarterly-contracts-to-expire-on-last-wednesday-change-effective-from-march-1-2024-411219-2023-12-29',
  },
  confidence: 'high',
};

const nse = (weekly: ExpiryRule['weekly'], monthlyWeekday: Weekday): ExpiryRule => ({
  exchange: 'NSE',
  weekly,
  monthlyWeekday,
});
const bse = (weekday: Weekday): ExpiryRule => ({
  exchange: 'BSE',
  weekly: { weekday },
  monthlyWeekday: weekday,
});
const WEEKDAYS_2024: Source = {
  title:
    'livemint 2024-03-01: Bank Nifty monthly and quarterly F&O contracts to expire on Wednesday',
  url: 'https://www.livemint.com/market/stock-market-news/bank-nifty-monthly-and-quarterly-f-o-contracts-to-expire-on-wednesday-from-this-month/amp-11709262041524.html',
};
const BANKNIFTY_WEDNESDAY: Source = {
  title:
    'businesstoday 2023-12-29: Nifty Bank monthly and quarterly contracts expire on the last Wednesday from trade date 2024-03-01',
  url: EXPIRY_HOLIDAY_RULE.source.url,
};
const WEEKLIES_END: Source = {
  title:
    'NSE circular 2024-10-10 (via daynightnews, Angel One): weekly index options on NIFTY only from 2024-11-20; last weeklies per Business Standard 2024-10-11',
};
const THURSDAY_2025: Source = {
  title: 'Business Standard 2024-11-30: NSE revises expiry day for index derivatives contracts',
  url: 'https://www.business-standard.com/amp/markets/capital-market-news/nse-revises-expiry-day-for-index-derivatives-contracts-124113000110_1.html',
};
const TUESDAY_2025: Source = {
  title: 'NSE circular 2025-06-23 via businesstoday: expiry day revised to Tuesday',
  url: 'https://businesstoday.in/markets/stocks/story/nse-revises-expiry-dates-for-index-derivatives-contracts-from-august-29-481484-2025-06-23',
};
const TUESDAY_NOTE =
  'effective 2025-09-01; NSE re-dated the listed contracts at the end of 2025-08-28, so the listing is Tuesday from trade date 2025-08-29 (first Tuesday expiry 2025-09-02)';

export const EXPIRY_RULES: Record<FactUnderlying, readonly Dated<ExpiryRule>[]> = {
  NIFTY: [
    {
      from: FACTS_START,
      until: '2025-08-28',
      value: nse({ weekday: 'THU' }, 'THU'),
      source: WEEKDAYS_2024,
      confidence: 'high',
    },
    {
      from: '2025-08-29',
      value: nse({ weekday: 'TUE' }, 'TUE'),
      source: TUESDAY_2025,
      confidence: 'high',
      note: TUESDAY_NOTE,
    },
  ],
  BANKNIFTY: [
    {
      from: FACTS_START,
      until: '2024-02-29',
      value: nse({ weekday: 'WED' }, 'THU'),
      source: WEEKDAYS_2024,
      confidence: 'high',
      note: 'weeklies on Wednesday since 2023-09-04',
    },
    {
      from: '2024-03-01',
      until: '2024-11-13',
      value: nse({ weekday: 'WED', lastExpiry: '2024-11-13' }, 'WED'),
      source: BANKNIFTY_WEDNESDAY,
      confidence: 'high',
      note: 'last weekly 2024-11-13 (Business Standard 2024-10-11)',
    },
    {
      from: '2024-11-14',
      until: '2024-12-31',
      value: nse(null, 'WED'),
      source: WEEKLIES_END,
      confidence: 'high',
    },
    {
      from: '2025-01-01',
      until: '2025-08-28',
      value: nse(null, 'THU'),
      source: THURSDAY_2025,
      confidence: 'high',
    },
    {
      from: '2025-08-29',
      value: nse(null, 'TUE'),
      source: TUESDAY_2025,
      confidence: 'high',
      note: TUESDAY_NOTE,
    },
  ],
  FINNIFTY: [
    {
      from: FACTS_START,
      until: '2024-11-19',
      value: nse({ weekday: 'TUE', lastExpiry: '2024-11-19' }, 'TUE'),
      source: WEEKDAYS_2024,
      confidence: 'high',
      note: 'last weekly 2024-11-19 (Business Standard 2024-10-11)',
    },
    {
      from: '2024-11-20',
      until: '2024-12-31',
      value: nse(null, 'TUE'),
      source: WEEKLIES_END,
      confidence: 'high',
    },
    {
      from: '2025-01-01',
      until: '2025-08-28',
      value: nse(null, 'THU'),
      source: THURSDAY_2025,
      confidence: 'high',
    },
    {
      from: '2025-08-29',
      value: nse(null, 'TUE'),
      source: TUESDAY_2025,
      confidence: 'high',
      note: TUESDAY_NOTE,
    },
  ],
  SENSEX: [
    {
      from: FACTS_START,
      until: '2024-12-31',
      value: bse('FRI'),
      source: BSE_2023,
      confidence: 'high',
      note: 'Friday since 2023-05-15',
    },
    {
      from: '2025-01-01',
      until: '2025-08-31',
      value: bse('TUE'),
      source: {
        title:
          'Business Standard 2024-11-28: Sensex, Bankex, Sensex 50 expiry days to change from January 1',
        url: 'https://www.business-standard.com/amp/markets/stock-market-news/sensex-bankex-sensex-50-expiry-days-to-change-from-january-1-bse-124112801317_1.html',
      },
      confidence: 'high',
    },
    {
      from: '2025-09-01',
      value: bse('THU'),
      source: {
        title: 'zeebiz 2025-06-17: SEBI approves NSE expiry on Tuesday, BSE on Thursday',
        url: 'https://www.zeebiz.com/market-news/news-sebi-approves-nse-expiry-day-change-to-tuesday-and-bse-expiry-day-shifted-to-thursday-370127',
      },
      confidence: 'high',
    },
  ],
};

/* ----------------------------------------------------------------- holidays */

export interface HolidayYear {
  year: number;
  /** Weekday closures of the F&O segment. */
  dates: readonly string[];
  source: Source;
  confidence: Confidence;
  /** NSE has not published the year: only the dates known in advance are listed. */
  provisional?: true;
  note?: string;
}

/**
 * NSE F&O trading holidays. Weekend sessions (budget days, DR drills) and
 * Muhurat sessions are not represented: isTradingDay is false on every
 * weekend.
 */
export const NSE_HOLIDAYS_BY_YEAR: readonly HolidayYear[] = [
  {
    year: 2024,
    dates: [
      '2024-01-22',
      '2024-01-26',
      '2024-03-08',
      '2024-03-25',
      '2024-03-29',
      '2024-04-11',
      '2024-04-17',
      '2024-05-01',
      '2024-05-20',
      '2024-06-17',
      '2024-07-17',
      '2024-08-15',
      '2024-10-02',
      '2024-11-01',
      '2024-11-15',
      '2024-11-20',
      '2024-12-25',
    ],
    source: {
      title: 'SAS Online: trading holidays for NSE/BSE 2024',
      url: 'https://sasonline.in/trading-holidays-for-nse-bse',
    },
    confidence: 'high',
    note: 'includes the added 01-22 (Ram temple), 05-20 (Lok Sabha election) and 11-20 (Maharashtra election)',
  },
  {
    year: 2025,
    dates: [
      '2025-02-26',
      '2025-03-14',
      '2025-03-31',
      '2025-04-10',
      '2025-04-14',
      '2025-04-18',
      '2025-05-01',
      '2025-08-15',
      '2025-08-27',
      '2025-10-02',
      '2025-10-21',
      '2025-10-22',
      '2025-11-05',
      '2025-12-25',
    ],
    source: {
      title: 'NSE: Trading holidays for the calendar year 2025',
      circular: 'NSE/CMTR/65587 (2024-12-13)',
      url: 'https://www.sakshipost.com/news/national/nse-holidays-2025-full-list-trading-and-market-holidays-370102',
    },
    confidence: 'high',
  },
  {
    year: 2026,
    dates: [
      '2026-01-15',
      '2026-01-26',
      '2026-03-03',
      '2026-03-26',
      '2026-03-31',
      '2026-04-03',
      '2026-04-14',
      '2026-05-01',
      '2026-05-28',
      '2026-06-26',
      '2026-09-14',
      '2026-10-02',
      '2026-10-20',
      '2026-11-10',
      '2026-11-24',
      '2026-12-25',
    ],
    source: {
      title:
        'NSE: Trading holidays for the calendar year 2026 (F&O), with 2026-01-15 added by NSE/FAOP/72262',
      circular: 'NSE/FAOP/71777 (2025-12-12)',
      url: 'https://nsearchives.nseindia.com/content/circulars/FAOP71777.pdf',
    },
    confidence: 'high',
  },
  {
    year: 2027,
    // Not published as of 2026-12-02 (NSE issued the 2025 and 2026 lists in
    // mid-December). Only the fixed-date holidays falling on weekdays are
    // here: Republic Day, Good Friday (Easter is 2027-03-28), Ambedkar
    // Jayanti. Lunar holidays (Holi, Diwali, ...) are missing until NSE
    // publishes; replace this entry with the circular's list.
    dates: ['2027-01-26', '2027-03-26', '2027-04-14'],
    source: {
      title:
        'calendar arithmetic: fixed-date NSE holidays of every year; NSE list not yet published',
    },
    confidence: 'high',
    provisional: true,
  },
];

/* ------------------------------------------------------------------ lookups */

const ADD_IT = 'add it to src/domain/market-facts.ts';

/** The entry of `entries` in force on `date`; throws when the table does not cover it. */
export function inForce<T>(entries: readonly Dated<T>[], date: string, what: string): Dated<T> {
  const entry = entries.find((e) => e.from <= date && (e.until === undefined || date <= e.until));
  if (!entry) throw new Error(`no ${what} in force on ${date}: ${ADD_IT}`);
  return entry;
}

export type ChargeExchange = 'NFO' | 'BFO';

/** The charge rates for trades on `date` (YYYY-MM-DD, IST). */
export function chargeRatesOn(date: string, exchange: ChargeExchange = 'NFO'): ChargeRates {
  const table = NFO_OPTION_CHARGES;
  const at = <K extends keyof ChargeRates>(key: K): ChargeRates[K] =>
    inForce<ChargeRates[K]>(table[key], date, `NFO option charge ${key}`).value;
  const nfo: ChargeRates = {
    brokeragePerOrder: at('brokeragePerOrder'),
    sttSellRate: at('sttSellRate'),
    sttExerciseRate: at('sttExerciseRate'),
    exchangeTxnRate: at('exchangeTxnRate'),
    ipftRate: at('ipftRate'),
    sebiRate: at('sebiRate'),
    stampBuyRate: at('stampBuyRate'),
    gstRate: at('gstRate'),
    ipftInGstBase: at('ipftInGstBase'),
  };
  if (exchange === 'NFO') return nfo;
  const txn = inForce(BFO_EXCHANGE_TXN, date, 'BFO exchange transaction charge').value;
  return { ...nfo, exchangeTxnRate: txn, ipftRate: 0 };
}

export type ContractKind = 'weekly' | 'monthly';

/** The lot of the `kind` contract of `underlying` expiring on `expiry`. */
export function lotSizeOf(underlying: FactUnderlying, expiry: string, kind: ContractKind): number {
  const entries = LOT_SIZES[underlying];
  const firstOf = (e: LotSizeEntry) => (kind === 'weekly' ? (e.weeklyFrom ?? e.from) : e.from);
  const entry = [...entries].reverse().find((e) => firstOf(e) <= expiry);
  if (!entry || expiry < FACTS_START) {
    throw new Error(`no ${underlying} lot size for a contract expiring ${expiry}: ${ADD_IT}`);
  }
  return entry.value;
}

/** The largest quantity one order of `underlying` options may carry on trade date `date`. */
export function freezeQtyOn(underlying: FactUnderlying, date: string): number {
  if (underlying === 'SENSEX')
    return inForce(SENSEX_FREEZE_LIMITS, date, 'SENSEX freeze limit').value;
  return inForce(NSE_FREEZE_LIMITS, date, 'NSE freeze limit').value[underlying];
}

export const expiryRulesOn = (underlying: FactUnderlying, date: string): ExpiryRule =>
  inForce(EXPIRY_RULES[underlying], date, `${underlying} expiry rule`).value;

const HOLIDAY_YEARS = new Map(NSE_HOLIDAYS_BY_YEAR.map((y) => [y.year, y]));

/** NSE's weekday holidays of `year`; empty for a year the table lacks (see holidayCoverage). */
export const holidaysOf = (year: number): readonly string[] => HOLIDAY_YEARS.get(year)?.dates ?? [];

export type HolidayCoverage =
  | { year: number; status: 'published' }
  | { year: number; status: 'provisional' | 'missing'; message: string };

/**
 * Whether the holiday list knows `date`'s year. A provisional year counts as
 * known for paper trading (with a warning); live refuses it like a missing
 * one, because a lunar holiday it lacks would read as a trading day.
 */
export function holidayCoverage(date: string): HolidayCoverage {
  const year = Number(date.slice(0, 4));
  const known = HOLIDAY_YEARS.get(year);
  if (!known)
    return { year, status: 'missing', message: `no NSE holiday list for ${year}: ${ADD_IT}` };
  if (known.provisional) {
    return {
      year,
      status: 'provisional',
      message: `the NSE holiday list for ${year} is provisional (fixed-date holidays only, NSE has not published it): add the published list to src/domain/market-facts.ts`,
    };
  }
  return { year, status: 'published' };
}

/** The one table, for tests and tools that walk every fact. */
export const MARKET_FACTS = {
  charges: { NFO: NFO_OPTION_CHARGES, BFO: { exchangeTxnRate: BFO_EXCHANGE_TXN } },
  lotSizes: LOT_SIZES,
  freezeLimits: { NSE: NSE_FREEZE_LIMITS, SENSEX: SENSEX_FREEZE_LIMITS },
  expiryRules: EXPIRY_RULES,
  expiryHolidayRule: EXPIRY_HOLIDAY_RULE,
  holidays: NSE_HOLIDAYS_BY_YEAR,
} as const;
