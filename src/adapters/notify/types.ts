import type { NotifyChannelName } from '../../config/notify';
import type { AlertEvent } from '../../domain/alerts';

export type ChannelName = NotifyChannelName;

/** What every channel is handed: the event, its rendered text and its Web UI link. */
export interface OutgoingAlert {
  event: AlertEvent;
  text: string;
  uiLink?: string;
}

export interface Channel {
  readonly name: ChannelName;
  /** Resolves once the peer has accepted the message; otherwise throws a DeliveryError. */
  send(alert: OutgoingAlert): Promise<void>;
}

/**
 * A channel that did not take the message. `retryable` false means trying
 * again cannot help (a wrong token, chat or address): a person has to fix
 * the configuration. Messages never carry a secret.
 */
export class DeliveryError extends Error {
  constructor(
    readonly channel: ChannelName,
    readonly detail: string,
    readonly retryable: boolean,
    /** The peer asked for this pause before the next try (Telegram retry_after, Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(`${channel}: ${detail}`);
    this.name = 'DeliveryError';
  }
}

/** Cuts text to a peer's limit, marking the cut. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;
