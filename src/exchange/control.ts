import type { IncomingMessage, ServerResponse } from 'node:http';
import { underlyingSchema } from '../config/schema';
import { inputError, KiteError } from './errors';
import type { FaultState, Faults } from './faults';
import type { Market } from './market/market';
import { asKiteError, readBody, sendData, sendError } from './rest/http';
import type { TickerServer } from './ticker/server';

export interface ControlContext {
  market: Market;
  faults: FaultState;
  ticker: TickerServer;
  /** Re-run matching and push ticks after a forced price change, so a pinned price acts at once. */
  onPriceChange: () => void;
}

type Body = Record<string, unknown>;

const num = (b: Body, field: string): number => {
  const v = b[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError(`${field}: expected a number`);
  return v;
};

const tradable = (ctx: ControlContext, b: Body): number => {
  const token = num(b, 'token');
  if (!ctx.market.instrument(token)) throw inputError(`token: no instrument ${token}`);
  return token;
};

/**
 * Test-only endpoints under /_control. Scripted price paths replay one price
 * per interval and then hold the last one.
 */
export class Control {
  private readonly scripts = new Map<number, NodeJS.Timeout>();

  constructor(private readonly ctx: ControlContext) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const text = await readBody(req);
      const body = (text ? JSON.parse(text) : {}) as Body;
      sendData(res, this.route(`${req.method} ${url.pathname.slice('/_control'.length)}`, body));
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

  private route(route: string, b: Body): unknown {
    const { market, faults, ticker } = this.ctx;
    switch (route) {
      case 'GET /spots':
        return Object.fromEntries(underlyingSchema.options.map((u) => [u, market.spot(u)]));
      case 'POST /spot': {
        const u = underlyingSchema.safeParse(b.underlying);
        if (!u.success)
          throw inputError(`underlying: expected one of ${underlyingSchema.options.join(', ')}`);
        market.setSpot(u.data, num(b, 'spot'));
        this.ctx.onPriceChange();
        return { underlying: u.data, spot: market.spot(u.data) };
      }
      case 'POST /pin': {
        const token = tradable(this.ctx, b);
        this.stopScript(token);
        this.pin(token, num(b, 'ltp'));
        return market.quote(token);
      }
      case 'POST /script':
        return this.script(tradable(this.ctx, b), b.prices, num(b, 'intervalMs'));
      case 'POST /unpin': {
        const token = tradable(this.ctx, b);
        this.stopScript(token);
        market.unpin(token);
        this.ctx.onPriceChange();
        return market.quote(token);
      }
      case 'POST /faults':
        faults.set(b as Faults);
        return b;
      case 'DELETE /faults':
        faults.clear();
        return {};
      case 'POST /ticks':
        ticker.paused = b.paused === true;
        return { paused: ticker.paused };
      case 'POST /ticker/drop':
        ticker.dropAll();
        return {};
      default:
        throw new KiteError('GeneralException', `No control route ${route}`, 404);
    }
  }

  private pin(token: number, ltp: number): void {
    this.ctx.market.pin(token, ltp);
    this.ctx.onPriceChange();
  }

  private script(token: number, prices: unknown, intervalMs: number): { steps: number } {
    if (
      !Array.isArray(prices) ||
      prices.length === 0 ||
      !prices.every((p) => typeof p === 'number' && p > 0)
    ) {
      throw inputError('prices: expected a non-empty array of positive numbers');
    }
    this.stopScript(token);
    const queue = [...(prices as number[])];
    this.pin(token, queue.shift() as number);
    const timer = setInterval(() => {
      const next = queue.shift();
      if (next !== undefined) this.pin(token, next);
      if (queue.length === 0) this.stopScript(token);
    }, intervalMs);
    this.scripts.set(token, timer);
    return { steps: prices.length };
  }

  private stopScript(token: number): void {
    clearInterval(this.scripts.get(token));
    this.scripts.delete(token);
  }
}
