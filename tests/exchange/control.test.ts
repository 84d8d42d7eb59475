import http from 'node:http';
import { MAX_BODY_BYTES } from '../../src/exchange/rest/http';
import { atmOption, CREDS, startTestExchange, type Row } from './helpers';

let env: Awaited<ReturnType<typeof startTestExchange>>;
let row: Row;
let token: number;

beforeAll(async () => {
  env = await startTestExchange();
  row = await atmOption(env.kite);
  token = Number(row.instrument_token);
});
afterAll(() => env.ex.close());

interface Answer {
  status: number;
  body: { status: string; message?: string; error_type?: string };
}

/** One raw request; `chunked` sends the body without a Content-Length, as a stream would. */
function send(
  method: string,
  path: string,
  body: string,
  options: { chunked?: boolean; auth?: string } = {},
): Promise<Answer> {
  const url = new URL(path, env.ex.restUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method,
      headers: {
        'Content-Type': 'application/json',
        ...(options.auth && { Authorization: options.auth }),
        ...(!options.chunked && { 'Content-Length': Buffer.byteLength(body) }),
      },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    // The server may stop reading and close once it has answered; the answer is what counts.
    req.on('error', (err) => answered || reject(err));
    if (options.chunked)
      for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
    else req.write(body);
    req.end();
  });
}

const json = (value: unknown) => JSON.stringify(value);

describe('/_control bodies', () => {
  it.each([
    ['a token that is not a number', 'POST /pin', () => ({ token: 'x', ltp: 5 }), 'token: '],
    ['a price that is not a number', 'POST /pin', () => ({ token, ltp: 'high' }), 'ltp: '],
    ['a field the route does not take', 'POST /pin', () => ({ token, ltp: 5, ltP: 6 }), 'ltP: '],
    ['an unlisted token', 'POST /unpin', () => ({ token: 12345 }), 'token: no instrument 12345'],
    ['an unknown index', 'POST /spot', () => ({ underlying: 'SENSEX', spot: 1 }), 'underlying: '],
    ['a zero spot', 'POST /spot', () => ({ underlying: 'NIFTY', spot: 0 }), 'spot: '],
    [
      'an empty price script',
      'POST /script',
      () => ({ token, prices: [], intervalMs: 10 }),
      'prices: ',
    ],
    [
      'a script without an interval',
      'POST /script',
      () => ({ token, prices: [1] }),
      'intervalMs: ',
    ],
    [
      'a negative rejection count',
      'POST /faults',
      () => ({ rejectOrders: { count: -1, reason: 'x' } }),
      'rejectOrders.count: ',
    ],
    [
      'an HTTP status it cannot inject',
      'POST /faults',
      () => ({ failRequests: { count: 1, status: 503 } }),
      'failRequests.status: ',
    ],
    ['a misspelt fault', 'POST /faults', () => ({ latency: 300 }), 'latency: '],
    ['a pause that is not a boolean', 'POST /ticks', () => ({ paused: 'yes' }), 'paused: '],
    ['a body where none is taken', 'DELETE /faults', () => ({ all: true }), 'all: '],
    ['a body that is not an object', 'POST /pin', () => [token, 5], 'body: '],
  ])('refuses %s with a 400 naming the field', async (_case, route, body, message) => {
    const [method, path] = route.split(' ');
    const answer = await send(method, `/_control${path}`, json(body()));
    expect(answer).toEqual({
      status: 400,
      body: expect.objectContaining({
        error_type: 'InputException',
        message: expect.stringContaining(message),
      }),
    });
  });

  it('refuses a body that is not JSON, and an unknown route with 404', async () => {
    expect((await send('POST', '/_control/pin', '{"token":')).body.message).toBe(
      'body: expected JSON',
    );
    expect((await send('POST', '/_control/nowhere', '{}')).status).toBe(404);
  });

  it('takes the bodies the control client sends', async () => {
    await env.control.injectFaults({ rejectOrders: { count: 1, reason: 'r' }, latencyMs: 0 });
    await env.control.clearFaults();
    await env.control.setSpot('NIFTY', (await env.control.spots()).NIFTY);
    await env.control.pinPrice(token, 0);
    await env.control.pauseTicks(false);
    expect((await env.kite.getLTP([String(token)]))[String(token)].last_price).toBe(0);
    await env.control.unpin(token);
  });
});

describe('clearing every pin', () => {
  it('returns pinned and scripted contracts to the market price at once and stops the scripts', async () => {
    const put = Number((await atmOption(env.kite, 'NIFTY', 'PE')).instrument_token);
    const bank = Number((await atmOption(env.kite, 'BANKNIFTY')).instrument_token);
    await env.control.pinPrice(token, 111.1);
    await env.control.pinPrice(put, 222.2);
    await env.control.scriptPrices(bank, [50, 60, 70], 100);
    expect(await env.control.unpinAll()).toBe(3);
    await new Promise((r) => setTimeout(r, 350));
    const quotes = (await env.kite.getQuote([token, put, bank].map(String))) as Record<
      string,
      { last_price: number; depth: { buy: { price: number }[]; sell: { price: number }[] } }
    >;
    for (const [t, pinned] of [
      [token, 111.1],
      [put, 222.2],
      [bank, 50],
    ]) {
      const q = quotes[String(t)];
      // A pin quotes bid = ask = ltp; the market's own book always has a spread.
      expect(q.depth.sell[0].price).toBeGreaterThan(q.depth.buy[0].price);
      expect(q.last_price).not.toBe(pinned);
    }
    expect(quotes[String(bank)].last_price).not.toBe(70);
    expect(await env.control.unpinAll()).toBe(0);
  });
});

describe('request body size', () => {
  const over = 'x'.repeat(MAX_BODY_BYTES + 1);
  const auth = `token ${CREDS.apiKey}:${CREDS.accessToken}`;

  it.each([
    ['declared by Content-Length', {}],
    ['streamed without a length', { chunked: true }],
  ])('answers 413 to a body over the limit %s, before authentication', async (_how, how) => {
    for (const path of ['/orders/regular', '/_control/pin']) {
      const answer = await send('POST', path, over, { ...how, auth: 'token x:y' });
      expect([path, answer.status, answer.body.message]).toEqual([
        path,
        413,
        `body: larger than ${MAX_BODY_BYTES} bytes`,
      ]);
    }
  });

  it('reads a body at the limit and then authenticates it', async () => {
    const atLimit = `tag=${'x'.repeat(MAX_BODY_BYTES - 4)}`;
    expect((await send('POST', '/orders/regular', atLimit, { auth: 'token x:y' })).status).toBe(
      403,
    );
    const placed = await send('POST', '/orders/regular', atLimit, { auth });
    expect(placed.body).toMatchObject({ status: 'error', error_type: 'InputException' });
  });
});
