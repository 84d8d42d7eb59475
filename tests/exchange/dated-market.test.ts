import { istEpoch } from '../../src/domain/calendar';
import { startTestExchange, type Row } from './helpers';

/**
 * The paper exchange lists NSE as it was on its own date: which expiries
 * exist, their weekdays and lots, and the freeze limit, all from the dated
 * table (src/domain/market-facts.ts). The expected values are NSE's, worked
 * out from the circulars cited there rather than from the table.
 */

type Listing = Record<string, { expiries: string[]; lots: number[] }>;

const expiryOf = (r: Row) => new Date(r.expiry).toISOString().slice(0, 10);

async function listingOn(date: string) {
  const env = await startTestExchange({ now: () => istEpoch(date, '11:00') });
  const rows = (await env.kite.getInstruments('NFO')) as unknown as Row[];
  const listing: Listing = {};
  for (const name of ['NIFTY', 'BANKNIFTY', 'FINNIFTY']) {
    const own = rows.filter((r) => r.name === name);
    listing[name] = {
      expiries: [...new Set(own.map(expiryOf))].sort(),
      lots: [...new Set(own.map((r) => Number(r.lot_size)))],
    };
  }
  return { env, rows, listing };
}

const nearest = (rows: Row[], name: string) => {
  const own = rows.filter((r) => r.name === name && r.instrument_type === 'CE');
  const first = own.map(expiryOf).sort()[0];
  return own.filter((r) => expiryOf(r) === first)[0];
};

describe('a paper exchange dated 2024-10-15', () => {
  it('lists the weeklies of the time, each on its weekday, with the lots of the time', async () => {
    const { env, listing } = await listingOn('2024-10-15');
    try {
      expect(listing).toEqual({
        // Thursday weeklies and last-Thursday monthlies until 2025-08-28; lot 25 from May 2024.
        NIFTY: {
          expiries: [
            '2024-10-17',
            '2024-10-24',
            '2024-10-31',
            '2024-11-07',
            '2024-11-28',
            '2024-12-26',
          ],
          lots: [25],
        },
        // Wednesday weeklies (their last on 2024-11-13), last-Wednesday monthlies from March 2024;
        // 2024-12-25 is a holiday, so December's monthly moves back to Tuesday 2024-12-24. Lot 15.
        BANKNIFTY: {
          expiries: [
            '2024-10-16',
            '2024-10-23',
            '2024-10-30',
            '2024-11-06',
            '2024-11-27',
            '2024-12-24',
          ],
          lots: [15],
        },
        // Tuesday weeklies (their last on 2024-11-19), the day's own expiry included; lot 25.
        FINNIFTY: {
          expiries: [
            '2024-10-15',
            '2024-10-22',
            '2024-10-29',
            '2024-11-05',
            '2024-11-26',
            '2024-12-31',
          ],
          lots: [25],
        },
      });
    } finally {
      await env.ex.close();
    }
  });

  it("refuses one unit over that day's BANKNIFTY freeze limit of 900 and accepts the limit", async () => {
    const { env, rows } = await listingOn('2024-10-15');
    try {
      const ce = nearest(rows, 'BANKNIFTY');
      const order = (quantity: number) =>
        env.kite.placeOrder('regular', {
          exchange: 'NFO',
          tradingsymbol: ce.tradingsymbol,
          transaction_type: 'BUY',
          quantity,
          product: 'NRML',
          order_type: 'LIMIT',
          price: 0.05,
        } as never);
      await expect(order(915)).rejects.toMatchObject({
        error_type: 'InputException',
        message:
          'The order quantity 915 (61 lots) is higher than the maximum quantity of 900 (60 lots) allowed by the exchanges. Please reduce the order quantity or use iceberg orders.',
      });
      await expect(order(900)).resolves.toMatchObject({ order_id: expect.any(String) });
    } finally {
      await env.ex.close();
    }
  });
});

describe('a paper exchange dated 2026-12-02', () => {
  it('lists NIFTY weeklies only; every monthly is the last Tuesday, moved back over a holiday', async () => {
    const { env, listing } = await listingOn('2026-12-02');
    try {
      // January 2027's last Tuesday is Republic Day: its monthly expires Monday 2027-01-25.
      const monthlies = ['2026-12-29', '2027-01-25', '2027-02-23'];
      expect(listing).toEqual({
        NIFTY: { expiries: ['2026-12-08', '2026-12-15', '2026-12-22', ...monthlies], lots: [65] },
        BANKNIFTY: { expiries: monthlies, lots: [30] },
        FINNIFTY: { expiries: monthlies, lots: [60] },
      });
    } finally {
      await env.ex.close();
    }
  });
});
