import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KITE_TOKEN_EXPIRY, tokenExpiresAt } from '../../domain/broker-session';
import { inputError, KiteError } from '../errors';
import { Journal } from '../store/journal';
import { istTimestamp } from '../time';

/**
 * Kite's login, as the paper exchange plays it: the login page issues a
 * one-time request token, POST /session/token trades it (with the app's
 * checksum) for an access token that lives until the next 06:00 IST by the
 * exchange clock, DELETE /session/token ends one sooner. The configured
 * static token is the fixtures' and tests': it never expires, and ends
 * only when invalidated (until the exchange restarts).
 */

/** Kite's request tokens last "a few minutes" and are single-use. */
const REQUEST_TOKEN_TTL_MS = 5 * 60_000;

export interface SessionBookOptions {
  apiKey: string;
  apiSecret: string;
  staticToken: string;
  userId: string;
  now: () => number;
  /** HH:MM IST; Kite's 06:00 by default. */
  tokenExpiry?: string;
  /** Sessions issued here survive a restart, like Kite's; the static token needs no record. */
  journalFile: string;
}

type SessionEvent =
  { type: 'open'; token: string; expiresAt: number } | { type: 'end'; token: string };

/** What POST /session/token answers, in Kite's field order (kiteconnect-mocks generate_session.json). */
export interface SessionData {
  user_type: string;
  email: string;
  user_name: string;
  user_shortname: string;
  broker: string;
  exchanges: string[];
  products: string[];
  order_types: string[];
  avatar_url: null;
  user_id: string;
  api_key: string;
  access_token: string;
  public_token: string;
  enctoken: string;
  refresh_token: string;
  silo: string;
  login_time: string;
  meta: { demat_consent: string };
}

/** The account the paper exchange trades for, as /user/profile and a new session describe it. */
export const paperProfile = (userId: string) => ({
  user_id: userId,
  user_name: 'Paper Trader',
  user_shortname: 'Paper',
  email: 'paper@localhost',
  user_type: 'individual',
  broker: 'ZERODHA',
  exchanges: ['NSE', 'NFO'],
  products: ['MIS', 'NRML'],
  order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
});

export const checksumOf = (apiKey: string, requestToken: string, apiSecret: string): string =>
  createHash('sha256').update(`${apiKey}${requestToken}${apiSecret}`).digest('hex');

const newToken = (): string => randomBytes(16).toString('hex');

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const refused = (message: string) => new KiteError('TokenException', message);

export class SessionBook {
  private readonly requestTokens = new Map<string, number>();
  /** access token -> when it ends. */
  private readonly sessions = new Map<string, number>();
  private staticValid = true;
  private readonly journal: Journal<SessionEvent>;

  constructor(private readonly options: SessionBookOptions) {
    const { journal, events } = Journal.open<SessionEvent>(options.journalFile);
    // The file holds live access tokens; nobody else on the machine needs to read it.
    fs.chmodSync(options.journalFile, 0o600);
    this.journal = journal;
    for (const e of events) {
      if (e.type === 'open') this.sessions.set(e.token, e.expiresAt);
      else this.sessions.delete(e.token);
    }
  }

  static in(dataDir: string, options: Omit<SessionBookOptions, 'journalFile'>): SessionBook {
    return new SessionBook({ ...options, journalFile: path.join(dataDir, 'sessions.jsonl') });
  }

  /** What the login page does once the user has logged in: a fresh one-time request token. */
  issueRequestToken(apiKey: string | null): string {
    if (apiKey !== this.options.apiKey) throw inputError('Invalid `api_key`.');
    const token = newToken();
    this.requestTokens.set(token, this.options.now() + REQUEST_TOKEN_TTL_MS);
    return token;
  }

  /** POST /session/token. A wrong checksum leaves the request token usable; a used one is gone. */
  createSession(params: Record<string, string>): SessionData {
    for (const field of ['api_key', 'request_token', 'checksum'] as const) {
      if (!params[field]) throw inputError(`Missing \`${field}\`.`);
    }
    const { api_key: apiKey, request_token: requestToken, checksum } = params;
    if (apiKey !== this.options.apiKey) throw inputError('Invalid `api_key`.');
    const now = this.options.now();
    const validUntil = this.requestTokens.get(requestToken);
    if (validUntil === undefined || now >= validUntil) {
      this.requestTokens.delete(requestToken);
      throw refused('Token is invalid or has expired.');
    }
    if (!sameText(checksum, checksumOf(apiKey, requestToken, this.options.apiSecret)))
      throw refused('Invalid `checksum`.');
    this.requestTokens.delete(requestToken);
    const accessToken = newToken();
    const expiresAt = tokenExpiresAt(now, this.options.tokenExpiry ?? KITE_TOKEN_EXPIRY);
    this.journal.append({ type: 'open', token: accessToken, expiresAt });
    this.sessions.set(accessToken, expiresAt);
    return {
      ...paperProfile(this.options.userId),
      avatar_url: null,
      api_key: apiKey,
      access_token: accessToken,
      public_token: newToken(),
      enctoken: newToken(),
      refresh_token: '',
      silo: '',
      login_time: istTimestamp(now),
      meta: { demat_consent: 'empty' },
    };
  }

  /** DELETE /session/token: the token stops working at once, on every route and the ticker. */
  invalidate(params: Record<string, string>): true {
    const { api_key: apiKey, access_token: accessToken } = params;
    if (!apiKey || !accessToken || !this.accepts(apiKey, accessToken))
      throw refused('Incorrect `api_key` or `access_token`.');
    if (accessToken === this.options.staticToken) {
      this.staticValid = false;
    } else {
      this.journal.append({ type: 'end', token: accessToken });
      this.sessions.delete(accessToken);
    }
    return true;
  }

  /** Whether a call carrying this pair is authorised now. */
  accepts(apiKey: string, accessToken: string): boolean {
    if (apiKey !== this.options.apiKey) return false;
    if (accessToken === this.options.staticToken) return this.staticValid;
    const expiresAt = this.sessions.get(accessToken);
    return expiresAt !== undefined && this.options.now() < expiresAt;
  }

  /**
   * Control: every issued session ends now, as if its 06:00 had come; the
   * static token too when asked. Returns how many ended.
   */
  expireAll(includeStatic: boolean): number {
    const ended = [...this.sessions.keys()].filter((t) => this.accepts(this.options.apiKey, t));
    for (const token of ended) this.journal.append({ type: 'end', token });
    this.sessions.clear();
    const staticEnded = includeStatic && this.staticValid;
    if (includeStatic) this.staticValid = false;
    return ended.length + (staticEnded ? 1 : 0);
  }

  close(): void {
    this.journal.close();
  }
}
