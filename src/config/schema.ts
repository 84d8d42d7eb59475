import { z } from 'zod';
import { notifySchema } from './notify';
import { inconsistencies } from './consistency';

// Each helper carries its expectation in words so a bad value reads as
// "risk.maxOpenPositions: expected a positive integer, got "three"".
const posInt = () =>
  z
    .number({ error: 'expected a positive integer' })
    .int('expected a positive integer')
    .positive('expected a positive integer');
const nonNegInt = () =>
  z
    .number({ error: 'expected a non-negative integer' })
    .int('expected a non-negative integer')
    .min(0, 'expected a non-negative integer');
const posNum = () =>
  z.number({ error: 'expected a positive number' }).positive('expected a positive number');
const nonNegNum = () =>
  z.number({ error: 'expected a non-negative number' }).min(0, 'expected a non-negative number');
const port = () =>
  z
    .number({ error: 'expected a TCP port (1-65535)' })
    .int('expected a TCP port (1-65535)')
    .min(0, 'expected a TCP port (1-65535)')
    .max(65535, 'expected a TCP port (1-65535)');
const text = () =>
  z.string({ error: 'expected a non-empty string' }).min(1, 'expected a non-empty string');
const hhmm = () =>
  z
    .string({ error: 'expected a time as HH:MM' })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time as HH:MM (IST, 24-hour)');
const url = () => z.string({ error: 'expected a URL' }).url('expected a URL');
const rate = () =>
  z
    .number({ error: 'expected a rate as a fraction, e.g. 0.001' })
    .min(0, 'expected a rate >= 0')
    .max(1, 'expected a rate <= 1');
const flag = () => z.boolean({ error: 'expected true or false' });

export const UNDERLYINGS = ['NIFTY', 'BANKNIFTY', 'FINNIFTY'] as const;
export const underlyingSchema = z.enum(UNDERLYINGS, {
  error: `expected one of ${UNDERLYINGS.join(', ')}`,
});

/** Exit distance on the option premium: absolute points or percent of entry premium. */
export const premiumDistanceSchema = z
  .strictObject({
    points: posNum().optional(),
    pct: posNum().optional(),
  })
  .refine(
    (d) => (d.points === undefined) !== (d.pct === undefined),
    'expected exactly one of points or pct',
  );

export const trailingSchema = z.strictObject({
  activation: premiumDistanceSchema,
  distance: premiumDistanceSchema,
  step: premiumDistanceSchema,
});

export const strikeRuleSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('ATM') }),
    z.strictObject({ mode: z.literal('ITM'), steps: posInt() }),
    z.strictObject({ mode: z.literal('OTM'), steps: posInt() }),
    z.strictObject({
      mode: z.literal('DELTA'),
      target: z.number().gt(0, 'expected a delta in (0, 1)').lt(1, 'expected a delta in (0, 1)'),
    }),
    z.strictObject({ mode: z.literal('PREMIUM'), min: posNum(), max: posNum() }),
  ],
  { error: 'expected mode ATM, ITM, OTM, DELTA or PREMIUM' },
);

export const sizingSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('FIXED_LOTS'), lots: posInt() }),
    z.strictObject({
      mode: z.literal('RISK'),
      riskPerTradePct: posNum().max(100, 'expected a percent <= 100'),
    }),
  ],
  { error: 'expected mode FIXED_LOTS or RISK' },
);

/** Kite's intraday candle lengths the runner can evaluate on. */
export const RUNNER_INTERVALS = [
  'minute',
  '3minute',
  '5minute',
  '10minute',
  '15minute',
  '30minute',
  '60minute',
] as const;

const period = () => posInt().min(2, 'expected a period of at least 2');
const strategyToggle = { enabled: flag() };
/** Parameters of the built-in strategies (src/domain/strategies); one entry per registry name. */
export const strategyParamsSchema = z.strictObject({
  rsiReversal: z.strictObject({
    ...strategyToggle,
    period: period(),
    oversold: z.number().min(0, 'expected 0-100').max(100, 'expected 0-100'),
    overbought: z.number().min(0, 'expected 0-100').max(100, 'expected 0-100'),
  }),
  macdCrossover: z.strictObject({
    ...strategyToggle,
    fast: period(),
    slow: period(),
    signal: period(),
  }),
  bollingerBreakout: z.strictObject({ ...strategyToggle, period: period(), stdDev: posNum() }),
  emaCrossover: z.strictObject({ ...strategyToggle, fast: period(), slow: period() }),
});

export const runnerSchema = z.strictObject({
  /** `npm start` starts today's runner (and tomorrow's after midnight IST) by itself. */
  autoStart: flag(),
  interval: z.enum(RUNNER_INTERVALS, { error: `expected one of ${RUNNER_INTERVALS.join(', ')}` }),
  underlyings: z.array(underlyingSchema).min(1, 'expected at least one underlying'),
  cooldownMinutes: nonNegNum(),
  historyCandles: posInt(),
  /** Closed candles one run evaluates before it continues as new, bounding history size. */
  candlesPerRun: posInt(),
  strategies: strategyParamsSchema,
});

const MIN_POSITION_HISTORY = 200;
const TAG_SALT_RULE = 'expected 1-32 characters A-Z a-z 0-9 _ . : / -';

const configShape = z.strictObject({
  env: text(),
  temporal: z.strictObject({
    address: text(),
    namespace: text(),
    taskQueue: text(),
    uiPort: port(),
    dbFile: text(),
    cliPath: text().optional(),
    /** A prebuilt workflow bundle; without one the worker bundles from source at start (seconds). */
    workflowBundle: text().optional(),
    /**
     * A position continues as new after this many history events, or earlier
     * when the server suggests it, so a long-lived trailing stop never nears
     * the server's hard limits. One whole lifecycle (entry, several trailing
     * ratchets, exit rounds, operator signals) takes about 150 events; below
     * the floor a run could continue as new before finishing a single step.
     */
    positionHistoryLimit: posInt().min(
      MIN_POSITION_HISTORY,
      `expected at least ${MIN_POSITION_HISTORY} events, room for one whole position lifecycle`,
    ),
    /**
     * Workflows the worker keeps in memory between their tasks. The SDK sizes
     * the cache from the heap (over 2,000 on a 4 GiB heap, each about
     * 1.7 MiB), so every parked position stayed resident. An OPEN position
     * waits in its price trigger, an activity, and its exit is placed by the
     * trigger, so one that was evicted pays a replay only when it wakes.
     */
    workflowCacheSize: posInt().min(2, 'expected at least 2 (the SDK needs two to run)'),
  }),
  broker: z.strictObject({
    /**
     * paper: the bundled exchange; live: Zerodha with real orders;
     * signals-only: a strategy on probation — live market data, every step of
     * the workflow, but no order is ever sent: fills are simulated at the
     * quote of the moment and reported as simulated.
     */
    mode: z.enum(['paper', 'live', 'signals-only'], {
      error: 'expected paper, live or signals-only',
    }),
    restUrl: url(),
    tickerUrl: url(),
    tagSalt: z
      .string({ error: TAG_SALT_RULE })
      .regex(/^[A-Za-z0-9_.:/-]{1,32}$/, TAG_SALT_RULE)
      .optional(),
    /**
     * Where `npx trade login` stores the access token (0600) and the worker
     * watches for a renewed one. Unset: KITE_ACCESS_TOKEN only.
     */
    tokenFile: text().optional(),
  }),
  exchange: z.strictObject({
    host: text(),
    port: port(),
    dataDir: text(),
    seed: nonNegInt(),
    tickIntervalMs: posInt(),
    session: z.enum(['always-open', 'ist-hours'], { error: 'expected always-open or ist-hours' }),
    strikesAroundSpot: posInt(),
    partialFillRatio: z
      .number()
      .min(0, 'expected a fraction in [0, 1)')
      .lt(1, 'expected a fraction in [0, 1)'),
    accountCapital: posNum(),
    ordersPerSecond: posInt(),
    requestsPerSecond: posInt(),
    control: z.strictObject({ enabled: flag() }),
    /** When (IST) the paper exchange ends the sessions it issued; unset, Kite's 06:00. */
    tokenExpiry: hhmm().optional(),
    /** Where its login page sends the browser with the request_token, as Kite does to an app's redirect URL. */
    loginRedirectUrl: url().optional(),
  }),
  session: z.strictObject({
    calendar: z.enum(['always-open', 'ist-hours'], { error: 'expected always-open or ist-hours' }),
    open: hhmm(),
    close: hhmm(),
    noNewEntriesAfter: hhmm(),
    squareOffAt: hhmm(),
    /**
     * What an ist-hours entry does on a date whose year the NSE holiday list
     * does not know (or knows only provisionally). Set by the loader from
     * broker.mode when absent: live refuses, paper warns.
     */
    unknownHolidayYears: z
      .enum(['refuse', 'warn'], { error: 'expected refuse or warn' })
      .optional(),
  }),
  risk: z.strictObject({
    capital: posNum(),
    maxOpenPositions: posInt(),
    maxTradesPerDay: posInt(),
    maxDailyLoss: posNum(),
    maxCapitalInUsePct: posNum().max(100, 'expected a percent <= 100'),
    flattenOnDailyLoss: flag(),
  }),
  feed: z.strictObject({
    staleAfterSeconds: posInt(),
    pollIntervalMs: posInt(),
    maxTickJumpPct: posNum(),
  }),
  reconcile: z.strictObject({
    intervalSeconds: posInt(),
    orphanPolicy: z.enum(['alert', 'adopt', 'flatten'], {
      error: 'expected alert, adopt or flatten',
    }),
    staleOrderMinutes: posInt(),
    gateEntries: flag(),
  }),
  signals: z.strictObject({
    minStrength: z.number().min(0, 'expected 0-10').max(10, 'expected 0-10'),
    minExpectedMovePct: nonNegNum(),
    maxAgeSeconds: posInt(),
  }),
  entry: z.strictObject({
    strike: strikeRuleSchema,
    sizing: sizingSchema,
    expiryDayRule: z.enum(['SAME_DAY', 'NEXT_WEEK'], { error: 'expected SAME_DAY or NEXT_WEEK' }),
    marketProtection: z
      .number()
      .refine(
        (v) => v === -1 || (v > 0 && v <= 100),
        'expected -1 (automatic) or a percent in (0, 100]',
      ),
    product: z.enum(['MIS', 'NRML'], { error: 'expected MIS or NRML' }),
    fillTimeoutSeconds: posInt(),
  }),
  exits: z.strictObject({
    stopLoss: premiumDistanceSchema,
    target: premiumDistanceSchema,
    trailing: trailingSchema.optional(),
    maxHoldMinutes: posInt(),
    retryMaxSeconds: posInt(),
  }),
  /**
   * Replaces the dated NSE/Zerodha rates (src/domain/market-facts.ts) for
   * every trade date, and says so at worker start and in reports. Absent:
   * each trade pays the rates in force on its date.
   */
  charges: z
    .strictObject({
      brokeragePerOrder: nonNegNum(),
      sttSellRate: rate(),
      sttExerciseRate: rate(),
      /** Without ipftRate this is the whole exchange charge, IPFT included, as Kite shows it. */
      exchangeTxnRate: rate(),
      ipftRate: rate().optional(),
      sebiPerCrore: nonNegNum(),
      stampBuyRate: rate(),
      gstRate: rate(),
    })
    .optional(),
  runner: runnerSchema,
  webhook: z.strictObject({
    host: text(),
    port: port(),
    bodyLimitBytes: posInt(),
    /** Per client address; a runaway alert loop must not flood Temporal with workflows. */
    requestsPerMinute: posInt(),
    requireCreatedAt: flag(),
  }),
  log: z.strictObject({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      error: 'expected a pino level',
    }),
    dir: text(),
  }),
  /** The worker's /metrics, /healthz and /readyz (src/workers/observability.ts). */
  metrics: z.strictObject({
    host: text(),
    /** 0 picks a free port (tests); `npm start` needs a fixed one to print and watch. */
    port: port(),
    /** The Temporal SDK's own exporter, on loopback; the worker's /metrics carries its text too. */
    temporalPort: port(),
    /** How often position counts and the day's P&L are read from Temporal. */
    refreshSeconds: posInt(),
  }),
  notify: notifySchema,
});

// Judged only once every key is valid alone: a contradiction between a bad URL and the mode says nothing new.
export const configSchema = configShape.superRefine(
  (config, ctx) => {
    for (const { path, message, related } of inconsistencies(config)) {
      ctx.addIssue({ code: 'custom', path, message, params: { related } });
    }
  },
  { when: (payload) => payload.issues.length === 0 },
);

export type Config = z.infer<typeof configSchema>;
export type PremiumDistance = z.infer<typeof premiumDistanceSchema>;
export type TrailingRule = z.infer<typeof trailingSchema>;
export type StrikeRule = z.infer<typeof strikeRuleSchema>;
export type SizingRule = z.infer<typeof sizingSchema>;
export type Underlying = z.infer<typeof underlyingSchema>;
export type RunnerConfig = z.infer<typeof runnerSchema>;
export type StrategyParams = z.infer<typeof strategyParamsSchema>;
