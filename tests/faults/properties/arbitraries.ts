import fc from 'fast-check';
import {
  UNDERLYINGS,
  type PremiumDistance,
  type StrikeRule,
  type TrailingRule,
} from '../../../src/config/schema';
import type { ChargeableFill, ChargeRates } from '../../../src/domain/charges';
import { indexLevelProblem, type ExitLevel, type Signal } from '../../../src/domain/signal';
import type { OptionChain, OptionQuote, OptionType } from '../../../src/domain/types';

/** Numbers a careless producer sends: NaN, infinities, -0, extremes, negatives, fractions. */
export const hostileNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, -1, Number.MAX_VALUE, Number.MIN_VALUE),
);

/** Any JS value a JSON body or an untyped message could hold, numbers included at their worst. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  hostileNumber,
  fc.constantFrom(undefined, null, true, false, '', [], {}),
);

/** Every JSON type except the one a field expects, so a "wrong type" can never be right. */
export const notOfType = (type: 'string' | 'number' | 'object'): fc.Arbitrary<unknown> =>
  fc
    .oneof(
      fc.string(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.jsonValue(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
    )
    .filter((v) => (type === 'object' ? v === null || Array.isArray(v) : typeof v !== type));

/** Positive, finite and of any magnitude: what the schemas call a positive number. */
export const positive = fc.double({ min: Number.MIN_VALUE, max: 1e12, noNaN: true });
const notPositive = fc.oneof(
  fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(NaN, Infinity, -Infinity),
);

/** A price on the 0.05 tick, in whole ticks so it is exact. */
export const tickPrice = (maxTicks: number) =>
  fc.integer({ min: 1, max: maxTicks }).map((t) => t * 0.05);

// ---- signals -------------------------------------------------------------

const instant = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2100-01-01T00:00:00Z'),
  noInvalidDate: true,
});
/** ISO-8601 with a zone, as producers write it: Z or an offset such as +05:30. */
const isoWithZone = fc
  .tuple(instant, fc.constantFrom('Z', '+05:30', '-04:00', '+00:00'))
  .map(([d, zone]) => d.toISOString().replace('Z', zone));

/**
 * Premium distances up to far past any sane exit, but not so far that a level
 * leaves the range where a double still holds whole paise (about 9e13 rupees).
 */
const distance = fc.double({ min: Number.MIN_VALUE, max: 1e6, noNaN: true });
/** Index levels on the 0.05 tick, which intake leaves as they are (off-tick ones it rounds). */
const indexLevel = fc.integer({ min: 1, max: 20_000_000 }).map((ticks) => ticks / 20);
const exitLevel: fc.Arbitrary<ExitLevel> = fc.oneof(
  distance.map((points) => ({ points })),
  distance.map((pct) => ({ pct })),
  indexLevel.map((underlyingLevel) => ({ underlyingLevel })),
);
export const premiumDistance: fc.Arbitrary<PremiumDistance> = fc.oneof(
  distance.map((points) => ({ points })),
  distance.map((pct) => ({ pct })),
);
export const trailingRule: fc.Arbitrary<TrailingRule> = fc.record({
  activation: premiumDistance,
  distance: premiumDistance,
  step: premiumDistance,
});

/**
 * A reference price with an index level on its wrong side is refused at
 * intake, so a valid signal keeps the reference only where its levels agree.
 */
const consistentReference = (signal: Signal): Signal => {
  const { referencePrice, exits, direction } = signal;
  if (referencePrice === undefined) return signal;
  const wrong = (['stopLoss', 'target'] as const).some((kind) => {
    const level = exits?.[kind]?.underlyingLevel;
    return level !== undefined && indexLevelProblem(direction, kind, level, referencePrice);
  });
  if (!wrong) return signal;
  const { referencePrice: _dropped, ...rest } = signal;
  return rest;
};

const signalFields: fc.Arbitrary<Signal> = fc.record(
  {
    id: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/),
    underlying: fc.constantFrom(...UNDERLYINGS),
    direction: fc.constantFrom('LONG' as const, 'SHORT' as const),
    strategy: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/),
    strength: fc.double({ min: 0, max: 10, noNaN: true }),
    expectedMovePct: positive,
    referencePrice: positive,
    exits: fc.record(
      {
        stopLoss: exitLevel,
        target: exitLevel,
        trailing: trailingRule,
        maxHoldMinutes: fc.integer({ min: 1, max: 100_000 }),
      },
      { requiredKeys: [] },
    ),
    createdAt: isoWithZone,
  },
  {
    requiredKeys: [
      'id',
      'underlying',
      'direction',
      'strategy',
      'strength',
      'expectedMovePct',
      'createdAt',
    ],
  },
);

export const validSignal: fc.Arbitrary<Signal> = signalFields.map(consistentReference);

const notAnExitLevel = fc.oneof(
  notOfType('object'),
  fc.constant({}),
  fc.record({ points: positive, pct: positive }),
  fc.record({ points: notPositive }),
  fc.record({ pct: notOfType('number') }),
);
const badDistance = fc.oneof(notOfType('object'), fc.constant({}), fc.record({ pct: notPositive }));

/**
 * One signal field, by path, with values its schema must refuse. Each entry
 * is a way real producers get it wrong: wrong type, out of range, malformed.
 */
export const invalidSignalFields: ReadonlyArray<{ path: string[]; value: fc.Arbitrary<unknown> }> =
  [
    {
      path: ['id'],
      value: fc.oneof(
        notOfType('string'),
        fc.constant(''),
        fc.stringMatching(/^[A-Za-z0-9_.:-]{65,300}$/),
        fc.string({ minLength: 1 }).filter((s) => !/^[A-Za-z0-9_.:-]+$/.test(s)),
      ),
    },
    {
      path: ['underlying'],
      value: fc.oneof(
        notOfType('string'),
        fc.string().filter((s) => !(UNDERLYINGS as readonly string[]).includes(s)),
      ),
    },
    {
      path: ['direction'],
      value: fc.oneof(
        notOfType('string'),
        fc.constantFrom('long', 'BUY', 'UP', 'CE', ''),
        fc.string().filter((s) => s !== 'LONG' && s !== 'SHORT'),
      ),
    },
    {
      path: ['strategy'],
      value: fc.oneof(
        notOfType('string'),
        fc.constant(''),
        fc.constant('has spaces'),
        fc.string({ minLength: 65, maxLength: 80 }),
      ),
    },
    {
      path: ['strength'],
      value: fc.oneof(
        notOfType('number'),
        fc.double({ min: 10, minExcluded: true }),
        fc.double({ max: -Number.MIN_VALUE }),
        fc.constant(NaN),
      ),
    },
    { path: ['expectedMovePct'], value: fc.oneof(notOfType('number'), notPositive) },
    { path: ['referencePrice'], value: fc.oneof(notOfType('number'), notPositive) },
    {
      path: ['createdAt'],
      value: fc.oneof(
        notOfType('string'),
        fc.constantFrom('2025-11-18T09:30:00', '2025-11-18', '18/11/2025 09:30', 'now', ''),
        fc.string().filter((s) => !/^\d{4}-/.test(s)),
      ),
    },
    { path: ['exits'], value: notOfType('object') },
    { path: ['exits', 'stopLoss'], value: notAnExitLevel },
    { path: ['exits', 'target'], value: notAnExitLevel },
    {
      path: ['exits', 'maxHoldMinutes'],
      value: fc.oneof(
        notOfType('number'),
        notPositive,
        fc.double({ min: 0.001, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n)),
      ),
    },
    { path: ['exits', 'trailing'], value: notOfType('object') },
    { path: ['exits', 'trailing', 'step'], value: badDistance },
  ];

/** A valid signal with exactly one field set to a value its schema refuses. */
export const signalWithOneBadField = fc
  .tuple(validSignal, fc.constantFrom(...invalidSignalFields))
  .chain(([signal, field]) =>
    field.value.map((value) => ({
      path: field.path.join('.'),
      input: withValueAt(signal, field.path, value),
    })),
  );

/** A copy of `input` with `value` at `path`, creating objects on the way (a trailing rule's siblings too). */
function withValueAt(input: object, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(input) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) {
      node[key] = key === 'trailing' ? { activation: { pct: 10 }, distance: { pct: 5 } } : {};
    }
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
  return copy;
}

// ---- domain --------------------------------------------------------------

export const direction = fc.constantFrom('LONG' as const, 'SHORT' as const);

/** Every rule the config schema admits, at any magnitude it admits. */
export const strikeRule: fc.Arbitrary<StrikeRule> = fc.oneof(
  fc.constant({ mode: 'ATM' as const }),
  fc.record({ mode: fc.constant('ITM' as const), steps: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ mode: fc.constant('OTM' as const), steps: fc.integer({ min: 1, max: 30 }) }),
  fc.record({
    mode: fc.constant('DELTA' as const),
    target: fc.double({ min: 0, max: 1, minExcluded: true, maxExcluded: true, noNaN: true }),
  }),
  fc.record({ mode: fc.constant('PREMIUM' as const), min: positive, max: positive }),
);

export const CHAIN_EXPIRY = '2025-11-25';
const AS_OF = Date.parse('2025-11-18T04:30:00Z');

/**
 * Quotes as a broken feed might send them: the real ladder's strikes mixed
 * with duplicates, other expiries, and strikes or prices that are not prices.
 */
const quote: fc.Arbitrary<OptionQuote> = fc
  .record({
    strike: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 440, max: 520 }).map((k) => k * 50) },
      { weight: 1, arbitrary: hostileNumber },
    ),
    optionType: fc.constantFrom<OptionType>('CE', 'PE'),
    expiry: fc.oneof(
      { weight: 4, arbitrary: fc.constant(CHAIN_EXPIRY) },
      fc.constant('2025-12-02'),
    ),
    ask: fc.oneof({ weight: 4, arbitrary: tickPrice(20_000) }, hostileNumber),
    bid: fc.oneof(tickPrice(20_000), hostileNumber),
    delta: fc.option(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), hostileNumber), {
      nil: undefined,
    }),
  })
  .map(({ strike, optionType, expiry, ask, bid, delta }) => ({
    token: 1,
    tradingSymbol: `NIFTY${strike}${optionType}`,
    underlying: 'NIFTY' as const,
    expiry,
    strike,
    optionType,
    lotSize: 65,
    tickSize: 0.05,
    ltp: ask,
    bid,
    ask,
    ...(delta !== undefined ? { delta } : {}),
  }));

export const hostileChain: fc.Arbitrary<OptionChain> = fc.record({
  underlying: fc.constant('NIFTY' as const),
  spot: fc.oneof(
    { weight: 4, arbitrary: fc.double({ min: 21_000, max: 27_000, noNaN: true }) },
    hostileNumber,
  ),
  expiry: fc.constant(CHAIN_EXPIRY),
  asOf: fc.oneof(fc.constant(AS_OF), fc.integer()),
  options: fc.array(quote, { maxLength: 40 }),
});

/** Charge rates anywhere a config override allows, not just Zerodha's. */
export const chargeRates: fc.Arbitrary<ChargeRates> = fc.record({
  brokeragePerOrder: fc.double({ min: 0, max: 1_000, noNaN: true }),
  sttSellRate: fc.double({ min: 0, max: 1, noNaN: true }),
  sttExerciseRate: fc.double({ min: 0, max: 1, noNaN: true }),
  exchangeTxnRate: fc.double({ min: 0, max: 1, noNaN: true }),
  ipftRate: fc.double({ min: 0, max: 1, noNaN: true }),
  sebiRate: fc.double({ min: 0, max: 1, noNaN: true }),
  stampBuyRate: fc.double({ min: 0, max: 1, noNaN: true }),
  gstRate: fc.double({ min: 0, max: 1, noNaN: true }),
  ipftInGstBase: fc.boolean(),
});

/** A fill that can happen: whole lots at a tick price, one or more orders. */
export const realFill: fc.Arbitrary<ChargeableFill> = fc.record({
  side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
  quantity: fc.integer({ min: 1, max: 1_000 }).map((lots) => lots * 65),
  price: tickPrice(200_000),
  orders: fc.integer({ min: 1, max: 40 }),
});

/** A fill that cannot happen: what a confused broker response might still contain. */
export const hostileFill: fc.Arbitrary<ChargeableFill> = fc.record({
  side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
  quantity: fc.oneof(fc.integer(), hostileNumber),
  price: hostileNumber,
  orders: fc.oneof(fc.integer(), hostileNumber),
});
