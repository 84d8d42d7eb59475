import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Readiness } from './health';

/** Handles the request and returns true when it is one of its paths. */
export type Routes = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

export const OBSERVABILITY_PATHS = ['/metrics', '/healthz', '/readyz'] as const;

export interface RoutesOptions {
  registry: Registry;
  readiness: Readiness;
  /** More exposition text appended to the registry's (the Temporal SDK's metrics). */
  extraMetrics?: () => Promise<string>;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
};

/**
 * /healthz answers from the event loop and nothing else, so it fails only
 * when this process is hung or gone, never because a dependency is down
 * (that is /readyz); a watchdog that restarts on /healthz must never restart
 * a worker for the exchange's or Temporal's trouble.
 */
export function observabilityRoutes({ registry, readiness, extraMetrics }: RoutesOptions): Routes {
  const startedAt = Date.now();
  const serve = async (path: string, res: http.ServerResponse) => {
    if (path === '/healthz') {
      json(res, 200, {
        status: 'ok',
        pid: process.pid,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      });
    } else if (path === '/readyz') {
      const report = await readiness();
      json(res, report.ready ? 200 : 503, report);
    } else {
      const [own, extra] = await Promise.all([registry.metrics(), extraMetrics?.() ?? '']);
      res.writeHead(200, { 'Content-Type': registry.contentType });
      res.end(extra ? `${own}\n${extra}` : own);
    }
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!(OBSERVABILITY_PATHS as readonly string[]).includes(path)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET' }).end();
      return true;
    }
    serve(path, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: (err as Error).message });
      else res.end();
    });
    return true;
  };
}

export interface ObservabilityServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A server of its own for the routes (the worker's); anything else is 404. */
export async function startObservabilityServer(
  host: string,
  port: number,
  routes: Routes,
): Promise<ObservabilityServer> {
  const server = http.createServer((req, res) => {
    if (!routes(req, res)) json(res, 404, { error: `no route ${req.url}` });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
