import { istEpoch } from '../../src/domain/calendar';
import { atmOption, startTestExchange, type Row } from './helpers';

/**
 * POST /charges/orders (Kite's virtual contract note) through the official
 * client's getvirtualContractNote, and /user/margins in Kite's shape. The
 * shapes follow zerodha/kiteconnect-mocks (virtual_contract_note.json,
 * margins.json); the figures are worked by hand from the rates cited in
 * src/domain/market-facts.ts.
 */

type Env = Awaited<ReturnType<typeof startTestExchange>>;
type NoteOrder = Parameters<Env['kite']['getvirtualContractNote']>[0][number];

const note = (over: Partial<NoteOrder> & Pick<NoteOrder, 'tradingsymbol'>): NoteOrder => ({
  order_id: 'hypothetical-1',
  exchange: 'NFO',
  transaction_type: 'BUY',
  variety: 'regular',
  product: 'NRML',
  order_type: 'LIMIT',
  quantity: 65,
  average_price: 100,
  ...over,
});

const closeTo = (n: number) => expect.closeTo(n, 9);

describe('virtual contract note', () => {
  let clock = istEpoch('2026-03-30', '11:00');
  let env: Env;
  let ce: Row;
  let boughtOn30March: string;
  beforeAll(async () => {
    env = await startTestExchange({ now: () => clock, tickIntervalMs: 60_000 });
    ce = await atmOption(env.kite);
    await env.control.pinPrice(Number(ce.instrument_token), 100);
    ({ order_id: boughtOn30March } = await env.kite.placeOrder('regular', {
      exchange: 'NFO',
      tradingsymbol: ce.tradingsymbol,
      transaction_type: 'BUY',
      quantity: 65,
      product: 'NRML',
      order_type: 'LIMIT',
      price: 100,
    } as never));
    clock = istEpoch('2026-04-01', '11:00');
  });
  afterAll(() => env.ex.close());

  it("answers each order in Kite's shape, unrounded, at the rates of the exchange's day", async () => {
    const [buy, sell] = await env.kite.getvirtualContractNote([
      note({ tradingsymbol: ce.tradingsymbol }),
      note({
        order_id: 'hypothetical-2',
        tradingsymbol: ce.tradingsymbol,
        transaction_type: 'SELL',
        average_price: 120,
      }),
    ]);
    // 2026-04-01. Buy 6,500 of premium: exchange 0.03552% + IPFT 0.00001% = 2.30945,
    // SEBI 0.0065, stamp 0.003% = 0.195, GST 18% x (20 + 2.3088 + 0.0065) = 4.016754.
    expect(buy).toEqual({
      transaction_type: 'BUY',
      tradingsymbol: ce.tradingsymbol,
      exchange: 'NFO',
      variety: 'regular',
      product: 'NRML',
      order_type: 'LIMIT',
      quantity: 65,
      price: 100,
      charges: {
        transaction_tax: 0,
        transaction_tax_type: 'stt',
        exchange_turnover_charge: closeTo(2.30945),
        sebi_turnover_charge: closeTo(0.0065),
        brokerage: 20,
        stamp_duty: closeTo(0.195),
        gst: { igst: closeTo(4.016754), cgst: 0, sgst: 0, total: closeTo(4.016754) },
        total: closeTo(26.527704),
      },
    });
    // Sell 7,800: STT 0.15% (Finance Act 2026) = 11.70, exchange 2.77134, SEBI 0.0078,
    // GST 18% x (20 + 2.77056 + 0.0078) = 4.1001048.
    expect(sell.charges).toEqual({
      transaction_tax: closeTo(11.7),
      transaction_tax_type: 'stt',
      exchange_turnover_charge: closeTo(2.77134),
      sebi_turnover_charge: closeTo(0.0078),
      brokerage: 20,
      stamp_duty: 0,
      gst: { igst: closeTo(4.1001048), cgst: 0, sgst: 0, total: closeTo(4.1001048) },
      total: closeTo(38.5792448),
    });
  });

  it('charges an order this exchange filled at the rates of the day it filled', async () => {
    // Sold on 2026-03-30 the same order would pay 0.1% STT; its fill date decides, not today.
    const asSell = { tradingsymbol: ce.tradingsymbol, transaction_type: 'SELL' as const };
    const [filled] = await env.kite.getvirtualContractNote([
      note({ ...asSell, order_id: boughtOn30March }),
    ]);
    const [today] = await env.kite.getvirtualContractNote([note(asSell)]);
    expect(filled.charges.transaction_tax).toBeCloseTo(6.5, 9);
    expect(today.charges.transaction_tax).toBeCloseTo(9.75, 9);
  });

  it.each([
    ['a missing quantity', { quantity: undefined }, '`[0].quantity`'],
    ['a zero average price', { average_price: 0 }, '`[0].average_price`'],
    ['an exchange the paper exchange does not list', { exchange: 'MCX' }, '`[0].exchange`'],
  ])('refuses %s with InputException naming the field', async (_case, over, field) => {
    const order = { ...note({ tradingsymbol: ce.tradingsymbol }), ...over } as NoteOrder;
    await expect(env.kite.getvirtualContractNote([order])).rejects.toMatchObject({
      error_type: 'InputException',
      message: expect.stringContaining(field),
    });
  });

  it('refuses an empty list', async () => {
    await expect(env.kite.getvirtualContractNote([])).rejects.toMatchObject({
      error_type: 'InputException',
    });
  });
});

describe('/user/margins', () => {
  it("carries the equity and commodity segments, each with every field of Kite's", async () => {
    const env = await startTestExchange();
    try {
      const margins = (await env.kite.getMargins()) as unknown as Record<
        string,
        Record<string, unknown>
      >;
      const shape = (segment: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(segment).map(([k, v]) => [
            k,
            typeof v === 'object' && v !== null ? Object.keys(v).sort() : typeof v,
          ]),
        );
      const kiteShape = {
        enabled: 'boolean',
        net: 'number',
        available: [
          'adhoc_margin',
          'cash',
          'collateral',
          'intraday_payin',
          'live_balance',
          'opening_balance',
        ],
        utilised: [
          'debits',
          'delivery',
          'exposure',
          'holding_sales',
          'liquid_collateral',
          'm2m_realised',
          'm2m_unrealised',
          'option_premium',
          'payout',
          'span',
          'stock_collateral',
          'turnover',
        ],
      };
      expect(Object.keys(margins).sort()).toEqual(['commodity', 'equity']);
      expect(shape(margins.equity)).toEqual(kiteShape);
      expect(shape(margins.commodity)).toEqual(kiteShape);
      // No MCX funds in the paper account: the segment is off and empty.
      expect(margins.commodity).toMatchObject({ enabled: false, net: 0 });
      expect(Object.values(margins.commodity.available as object).every((v) => v === 0)).toBe(true);
      expect(await env.kite.getMargins('commodity')).toEqual(margins.commodity);
    } finally {
      await env.ex.close();
    }
  });
});
