import { KiteConnect } from 'kiteconnect';
import { z } from 'zod';
import type { Config } from '../config/schema';
import { KITE_TOKEN_EXPIRY } from '../domain/broker-session';
import { istEpoch } from '../domain/calendar';

/**
 * The pieces of Kite's login flow that `trade login` and `trade status`
 * share: where to log in, how to read what the browser came back with, and
 * what a session answer means.
 */

/** Kite's own page in live mode (the official client's getLoginURL); the paper exchange's own in paper. */
export function loginUrlFor(config: Config, apiKey: string): string {
  const official = new URL(new KiteConnect({ api_key: apiKey }).getLoginURL());
  if (config.broker.mode === 'live') return official.toString();
  return new URL(`/connect/login${official.search}`, config.broker.restUrl).toString();
}

/** When the broker ends its sessions: configurable on the paper exchange, 06:00 at Kite. */
export const tokenExpiryOf = (config: Config): string =>
  (config.broker.mode === 'paper' ? config.exchange.tokenExpiry : undefined) ?? KITE_TOKEN_EXPIRY;

const REQUEST_TOKEN = /^[A-Za-z0-9]{6,64}$/;

export class LoginInputError extends Error {}

/**
 * The request token from what the operator pasted: the token itself or the
 * whole redirect URL. A redirect that says the login failed is refused with
 * its status. Messages never quote the input, which may be the token.
 */
export function requestTokenFrom(input: string): string {
  const text = input.trim();
  if (REQUEST_TOKEN.test(text)) return text;
  const query = text.includes('?') ? text.slice(text.indexOf('?') + 1) : text;
  const params = new URLSearchParams(query);
  const status = params.get('status');
  if (status !== null && status !== 'success')
    throw new LoginInputError(`the login did not succeed (status=${status.slice(0, 20)})`);
  const token = params.get('request_token');
  if (token === null || !REQUEST_TOKEN.test(token)) {
    throw new LoginInputError(
      'request_token: expected the token (6-64 letters and digits) or the redirect URL carrying it',
    );
  }
  return token;
}

const sessionSchema = z.object({
  access_token: z
    .string({ error: 'expected the access token' })
    .min(1, 'expected the access token'),
  user_id: z.string({ error: 'expected a user id' }).min(1, 'expected a user id'),
  // kiteconnect turns Kite's IST "YYYY-MM-DD HH:MM:SS" into a Date read in the local zone.
  login_time: z.union([z.date(), z.string()]).optional(),
});

export interface SessionAnswer {
  accessToken: string;
  userId: string;
  /** Epoch ms, or undefined when the broker did not say. */
  loginAt?: number;
}

const IST_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}):(\d{2})$/;

/** The IST wall-clock text a Date was parsed from in the local zone, as an instant. */
function istInstantOf(loginTime: Date | string): number | undefined {
  const pad = (n: number) => String(n).padStart(2, '0');
  const text =
    typeof loginTime === 'string'
      ? loginTime
      : `${loginTime.getFullYear()}-${pad(loginTime.getMonth() + 1)}-${pad(loginTime.getDate())} ` +
        `${pad(loginTime.getHours())}:${pad(loginTime.getMinutes())}:${pad(loginTime.getSeconds())}`;
  const m = IST_TIME.exec(text);
  if (!m) return undefined;
  const at = istEpoch(m[1], m[2]) + Number(m[3]) * 1000;
  return Number.isFinite(at) ? at : undefined;
}

/** generateSession's answer, checked: the fields a token file needs, each named when missing. */
export function readSessionAnswer(raw: unknown): SessionAnswer {
  const parsed = sessionSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`unexpected session answer from the broker: ${problems.join('; ')}`);
  }
  const { access_token, user_id, login_time } = parsed.data;
  const loginAt = login_time === undefined ? undefined : istInstantOf(login_time);
  return { accessToken: access_token, userId: user_id, ...(loginAt !== undefined && { loginAt }) };
}

/** Kite's error envelope as kiteconnect rejects with it: `TokenException: Invalid checksum.` */
export function brokerErrorText(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { error_type: type, message } = err as { error_type?: unknown; message?: unknown };
    if (typeof message === 'string')
      return typeof type === 'string' ? `${type}: ${message}` : message;
  }
  return String(err);
}
