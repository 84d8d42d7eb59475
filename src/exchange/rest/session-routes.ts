import type { IncomingMessage, ServerResponse } from 'node:http';
import { KiteError } from '../errors';
import type { SessionBook } from '../session/session-book';
import { asKiteError, paramsOf, readBody, sendData, sendError } from './http';

/** Paths answered here rather than by the authenticated API: they are how a client gets its token. */
export const isSessionPath = (pathname: string): boolean =>
  pathname === '/session/token' || pathname === '/connect/login';

export interface SessionRouteContext {
  sessions: SessionBook;
  /** Where the login page sends the browser; without one it cannot finish a login. */
  loginRedirectUrl?: string;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Kite's login page, approved at once: a paper account has no password, so
 * "the user logged in" is the moment the page is opened. Like Kite it
 * answers with a redirect to the app's redirect URL carrying the request
 * token, `action=login`, `type=login` and `status=success`.
 */
function login(ctx: SessionRouteContext, res: ServerResponse, url: URL): void {
  if (url.searchParams.get('v') !== '3')
    return sendText(res, 400, 'Kite Connect login: expected v=3 in the login URL.');
  let requestToken: string;
  try {
    requestToken = ctx.sessions.issueRequestToken(url.searchParams.get('api_key'));
  } catch (err) {
    return sendText(res, 400, `Kite Connect login: ${(err as Error).message}`);
  }
  if (!ctx.loginRedirectUrl) {
    return sendText(
      res,
      500,
      'Kite Connect login: the paper exchange has no redirect URL (exchange.loginRedirectUrl).',
    );
  }
  const target = new URL(ctx.loginRedirectUrl);
  target.searchParams.set('action', 'login');
  target.searchParams.set('type', 'login');
  target.searchParams.set('status', 'success');
  target.searchParams.set('request_token', requestToken);
  res.writeHead(302, { Location: target.toString(), 'Content-Length': 0 });
  res.end();
}

/** POST and DELETE /session/token with Kite's envelopes; the login page with a redirect. */
export async function handleSession(
  ctx: SessionRouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  try {
    const body = await readBody(req);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /connect/login') return login(ctx, res, url);
    const params = paramsOf(url, body);
    if (route === 'POST /session/token') return sendData(res, ctx.sessions.createSession(params));
    if (route === 'DELETE /session/token') return sendData(res, ctx.sessions.invalidate(params));
    throw new KiteError('GeneralException', 'Route not found', 404);
  } catch (err) {
    sendError(res, asKiteError(err));
  }
}
