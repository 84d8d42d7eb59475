import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isMarketOpen } from '../domain/calendar';
import type { Config } from '../config/schema';
import { PAPER_CREDENTIALS } from '../config/secrets';
import { Control } from './control';
import { KiteError } from './errors';
import { FaultState } from './faults';
import { CandleTape, type TapeEntry } from './market/candle-tape';
import { Market } from './market/market';
import { MatchingEngine, type EngineEvent } from './matching/engine';
import type { KiteOrder } from './matching/order-types';
import { RateLimiter } from './rate-limit';
import { sendError } from './rest/http';
import { handleApi } from './rest/routes';
import { handleSession, isSessionPath } from './rest/session-routes';
import { SessionBook } from './session/session-book';
import { Journal } from './store/journal';
import { TickerServer } from './ticker/server';

export interface ExchangeOptions extends Omit<Config['exchange'], 'port'> {
  port: number;
  /**
   * Defaults to KITE_API_KEY / KITE_ACCESS_TOKEN / KITE_API_SECRET, else the
   * well-known paper credentials. The access token is the static one, valid
   * until invalidated; the secret checks login checksums.
   */
  credentials?: { apiKey: string; accessToken: string; apiSecret?: string };
  /** Clock for the market and the session; tests pin it for determinism. */
  now?: () => number;
}

/**
 * What the exchange did and when, for benchmarks and monitors in the same
 * process: listeners run synchronously at the moment it happens, so a
 * timestamp taken inside one is the exchange's own.
 */
export interface ExchangeEvents {
  /** Every recorded order state; a new order first appears as 'PUT ORDER REQ RECEIVED'. */
  order: [order: KiteOrder];
  /** Ticks have just been written to the ticker connections: the last price of each token sent. */
  ticks: [ltps: ReadonlyMap<number, number>];
  /** An API request arrived (before authentication): how a test counts what the client asked. */
  request: [method: string, path: string];
}

export interface RunningExchange {
  restUrl: string;
  tickerUrl: string;
  port: number;
  events: EventEmitter<ExchangeEvents>;
  close(): Promise<void>;
}

const USER_ID = 'PAPER1';

export function defaultCredentials(env: NodeJS.ProcessEnv = process.env) {
  return {
    apiKey: env.KITE_API_KEY ?? PAPER_CREDENTIALS.apiKey,
    accessToken: env.KITE_ACCESS_TOKEN ?? PAPER_CREDENTIALS.accessToken,
    apiSecret: env.KITE_API_SECRET ?? PAPER_CREDENTIALS.apiSecret,
  };
}

export async function startExchange(options: ExchangeOptions): Promise<RunningExchange> {
  const now = options.now ?? Date.now;
  const credentials = options.credentials ?? defaultCredentials();
  const isSessionOpen = options.session === 'always-open' ? () => true : isMarketOpen;
  const tape = new CandleTape(
    { start: now(), isSessionOpen },
    Journal.open<TapeEntry>(path.join(options.dataDir, 'candles.jsonl')),
  );
  const market = new Market({
    seed: options.seed,
    strikesAroundSpot: options.strikesAroundSpot,
    now,
    tape,
  });
  const faults = new FaultState();
  const events = new EventEmitter<ExchangeEvents>();
  const sessions = SessionBook.in(options.dataDir, {
    apiKey: credentials.apiKey,
    apiSecret: credentials.apiSecret ?? PAPER_CREDENTIALS.apiSecret,
    staticToken: credentials.accessToken,
    userId: USER_ID,
    now,
    tokenExpiry: options.tokenExpiry,
  });
  const ticker = new TickerServer(market, (apiKey, token) => sessions.accepts(apiKey, token));
  const { journal, events: journalled } = Journal.open<EngineEvent>(
    path.join(options.dataDir, 'journal.jsonl'),
  );
  const engine = new MatchingEngine(
    {
      market,
      now,
      capital: options.accountCapital,
      partialFillRatio: options.partialFillRatio,
      isSessionOpen,
      persist: (events) => {
        journal.write(...events);
        return journal.synced();
      },
      onOrderUpdate: (o) => {
        if (!faults.orderUpdatesMuted) ticker.sendOrderUpdate(o);
        events.emit('order', o);
      },
      injectedRejection: () => faults.takeRejection(),
      loweredFreezeLimit: (underlying) => faults.freezeLimitOf(underlying),
      userId: USER_ID,
    },
    journalled,
  );
  const onPriceChange = () => {
    engine.match();
    ticker.broadcastTicks();
    // Collecting what was published costs a pass over the subscriptions; only pay it when watched.
    if (events.listenerCount('ticks') === 0 || ticker.paused) return;
    const ltps = new Map<number, number>();
    for (const token of ticker.subscribedTokens()) {
      const ltp = market.quote(token)?.ltp;
      if (ltp !== undefined) ltps.set(token, ltp);
    }
    events.emit('ticks', ltps);
  };
  const control = new Control({ market, faults, ticker, sessions, onPriceChange });
  const api = {
    engine,
    market,
    faults,
    seed: options.seed,
    now,
    sessions,
    userId: USER_ID,
    durable: () => journal.synced(),
    // Rate limits measure real elapsed time, whatever day the market clock says it is.
    requestLimiter: new RateLimiter(options.requestsPerSecond, Date.now),
    orderLimiter: new RateLimiter(options.ordersPerSecond, Date.now),
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://exchange');
    if (isSessionPath(url.pathname))
      return void handleSession(
        { sessions, loginRedirectUrl: options.loginRedirectUrl },
        req,
        res,
        url,
      );
    if (!url.pathname.startsWith('/_control')) {
      events.emit('request', req.method ?? 'GET', url.pathname);
      return void handleApi(api, req, res, url);
    }
    if (options.control.enabled) return void control.handle(req, res, url);
    sendError(res, new KiteError('GeneralException', 'Route not found', 404));
  });
  server.on('upgrade', (req, socket, head) => {
    // Until the WebSocket owns it, a client that resets the handshake (a refused token
    // retried at once) would raise an unhandled ECONNRESET and take the exchange down.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://exchange');
    if (url.pathname === '/ws') ticker.handleUpgrade(req, socket, head, url);
    else socket.destroy();
  });

  const tick = setInterval(() => {
    const t = now();
    if (!isSessionOpen(t)) return;
    market.step(t);
    onPriceChange();
  }, options.tickIntervalMs);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    restUrl: `http://${options.host}:${port}`,
    tickerUrl: `ws://${options.host}:${port}/ws`,
    port,
    events,
    async close() {
      clearInterval(tick);
      control.close();
      await ticker.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      journal.close();
      sessions.close();
      tape.close();
      events.removeAllListeners();
    },
  };
}
