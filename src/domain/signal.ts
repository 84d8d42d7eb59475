import { z } from 'zod';
import { trailingSchema, underlyingSchema } from '../config/schema';
import { roundToTick, TICK_SIZE, toPaise } from './money';
import type { Direction } from './types';

// Messages carry the expectation in words so a rejection reads as
// "strength: expected a number from 0 to 10, got 12".
const positive = (what: string) =>
  z.number({ error: `expected ${what}` }).positive(`expected ${what}`);

/**
 * One exit level from a signal: a distance on the option premium ({points} or
 * {pct} of the entry premium) or an absolute level on the underlying index.
 */
export const exitLevelSchema = z
  .strictObject({
    points: positive('a positive number of premium points').optional(),
    pct: positive('a positive percent of the entry premium').optional(),
    underlyingLevel: positive('a positive index level').optional(),
  })
  .refine(
    (l) => [l.points, l.pct, l.underlyingLevel].filter((v) => v !== undefined).length === 1,
    'expected exactly one of points, pct or underlyingLevel',
  );

export const signalExitsSchema = z.strictObject({
  stopLoss: exitLevelSchema.optional(),
  target: exitLevelSchema.optional(),
  trailing: trailingSchema.optional(),
  maxHoldMinutes: z
    .number({ error: 'expected a positive whole number of minutes' })
    .int('expected a positive whole number of minutes')
    .positive('expected a positive whole number of minutes')
    .optional(),
});

// The id becomes the workflow id `pos-<id>`, so it is limited to characters
// that survive URLs, CLI arguments and search-attribute queries unescaped.
export const signalIdSchema = z
  .string({ error: 'expected a string id' })
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1-64 characters of A-Z a-z 0-9 _ . : -');

const fieldsSchema = z.strictObject({
  id: signalIdSchema,
  underlying: underlyingSchema,
  direction: z.enum(['LONG', 'SHORT'], { error: 'expected LONG (buys CE) or SHORT (buys PE)' }),
  // A search attribute and a report column: short, and printable in a table.
  strategy: z
    .string({ error: 'expected a strategy name' })
    .regex(
      /^[A-Za-z0-9_.:-]{1,64}$/,
      'expected a strategy name of 1-64 characters A-Z a-z 0-9 _ . : -',
    ),
  strength: z
    .number({ error: 'expected a number from 0 to 10' })
    .min(0, 'expected a number from 0 to 10')
    .max(10, 'expected a number from 0 to 10'),
  expectedMovePct: positive('a positive percent'),
  referencePrice: positive('a positive price').optional(),
  exits: signalExitsSchema.optional(),
  createdAt: z.iso.datetime({
    offset: true,
    error: 'expected an ISO-8601 timestamp with a zone, e.g. 2025-11-18T09:30:00+05:30',
  }),
});

type SignalFields = z.infer<typeof fieldsSchema>;

/**
 * Index levels fire on ticks of 0.05, so a level between ticks is rounded at
 * intake, always toward the spot: a LONG (call) has its stop below the index
 * and its target above, so the stop rounds up and the target down; a SHORT
 * (put) is the mirror image. Either way a level fires no later than asked,
 * and a stop never risks more than asked.
 */
export function roundIndexLevel(
  direction: Direction,
  kind: 'stopLoss' | 'target',
  level: number,
): number {
  const below = (kind === 'stopLoss') === (direction === 'LONG');
  return Math.max(roundToTick(level, undefined, below ? 'up' : 'down'), TICK_SIZE);
}

/**
 * Where a level must sit against the index, by the same rule as the
 * rounding: the expectation in words, or undefined when the level is on its
 * side. The caller names the field (`exits.<kind>.underlyingLevel`).
 */
export function indexLevelProblem(
  direction: Direction,
  kind: 'stopLoss' | 'target',
  level: number,
  spot: number,
): string | undefined {
  const below = (kind === 'stopLoss') === (direction === 'LONG');
  const wrong = below ? toPaise(level) >= toPaise(spot) : toPaise(level) <= toPaise(spot);
  if (!wrong) return undefined;
  const what = direction === 'LONG' ? 'a LONG (call)' : 'a SHORT (put)';
  return `expected a level ${below ? 'below' : 'above'} the index (${spot}) for ${what}`;
}

const INDEX_LEVELS = ['stopLoss', 'target'] as const;

export const signalSchema = fieldsSchema
  .superRefine((s, ctx) => {
    // Zod runs this even when a field failed: a bad reference is its own error, not a level's.
    const ref = s.referencePrice;
    if (typeof ref !== 'number' || !(ref > 0) || !Number.isFinite(ref)) return;
    for (const kind of INDEX_LEVELS) {
      const level = s.exits?.[kind]?.underlyingLevel;
      if (typeof level !== 'number' || !(level > 0)) continue;
      const problem = indexLevelProblem(s.direction, kind, level, ref);
      if (problem)
        ctx.addIssue({
          code: 'custom',
          path: ['exits', kind, 'underlyingLevel'],
          message: problem,
        });
    }
  })
  .transform((s): SignalFields => {
    if (!s.exits) return s;
    const exits = { ...s.exits };
    for (const kind of INDEX_LEVELS) {
      const level = exits[kind];
      if (level?.underlyingLevel !== undefined)
        exits[kind] = {
          ...level,
          underlyingLevel: roundIndexLevel(s.direction, kind, level.underlyingLevel),
        };
    }
    return { ...s, exits };
  });

export type Signal = z.infer<typeof signalSchema>;
export type SignalExits = z.infer<typeof signalExitsSchema>;
export type ExitLevel = z.infer<typeof exitLevelSchema>;

export type ParseSignalResult = { ok: true; signal: Signal } | { ok: false; errors: string[] };

export class SignalValidationError extends Error {
  constructor(readonly errors: string[]) {
    super(`Invalid signal:\n  ${errors.join('\n  ')}`);
    this.name = 'SignalValidationError';
  }
}

const valueAt = (input: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (node, key) =>
      typeof node === 'object' && node !== null
        ? (node as Record<PropertyKey, unknown>)[key]
        : undefined,
    input,
  );

/**
 * Zod issues as "path: expectation, got value" lines. `prefix` names where
 * `input` sits in a larger message, e.g. "trailing" for a modifyExits field.
 */
export function describeIssues(error: z.ZodError, input: unknown, prefix = ''): string[] {
  const pathOf = (keys: PropertyKey[]) => [prefix, ...keys.map(String)].filter(Boolean).join('.');
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => `${pathOf([...issue.path, k])}: unknown field`);
    }
    const at = pathOf(issue.path) || '(signal)';
    const value = valueAt(input, issue.path);
    if (issue.path.length === 0 && issue.code === 'invalid_type') {
      return [`${at}: expected an object, got ${JSON.stringify(value) ?? typeof value}`];
    }
    if (value === undefined && issue.code === 'invalid_type') return [`${at}: required, missing`];
    return [
      `${at}: ${issue.message}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`,
    ];
  });
}

export function parseSignal(input: unknown): ParseSignalResult {
  const result = signalSchema.safeParse(input);
  if (result.success) return { ok: true, signal: result.data };
  return { ok: false, errors: describeIssues(result.error, input) };
}

/** For intake paths that prefer an exception carrying every problem at once. */
export function parseSignalOrThrow(input: unknown): Signal {
  const result = parseSignal(input);
  if (!result.ok) throw new SignalValidationError(result.errors);
  return result.signal;
}
