import { istEpoch } from '../../src/domain/calendar';
import { UNDERLYING_SPECS } from '../../src/domain/instruments';
import { listedExpiries } from '../../src/exchange/market/instrument';
import { startTestExchange, type Row } from './helpers';

/** YYYY-MM-DD of a dump row's expiry, which kiteconnect parses into a Date at UTC midnight. */
const expiryOf = (r: Row) => new Date(r.expiry).toISOString().slice(0, 10);

describe('the listing follows the exchange clock', () => {
  it("lists the clock's IST day and, after midnight, the next day's contracts around the spot of the moment", async () => {
    // A monthly expiry Tuesday: its contracts are listed until midnight and gone after it.
    let clock = istEpoch('2026-12-29', '15:00');
    const env = await startTestExchange({ now: () => clock, tickIntervalMs: 60_000 });
    try {
      const nifty = async () =>
        ((await env.kite.getInstruments('NFO')) as unknown as Row[]).filter(
          (r) => r.name === 'NIFTY',
        );
      const expiring = (await nifty()).find(
        (r) => expiryOf(r) === '2026-12-29' && r.instrument_type === 'CE',
      )!;
      expect([...new Set((await nifty()).map(expiryOf))]).toEqual(
        listedExpiries('NIFTY', '2026-12-29'),
      );
      await env.control.pinPrice(Number(expiring.instrument_token), 10);
      await env.kite.placeOrder('regular', {
        exchange: 'NFO',
        tradingsymbol: expiring.tradingsymbol,
        transaction_type: 'BUY',
        quantity: 65,
        product: 'NRML',
        order_type: 'LIMIT',
        price: 10,
      } as never);
      await env.control.unpin(Number(expiring.instrument_token));
      const spot = (await env.control.spots()).NIFTY + 1000;
      await env.control.setSpot('NIFTY', spot);

      clock = istEpoch('2026-12-30', '00:00') + 1;
      const next = await nifty();
      expect([...new Set(next.map(expiryOf))]).toEqual(listedExpiries('NIFTY', '2026-12-30'));
      // Quoted from the moment they are listed, with the listing price as the day's close.
      const newKeys = next.map((r) => `NFO:${r.tradingsymbol}`);
      const ltps = await env.kite.getLTP(newKeys);
      expect(Object.keys(ltps).sort()).toEqual([...newKeys].sort());
      expect(next.map((r) => r.last_price)).toEqual(newKeys.map((k) => ltps[k].last_price));
      const strikes = next.map((r) => Number(r.strike));
      const step = UNDERLYING_SPECS.NIFTY.strikeStep;
      const atm = Math.round(spot / step) * step;
      expect([Math.min(...strikes), Math.max(...strikes)]).toEqual([
        atm - 4 * step,
        atm + 4 * step,
      ]);

      // Yesterday's contract is off the dump, yet still quoted; the position held through its
      // expiry close was settled on the expiry day (tests/exchange/expiry.test.ts), so it is flat
      // and today's positions are empty, because the session date moved with the clock.
      const key = `NFO:${expiring.tradingsymbol}`;
      expect(next.map((r) => r.tradingsymbol)).not.toContain(expiring.tradingsymbol);
      expect(Object.keys(await env.kite.getLTP([key]))).toEqual([key]);
      const { net, day } = (await env.kite.getPositions()) as unknown as {
        net: Array<{ tradingsymbol: string; quantity: number; sell_quantity: number }>;
        day: Array<{ tradingsymbol: string }>;
      };
      expect(net).toEqual([
        expect.objectContaining({
          tradingsymbol: expiring.tradingsymbol,
          quantity: 0,
          sell_quantity: 65,
        }),
      ]);
      expect(day).toEqual([]);
    } finally {
      await env.ex.close();
    }
  });
});
