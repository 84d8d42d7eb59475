import { EventEmitter } from 'node:events';
import type { TokenVerdict } from '../adapters/kite/client';
import {
  sessionKeyOf,
  tokenStateAt,
  type SessionView,
  type TokenSource,
  type TokenState,
} from '../domain/broker-session';

/** The token in use. Holds the secret itself: hand out `view()`, never this, to logs and alerts. */
export interface SessionToken {
  accessToken: string;
  source: TokenSource;
  userId?: string;
  /** Epoch ms; a file token's login, or when the worker took a token from the environment. */
  loginAt: number;
  expiresAt?: number;
}

/**
 * The worker's one picture of its Kite session: which token is in use and
 * whether the broker has refused it. Every broker call's verdict feeds it,
 * a renewal replaces it; alerts, logs, metrics and readiness read it. A
 * refusal is forgotten only by a renewal or by a call sent after it that
 * the broker accepted, so an answer to an older call cannot undo it.
 */
export class BrokerSession extends EventEmitter<{ change: [] }> {
  private current: SessionToken;
  private sessionKey: string;
  private refusal: { at: number; operation: string } | undefined;
  /** How many times a new token replaced the one in use. */
  renewals = 0;

  constructor(
    initial: SessionToken,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.current = initial;
    this.sessionKey = sessionKeyOf(initial.source, initial.loginAt);
  }

  get token(): SessionToken {
    return this.current;
  }

  view(): SessionView {
    return {
      source: this.current.source,
      sessionKey: this.sessionKey,
      ...(this.current.expiresAt !== undefined && { expiresAt: this.current.expiresAt }),
      ...(this.refusal && { refused: this.refusal }),
    };
  }

  state(): TokenState {
    return tokenStateAt(this.view(), this.now());
  }

  /** The broker's verdict on one call; verdicts on a token no longer in use are old news. */
  judged(verdict: TokenVerdict): void {
    if (verdict.token !== this.current.accessToken) return;
    if (!verdict.accepted && !this.refusal) {
      this.refusal = { at: verdict.sentAt, operation: verdict.operation };
      this.emit('change');
    } else if (verdict.accepted && this.refusal && verdict.sentAt > this.refusal.at) {
      this.refusal = undefined;
      this.emit('change');
    }
  }

  renew(token: SessionToken): void {
    this.current = token;
    this.sessionKey = sessionKeyOf(token.source, token.loginAt);
    this.refusal = undefined;
    this.renewals += 1;
    this.emit('change');
  }
}
