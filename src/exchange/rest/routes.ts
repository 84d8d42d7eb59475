import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { KiteError } from '../errors';
import type { FaultState } from '../faults';
import { instrumentsCsv } from '../instruments-dump';
import type { Market } from '../market/market';
import type { MatchingEngine } from '../matching/engine';
import { commodityMargins } from '../matching/portfolio';
import type { RateLimiter } from '../rate-limit';
import { paperProfile, type SessionBook } from '../session/session-book';
import { virtualContractNote } from './charges';
import { historicalCandles } from './historical';
import { asKiteError, paramsOf, readBody, sendCsv, sendData, sendError } from './http';
import { quotesFor } from './quotes';

export interface ApiContext {
  engine: MatchingEngine;
  market: Market;
  faults: FaultState;
  seed: number;
  now: () => number;
  sessions: Pick<SessionBook, 'accepts'>;
  userId: string;
  requestLimiter: RateLimiter;
  orderLimiter: RateLimiter;
  /** Resolves once everything the engine has recorded is on disk: no answer reports less. */
  durable: () => Promise<void>;
}

type Params = Record<string, string>;
interface Csv {
  csv: string;
}
interface Route {
  method: string;
  path: RegExp;
  /** Order writes count against ordersPerSecond too. */
  orderWrite?: 'place' | 'modify' | 'cancel';
  handle(ctx: ApiContext, m: string[], p: Params, url: URL, body: string): unknown;
}

const variety = (v: string) => {
  if (v !== 'regular')
    throw new KiteError(
      'InputException',
      `Invalid \`variety\` "${v}": the paper exchange takes regular orders only.`,
    );
};

const ROUTES: Route[] = [
  {
    method: 'GET',
    path: /^\/instruments$/,
    handle: (c): Csv => ({ csv: instrumentsCsv(c.market) }),
  },
  {
    method: 'GET',
    path: /^\/instruments\/(NFO|NSE)$/,
    handle: (c, m): Csv => ({ csv: instrumentsCsv(c.market, m[1]) }),
  },
  {
    method: 'GET',
    path: /^\/instruments\/historical\/(\d+)\/(\w+)$/,
    handle: (c, m, p) =>
      historicalCandles({
        instrument: c.market.instrument(Number(m[1])),
        interval: m[2],
        from: p.from,
        to: p.to,
        oi: p.oi === '1',
        seed: c.seed,
        now: c.now(),
        tape: c.market.tape,
      }),
  },
  {
    method: 'GET',
    path: /^\/quote$/,
    handle: (c, _m, _p, u) => quotesFor(c.market, u.searchParams.getAll('i'), 'quote'),
  },
  {
    method: 'GET',
    path: /^\/quote\/ltp$/,
    handle: (c, _m, _p, u) => quotesFor(c.market, u.searchParams.getAll('i'), 'ltp'),
  },
  {
    method: 'GET',
    path: /^\/quote\/ohlc$/,
    handle: (c, _m, _p, u) => quotesFor(c.market, u.searchParams.getAll('i'), 'ohlc'),
  },
  {
    method: 'POST',
    path: /^\/orders\/(\w+)$/,
    orderWrite: 'place',
    handle: (c, m, p) => (variety(m[1]), { order_id: c.engine.place(p) }),
  },
  {
    method: 'PUT',
    path: /^\/orders\/(\w+)\/(\w+)$/,
    orderWrite: 'modify',
    handle: (c, m, p) => (variety(m[1]), { order_id: c.engine.modify(m[2], p) }),
  },
  {
    method: 'DELETE',
    path: /^\/orders\/(\w+)\/(\w+)$/,
    orderWrite: 'cancel',
    handle: (c, m) => (variety(m[1]), { order_id: c.engine.cancel(m[2]) }),
  },
  { method: 'GET', path: /^\/orders$/, handle: (c) => c.engine.list() },
  { method: 'GET', path: /^\/orders\/(\w+)\/trades$/, handle: (c, m) => c.engine.tradesOf(m[1]) },
  { method: 'GET', path: /^\/orders\/(\w+)$/, handle: (c, m) => c.engine.history(m[1]) },
  { method: 'GET', path: /^\/trades$/, handle: (c) => c.engine.allTrades() },
  { method: 'GET', path: /^\/portfolio\/positions$/, handle: (c) => c.engine.positions() },
  {
    method: 'GET',
    path: /^\/user\/margins$/,
    handle: (c) => ({ equity: c.engine.margins(), commodity: commodityMargins() }),
  },
  { method: 'GET', path: /^\/user\/margins\/equity$/, handle: (c) => c.engine.margins() },
  { method: 'GET', path: /^\/user\/margins\/commodity$/, handle: () => commodityMargins() },
  // JSON, unlike the form-encoded order calls: kiteconnect's getvirtualContractNote posts the array.
  {
    method: 'POST',
    path: /^\/charges\/orders$/,
    handle: (c, _m, _p, _u, b) => virtualContractNote(c, b),
  },
  {
    method: 'GET',
    path: /^\/user\/profile$/,
    handle: (c) => paperProfile(c.userId),
  },
];

/** `Authorization: token api_key:access_token`, judged by the session book (expired and invalidated tokens fail). */
function authorise(ctx: ApiContext, req: IncomingMessage): void {
  const pair = /^token ([^:\s]+):(\S+)$/.exec(req.headers.authorization ?? '');
  if (!pair || !ctx.sessions.accepts(pair[1], pair[2])) {
    throw new KiteError('TokenException', 'Incorrect `api_key` or `access_token`.');
  }
}

const TOO_MANY = new KiteError('NetworkException', 'Too many requests', 429);

/** One Kite API call: auth, rate limits, injected faults, then the route. */
export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  try {
    const body = await readBody(req);
    const route = ROUTES.find((r) => r.method === req.method && r.path.test(url.pathname));
    if (!route) throw new KiteError('GeneralException', 'Route not found', 404);
    authorise(ctx, req);
    if (!ctx.requestLimiter.tryTake()) throw TOO_MANY;
    if (route.orderWrite && !ctx.orderLimiter.tryTake()) throw TOO_MANY;
    // A slow broker is slow to say no too, so latency comes before any injected answer.
    if (ctx.faults.latencyMs > 0) await sleep(ctx.faults.latencyMs);
    const refusal = ctx.faults.takeRefusal(req.method ?? 'GET', url.pathname);
    if (refusal) throw new KiteError(refusal.errorType, `${refusal.message} (injected)`);
    const failure = ctx.faults.takeFailure(req.method ?? 'GET', url.pathname);
    if (failure === 429) throw TOO_MANY;
    if (failure === 500)
      throw new KiteError('GeneralException', 'Internal server error (injected)', 500);
    const match = route.path.exec(url.pathname) ?? [];
    const result = route.handle(ctx, match, paramsOf(url, body), url, body);
    await ctx.durable();
    if (route.orderWrite === 'place' && ctx.faults.orderAckDelayMs > 0)
      await sleep(ctx.faults.orderAckDelayMs);
    // The ambiguous case: the order is recorded, the client never hears back.
    if (route.orderWrite === 'place' && ctx.faults.takeDroppedResponse()) {
      req.socket.destroy();
      return;
    }
    if (typeof result === 'object' && result !== null && 'csv' in result)
      sendCsv(res, (result as Csv).csv);
    else sendData(res, result);
  } catch (err) {
    sendError(res, asKiteError(err));
  }
}
