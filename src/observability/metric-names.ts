/**
 * Every metric family the trading code registers, by what it measures. The
 * Grafana dashboard and Prometheus queries may use only these (and the
 * Temporal SDK's below); tests/platform/docker-compose.test.ts checks the
 * dashboard against this list and the registry against the dashboard's needs.
 */
export const METRICS = {
  /** Gauge {phase}: running position workflows of this task queue, by Phase search attribute. */
  positions: 'trader_positions',
  /** Gauge: running positions with ExitBlocked = true. */
  exitBlocked: 'trader_positions_exit_blocked',
  /** Gauge: running positions with NeedsAttention = true. */
  needsAttention: 'trader_positions_needs_attention',
  /** Counter {outcome: placed|adopted|rejected, side: BUY|SELL}: placeOrder results. */
  orders: 'trader_orders_total',
  /** Histogram: from the tick that crossed an exit level to the broker accepting the exit order. */
  tickToExit: 'trader_tick_to_exit_seconds',
  /** Gauge {underlying}: seconds since the index token's last believable tick. */
  feedStaleness: 'trader_feed_staleness_seconds',
  /** Gauge: watched tokens the feed watchdog prices over REST because their ticks went quiet. */
  feedStaleTokens: 'trader_feed_stale_tokens',
  /** Gauge: 1 while the ticker connection is up. */
  feedConnected: 'trader_feed_connected',
  /** Counter {reason: invalid|jump}: prints the tick hub did not believe. */
  ticksRejected: 'trader_ticks_rejected_total',
  /** Gauge {kind: realised|open}: today's P&L from the account book, in rupees. */
  pnl: 'trader_pnl_rupees',
  /** Gauge: seconds until the Kite access token expires; NaN while the expiry is unknown. */
  tokenExpiry: 'trader_token_expiry_seconds',
  /** Gauge: 1 while /readyz answers 200. */
  ready: 'trader_ready',
  /** Gauge {check}: 1 while that readiness check passes. */
  checkOk: 'trader_check_ok',
} as const;

/** The one list of trading metric names the code exports. */
export const METRIC_NAMES: readonly string[] = Object.values(METRICS);

/**
 * Temporal SDK (Core) metrics the dashboard shows, as the worker's /metrics
 * carries them (Prometheus exporter defaults: `temporal_` prefix, no `_total`
 * on counters, durations in milliseconds). tests/platform/metrics.test.ts
 * checks that a live worker exports each of them.
 */
export const TEMPORAL_SDK_METRIC_NAMES: readonly string[] = [
  'temporal_request',
  'temporal_workflow_task_schedule_to_start_latency',
  'temporal_activity_execution_latency',
  'temporal_worker_task_slots_available',
];
