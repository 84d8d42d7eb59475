import type { KiteBroker } from '../adapters/kite/client';
import type { NetPositions } from '../adapters/kite/net-positions';
import type { OrderBook } from '../adapters/kite/order-book';
import type { TickHub } from '../adapters/kite/tick-hub';
import type { OrderMetrics } from '../observability/trading-metrics';
import type { DisarmedExits } from '../workers/disarmed-exits';
import type { MarkReporter } from '../workers/mark-reporter';

export interface Timing {
  /** Pauses before each tag look-up after an ambiguous place; their sum should exceed the broker's processing lag. */
  lookupDelaysMs: readonly number[];
  /** Order-history polling while awaiting a fill; the ticker's order updates usually arrive first. */
  orderPollMs: number;
  /** How long cancelOrder waits for the broker to confirm before handing back to Temporal's retry. */
  cancelSettleMs: number;
}

export const DEFAULT_TIMING: Timing = {
  lookupDelaysMs: [300, 700, 1_500, 3_000],
  orderPollMs: 1_000,
  cancelSettleMs: 10_000,
};

export interface ActivityDeps {
  broker: KiteBroker;
  /** The worker's tick hub; awaitPriceTrigger needs it, awaitOrder uses it for push updates when present. */
  hub?: TickHub;
  /** The worker's mirror of the broker's order book: tag look-ups without a REST call. */
  orders?: OrderBook;
  /** The broker's net per contract from the order mirror: a trigger's exit without a positions read. */
  netPositions?: Pick<NetPositions, 'viewOf' | 'arm'>;
  /** Exit intents their workflows took back (see DisarmedExits); a trigger must not place them. */
  disarmed?: Pick<DisarmedExits, 'has'>;
  /** Reports the marks of the positions whose triggers wait here to their account books. */
  marks?: Pick<MarkReporter, 'watch'>;
  /** Counts placeOrder's results and exit latency for the worker's /metrics. */
  metrics?: OrderMetrics;
  now?: () => number;
  timing?: Partial<Timing>;
}
