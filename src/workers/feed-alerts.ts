import type { Config } from '../config/schema';
import { alertId, type AlertEvent } from '../domain/alerts';

/**
 * The FEED_STALE alert for one watched token that went quiet. Sent from the
 * worker (the tick hub is the worker's, not a workflow's); the id names the
 * moment it went quiet, so each episode is told once per channel.
 */
export const feedStaleAlert = (token: number, since: number, config: Config): AlertEvent => ({
  id: alertId(`feed-${token}`, 'FEED_STALE', since),
  kind: 'FEED_STALE',
  severity: 'warning',
  title: `no ticks for instrument ${token} for ${config.feed.staleAfterSeconds} s`,
  text: `Stops on it are priced over REST every ${config.feed.pollIntervalMs} ms until the ticker speaks again.`,
  fields: { token },
});
