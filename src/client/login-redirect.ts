import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestTokenFrom } from './kite-login';

export interface RedirectListener {
  /** Where the app's redirect URL must point. */
  url: string;
  /** Resolves with the request token of the first redirect that carries one, then the listener closes. */
  requestToken: Promise<string>;
  close(): Promise<void>;
}

const page = (res: http.ServerResponse, status: number, text: string) => {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    Connection: 'close',
  });
  res.end(text);
};

/**
 * A one-shot HTTP listener on 127.0.0.1 for Kite's redirect after the login:
 * the browser lands here with `?request_token=...&status=success`. Requests
 * without a request token (a favicon, a probe) are answered 404 and waited
 * past; a redirect that says the login failed ends the wait with its status.
 */
export async function listenForRedirect(
  port: number,
  timeoutMs: number,
): Promise<RedirectListener> {
  let settle!: { resolve: (token: string) => void; reject: (err: Error) => void };
  const requestToken = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const server = http.createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    if (!query.has('request_token') && !query.has('status'))
      return page(res, 404, 'Waiting for the Kite login redirect.');
    try {
      const token = requestTokenFrom(`?${query.toString()}`);
      page(res, 200, 'Logged in. You can close this tab and return to the terminal.');
      settle.resolve(token);
    } catch (err) {
      page(res, 400, `Login not completed: ${(err as Error).message}`);
      settle.reject(err as Error);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const timer = setTimeout(
    () => settle.reject(new Error(`no login redirect within ${Math.round(timeoutMs / 1000)} s`)),
    timeoutMs,
  );
  const close = () =>
    new Promise<void>((resolve) => {
      clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  // Whatever the outcome, one redirect is all this listener is for.
  requestToken.then(close, close);
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}/`, requestToken, close };
}
