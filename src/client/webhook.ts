import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema';
import { SignalValidationError } from '../domain/signal';
import type { Logger } from '../log';
import type { Routes } from '../observability/http';
import { workflowUiUrl } from './links';
import { submitSignal } from './submit';

export const WEBHOOK_PATHS = ['/signal', '/tradingview'];
/** Body fields that may carry the secret (TradingView alerts cannot set headers). */
const SECRET_FIELDS = ['secret', 'passphrase'];
const WINDOW_MS = 60_000;

export interface WebhookOptions {
  config: Config;
  client: Client;
  /** TRADER_WEBHOOK_SECRET; only paper mode may run without one. */
  secret: string | undefined;
  logger: Logger;
  now?: () => number;
  /** /metrics, /healthz and /readyz: answered before any signal route, unlogged and unlimited. */
  observability?: Routes;
}

export interface RunningWebhook {
  server: http.Server;
  url: string;
  close: () => Promise<void>;
}

/** Hashing first gives equal-length inputs, so the comparison leaks neither content nor length. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A fixed one-minute window per client address. */
function rateLimiter(perMinute: number, now: () => number) {
  const windows = new Map<string, { start: number; count: number }>();
  return (key: string): number => {
    const t = now();
    let window = windows.get(key);
    if (!window || t - window.start >= WINDOW_MS) {
      // Forget finished windows, so a scan of many addresses cannot grow the map for ever.
      for (const [k, w] of windows) if (t - w.start >= WINDOW_MS) windows.delete(k);
      window = { start: t, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    return window.count > perMinute ? window.start + WINDOW_MS - t : 0;
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.error));
  }
}

/** The body, or a 413 as soon as it is known to exceed the limit; the rest is never read. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, { error: `body larger than ${limit} bytes` }, { Connection: 'close' });
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The alert, or undefined when the body is not a JSON object. */
function parseAlert(raw: Buffer): Record<string, unknown> | undefined {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  return isObject ? (body as Record<string, unknown>) : undefined;
}

/** Takes the secret out of the alert, so it reaches neither validation nor a workflow history. */
function takeSecret(req: http.IncomingMessage, alert: Record<string, unknown>): unknown {
  const fromBody = SECRET_FIELDS.map((f) => alert[f]).find((v) => v !== undefined);
  for (const field of SECRET_FIELDS) delete alert[field];
  return req.headers['x-webhook-secret'] ?? fromBody;
}

export function createWebhookServer({
  config,
  client,
  secret,
  logger,
  now = Date.now,
  observability,
}: WebhookOptions): http.Server {
  const { requestsPerMinute, requireCreatedAt } = config.webhook;
  /*
   * Two budgets per address. Callers that know the secret spend one; failed
   * authentications spend the other. TradingView sends every customer's
   * alerts from a handful of shared addresses, so a flood of guesses from one
   * of them must not use up the budget of the real alerts from it, and the
   * guesses are still refused (429 once over their own budget, 401 before).
   */
  const authenticated = rateLimiter(requestsPerMinute, now);
  const unauthenticated = rateLimiter(requestsPerMinute, now);
  const tooMany = (waitMs: number) =>
    new HttpError(
      429,
      { error: `more than ${requestsPerMinute} requests a minute` },
      { 'Retry-After': String(Math.ceil(waitMs / 1000)) },
    );

  function admit(req: http.IncomingMessage, given: unknown): void {
    const address = req.socket.remoteAddress ?? 'unknown';
    const authentic =
      secret === undefined || (typeof given === 'string' && sameSecret(given, secret));
    const waitMs = (authentic ? authenticated : unauthenticated)(address);
    if (waitMs > 0) throw tooMany(waitMs);
    if (!authentic) throw new HttpError(401, { error: 'missing or wrong webhook secret' });
  }

  async function handle(req: http.IncomingMessage): Promise<[number, Record<string, unknown>]> {
    const path = (req.url ?? '/').split('?')[0];
    if (!WEBHOOK_PATHS.includes(path)) throw new HttpError(404, { error: `no route ${path}` });
    if (req.method !== 'POST') {
      throw new HttpError(405, { error: `${req.method} not allowed` }, { Allow: 'POST' });
    }
    const alert = parseAlert(await readBody(req, config.webhook.bodyLimitBytes));
    admit(req, takeSecret(req, alert ?? {}));
    if (!alert) throw new HttpError(400, { error: 'body: expected a JSON object' });
    // Without its own time an alert cannot be aged, so a stale or replayed one would trade as
    // new: where it is required, validation refuses the alert naming createdAt. Hand-written
    // paper alerts rarely carry one; there the receipt time is when the signal became known.
    if (!requireCreatedAt) alert.createdAt ??= new Date(now()).toISOString();
    try {
      const { workflowId, started } = await submitSignal(client, config, alert);
      const body = { workflowId, uiUrl: workflowUiUrl(config, workflowId), duplicate: !started };
      return [started ? 202 : 200, body];
    } catch (err) {
      if (err instanceof SignalValidationError) {
        throw new HttpError(400, { error: 'invalid signal', errors: err.errors });
      }
      throw err;
    }
  }

  return http.createServer((req, res) => {
    if (observability?.(req, res)) return;
    const started = now();
    const reply = (status: number, body: Record<string, unknown>, headers = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
      // Only ids, status and timing: never headers or the body, which may hold the secret.
      logger.info(
        {
          method: req.method,
          path: req.url?.split('?')[0],
          status,
          workflowId: body.workflowId,
          remote: req.socket.remoteAddress,
          ms: now() - started,
        },
        'webhook request',
      );
    };
    handle(req).then(
      ([status, body]) => reply(status, body),
      (err: unknown) => {
        if (err instanceof HttpError) return reply(err.status, err.body, err.headers);
        logger.error({ err }, 'signal could not be submitted');
        reply(503, { error: 'could not start the position workflow; retry later' });
      },
    );
  });
}

/** Anyone who can reach an unauthenticated intake could trade real money: only paper may skip it. */
export function assertSecretFor(config: Config, secret: string | undefined): void {
  if (!secret && config.broker.mode !== 'paper') {
    throw new Error(
      'TRADER_WEBHOOK_SECRET is not set: the webhook runs without a secret only in paper mode',
    );
  }
}

/** Listens on config.webhook; refuses to run unauthenticated against a live broker. */
export async function startWebhook(options: WebhookOptions): Promise<RunningWebhook> {
  const { config } = options;
  assertSecretFor(config, options.secret);
  const server = createWebhookServer(options);
  // Slow or stalled clients must not hold sockets open.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.webhook.port, config.webhook.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${config.webhook.host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
