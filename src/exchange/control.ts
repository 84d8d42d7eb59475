import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { underlyingSchema } from '../config/schema';
import { inputError, KiteError } from './errors';
import type { Faults, FaultState } from './faults';
import type { Market } from './market/market';
import type { SessionBook } from './session/session-book';
import { asKiteError, readBody, sendData, sendError } from './rest/http';
import type { TickerServer } from './ticker/server';

export interface ControlContext {
  market: Market;
  faults: FaultState;
  ticker: TickerServer;
  sessions: Pick<SessionBook, 'expireAll'>;
  /** Re-run matching and push ticks after a forced price change, so a pinned price acts at once. */
  onPriceChange: () => void;
}

const count = z.number().int().nonnegative();
const token = z.number().int().positive();
const routePrefix = z.string().regex(/^(GET|POST|PUT|DELETE) \//, 'expected "METHOD /path"');
const none = z.strictObject({});

/** Every control body, by route; unknown fields are refused so a typo cannot pass for a fault. */
const BODIES = {
  'GET /spots': none,
  'POST /spot': z.strictObject({ underlying: underlyingSchema, spot: z.number().positive() }),
  // Any finite price, zero and below included: tests feed the worker absurd ticks on purpose.
  'POST /pin': z.strictObject({ token, ltp: z.number() }),
  'POST /script': z.strictObject({
    token,
    prices: z.array(z.number().positive()).min(1),
    intervalMs: z.number().int().positive(),
  }),
  'POST /unpin': z.strictObject({ token }),
  'DELETE /pins': none,
  'POST /faults': z.strictObject({
    rejectOrders: z.strictObject({ count, reason: z.string().min(1) }).optional(),
    latencyMs: count.optional(),
    orderAckDelayMs: count.optional(),
    dropOrderResponses: count.optional(),
    muteOrderUpdates: z.boolean().optional(),
    failRequests: z
      .strictObject({
        count,
        status: z.union([z.literal(500), z.literal(429)]),
        route: routePrefix.optional(),
      })
      .optional(),
    refuseRequests: z
      .array(
        z.strictObject({
          route: routePrefix,
          count,
          errorType: z.enum([
            'InputException',
            'OrderException',
            'GeneralException',
            'TokenException',
          ]),
          message: z.string().min(1),
        }),
      )
      .optional(),
    freezeLimits: z
      .strictObject({
        NIFTY: z.number().int().positive().optional(),
        BANKNIFTY: z.number().int().positive().optional(),
        FINNIFTY: z.number().int().positive().optional(),
      })
      .optional(),
  }) satisfies z.ZodType<Faults>,
  'DELETE /faults': none,
  'POST /ticks': z.strictObject({ paused: z.boolean() }),
  'POST /ticker/drop': none,
  // As if 06:00 IST had come for every issued session; the static token only when asked.
  'POST /sessions/expire': z.strictObject({ includeStatic: z.boolean().optional() }),
} as const;

type Route = keyof typeof BODIES;
type BodyOf<R extends Route> = z.infer<(typeof BODIES)[R]>;

const isRoute = (route: string): route is Route => Object.hasOwn(BODIES, route);

/** The body as its route's schema reads it, or a 400 naming each field that is wrong. */
function parseBody<R extends Route>(route: R, body: unknown): BodyOf<R> {
  const parsed = BODIES[route].safeParse(body);
  if (parsed.success) return parsed.data as BodyOf<R>;
  const problems = parsed.error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? i.keys : [];
    const field = [...i.path, ...keys.slice(0, 1)].map(String).join('.') || 'body';
    return `${field}: ${i.message}`;
  });
  throw inputError(problems.join('; '));
}

/**
 * Test-only endpoints under /_control. Scripted price paths replay one price
 * per interval and then hold the last one.
 */
export class Control {
  private readonly scripts = new Map<number, NodeJS.Timeout>();

  constructor(private readonly ctx: ControlContext) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const route = `${req.method} ${url.pathname.slice('/_control'.length)}`;
      const text = await readBody(req);
      if (!isRoute(route))
        throw new KiteError('GeneralException', `No control route ${route}`, 404);
      sendData(res, this.route(route, text ? JSON.parse(text) : {}));
    } catch (err) {
      sendError(
        res,
        err instanceof SyntaxError ? inputError('body: expected JSON') : asKiteError(err),
      );
    }
  }

  close(): void {
    for (const t of this.scripts.values()) clearInterval(t);
    this.scripts.clear();
  }

  private route(route: Route, body: unknown): unknown {
    const { market, faults, ticker } = this.ctx;
    switch (route) {
      case 'GET /spots':
        parseBody(route, body);
        return Object.fromEntries(underlyingSchema.options.map((u) => [u, market.spot(u)]));
      case 'POST /spot': {
        const { underlying, spot } = parseBody(route, body);
        market.setSpot(underlying, spot);
        this.ctx.onPriceChange();
        return { underlying, spot: market.spot(underlying) };
      }
      case 'POST /pin': {
        const b = parseBody(route, body);
        this.listed(b.token);
        this.stopScript(b.token);
        this.pin(b.token, b.ltp);
        return market.quote(b.token);
      }
      case 'POST /script': {
        const b = parseBody(route, body);
        return this.script(this.listed(b.token), b.prices, b.intervalMs);
      }
      case 'POST /unpin': {
        const b = parseBody(route, body);
        this.listed(b.token);
        this.stopScript(b.token);
        market.unpin(b.token);
        this.ctx.onPriceChange();
        return market.quote(b.token);
      }
      case 'DELETE /pins': {
        parseBody(route, body);
        this.close();
        const unpinned = market.unpinAll();
        this.ctx.onPriceChange();
        return { unpinned };
      }
      case 'POST /faults': {
        const b = parseBody(route, body);
        faults.set(b);
        return b;
      }
      case 'DELETE /faults':
        parseBody(route, body);
        faults.clear();
        return {};
      case 'POST /ticks':
        ticker.paused = parseBody(route, body).paused;
        return { paused: ticker.paused };
      case 'POST /ticker/drop':
        parseBody(route, body);
        ticker.dropAll();
        return {};
      case 'POST /sessions/expire':
        return {
          ended: this.ctx.sessions.expireAll(parseBody(route, body).includeStatic ?? false),
        };
    }
  }

  private listed(t: number): number {
    if (!this.ctx.market.instrument(t)) throw inputError(`token: no instrument ${t}`);
    return t;
  }

  private pin(t: number, ltp: number): void {
    this.ctx.market.pin(t, ltp);
    this.ctx.onPriceChange();
  }

  private script(t: number, prices: number[], intervalMs: number): { steps: number } {
    this.stopScript(t);
    const queue = [...prices];
    this.pin(t, queue.shift() as number);
    const timer = setInterval(() => {
      const next = queue.shift();
      if (next !== undefined) this.pin(t, next);
      if (queue.length === 0) this.stopScript(t);
    }, intervalMs);
    this.scripts.set(t, timer);
    return { steps: prices.length };
  }

  private stopScript(t: number): void {
    clearInterval(this.scripts.get(t));
    this.scripts.delete(t);
  }
}
