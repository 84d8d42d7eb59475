import { alertId, type AlertEvent } from './alerts';
import { istDateOf, istEpoch } from './calendar';
import { istTimestamp } from './strategies/candles';

/**
 * The Kite session's life, pure: when an access token ends, what state it is
 * in at an instant, and which alerts that state calls for. Nothing here sees
 * a token's value; a session is known by when it was logged in.
 */

/**
 * Kite ends every access token at 06:00 IST after its login (a regulatory
 * requirement, kiteconnect's SessionData docs), unless it is invalidated
 * sooner through the API or a master logout.
 */
export const KITE_TOKEN_EXPIRY = '06:00';

/** TOKEN_EXPIRING goes out this long before the expiry. */
export const TOKEN_EXPIRING_LEAD_MS = 30 * 60_000;

const DAY_MS = 86_400_000;

/**
 * The first `hhmm` IST strictly after `loginAt`: 06:00 the next calendar day
 * for a login during the day, weekends and year ends included (the flush is
 * daily, not per trading day), and 06:00 the same day for a login before it.
 */
export function tokenExpiresAt(loginAt: number, hhmm: string = KITE_TOKEN_EXPIRY): number {
  const sameDay = istEpoch(istDateOf(loginAt), hhmm);
  return sameDay > loginAt ? sameDay : istEpoch(istDateOf(loginAt + DAY_MS), hhmm);
}

export type TokenSource = 'file' | 'env';

/** What the worker and `trade status` know about the token in use, without the token itself. */
export interface SessionView {
  source: TokenSource;
  /** Names the login in alert ids: the login time for a file token, the day for one from the environment. */
  sessionKey: string;
  /** Unknown for a token from the environment: nothing says when it was made. */
  expiresAt?: number;
  /** The broker refused this token (TokenException) on `operation` at `at`. */
  refused?: { at: number; operation: string };
}

export type TokenState = 'valid' | 'expiring' | 'expired' | 'logged-out';

/** Expired by the clock wins over a refusal: the refusal after the expiry says nothing new. */
export function tokenStateAt(view: SessionView, now: number): TokenState {
  if (view.expiresAt !== undefined && now >= view.expiresAt) return 'expired';
  if (view.refused) return 'logged-out';
  if (view.expiresAt !== undefined && now >= view.expiresAt - TOKEN_EXPIRING_LEAD_MS)
    return 'expiring';
  return 'valid';
}

/** A session key for alert ids: `login-2026-12-02T09:14:03` (IST) or `env-2026-12-02`. */
export const sessionKeyOf = (source: TokenSource, at: number): string =>
  source === 'file' ? `login-${istTimestamp(at)}` : `env-${istDateOf(at)}`;

const WHAT_STOPS =
  'Entries are refused and exits wait, flagged on their positions, until a new token arrives; ' +
  'the worker picks it up without a restart.';

const expiryField = (view: SessionView): Record<string, string> =>
  view.expiresAt === undefined ? {} : { expiresAtIst: istTimestamp(view.expiresAt) };

function expiringAlert(view: SessionView, now: number): AlertEvent {
  const minutes = Math.max(0, Math.round(((view.expiresAt as number) - now) / 60_000));
  return {
    id: alertId('broker', 'TOKEN_EXPIRING', view.sessionKey),
    kind: 'TOKEN_EXPIRING',
    severity: 'warning',
    title: `Kite access token expires in ${minutes} min: run npx trade login`,
    text: `Log in again before it expires. ${WHAT_STOPS}`,
    fields: { ...expiryField(view), minutesLeft: minutes, source: view.source },
  };
}

function endedAlert(view: SessionView, state: 'expired' | 'logged-out'): AlertEvent {
  const why =
    state === 'expired'
      ? 'The Kite access token has expired.'
      : `The broker refused the Kite access token (${view.refused?.operation}: TokenException) before its expiry: invalidated or logged out elsewhere.`;
  return {
    id: alertId('broker', 'TOKEN_EXPIRED', view.sessionKey),
    kind: 'TOKEN_EXPIRED',
    severity: 'critical',
    title: 'Kite session ended: run npx trade login',
    text: `${why} ${WHAT_STOPS}`,
    fields: {
      ...expiryField(view),
      state,
      source: view.source,
      ...(view.refused ? { refusedAtIst: istTimestamp(view.refused.at) } : {}),
    },
  };
}

/**
 * The alert the session's state calls for at `now`, if any. Its id names the
 * session, not the instant, so a caller that delivers it on every check (and
 * the notifier's dedupe) sends each kind once per login.
 */
export function tokenAlertDue(view: SessionView, now: number): AlertEvent | undefined {
  const state = tokenStateAt(view, now);
  if (state === 'expiring') return expiringAlert(view, now);
  if (state === 'expired' || state === 'logged-out') return endedAlert(view, state);
  return undefined;
}

/** What `trade login` left in broker.tokenFile, as far as the choice below needs it. */
export interface StoredTokenFacts {
  apiKey: string;
  expiresAt: number;
}

export type TokenChoice =
  | { use: 'file' | 'env' | 'none'; fileIgnored?: undefined }
  | { use: 'env' | 'none'; fileIgnored: string };

/**
 * Which token a process starts with. The file `trade login` wrote is the
 * newest thing an operator did, so it wins while it is for this api key and
 * unexpired; else KITE_ACCESS_TOKEN (today's behaviour without a file); else
 * the expired file, so the worker starts logged out and waits for a login.
 */
export function chooseToken(input: {
  file: StoredTokenFacts | undefined;
  hasEnvToken: boolean;
  apiKey: string;
  now: number;
}): TokenChoice {
  const { file, hasEnvToken, apiKey, now } = input;
  const fallback = hasEnvToken ? 'env' : 'none';
  if (!file) return { use: fallback };
  if (file.apiKey !== apiKey)
    return { use: fallback, fileIgnored: 'it holds a token for another api key' };
  if (now < file.expiresAt || !hasEnvToken) return { use: 'file' };
  return { use: 'env', fileIgnored: 'its token has expired' };
}
