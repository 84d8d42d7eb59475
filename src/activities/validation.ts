import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { isTickMultiple } from '../domain/money';
import { ORDER_TAG_PATTERN } from '../domain/order-tag';
import { underlyingSchema } from '../config/schema';
import { FailureType } from './failure-types';

const price = () =>
  z
    .number()
    .positive('expected a positive price')
    .refine((p) => isTickMultiple(p), 'expected a multiple of the 0.05 tick');
const positiveInt = () =>
  z.number().int('expected a positive integer').positive('expected a positive integer');
const token = () => positiveInt();

export const placeOrderSchema = z
  .strictObject({
    tag: z.string().regex(ORDER_TAG_PATTERN, 'expected 1-20 letters or digits (see orderTag())'),
    tradingsymbol: z.string().min(1, 'expected a tradingsymbol'),
    exchange: z.enum(['NFO', 'NSE']),
    transactionType: z.enum(['BUY', 'SELL']),
    quantity: positiveInt(),
    product: z.enum(['MIS', 'NRML']),
    orderType: z.enum(['MARKET', 'LIMIT', 'SL', 'SL-M']),
    price: price().optional(),
    triggerPrice: price().optional(),
    marketProtection: z
      .number()
      .refine(
        (v) => v === -1 || (v > 0 && v <= 100),
        'expected -1 (automatic) or a percent in (0, 100]',
      )
      .optional(),
    /** Epoch ms of the tick that decided an exit; placeOrder reports tick-to-exit latency from it. */
    intentAt: z
      .number()
      .int('expected epoch milliseconds')
      .positive('expected epoch milliseconds')
      .optional(),
    lookup: z.literal('broker', { error: 'expected "broker"' }).optional(),
  })
  .superRefine((o, ctx) => {
    const need = (
      field: 'price' | 'triggerPrice' | 'marketProtection',
      when: readonly string[],
    ) => {
      if (when.includes(o.orderType) && o[field] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `required for ${o.orderType} orders`,
        });
      }
    };
    need('price', ['LIMIT', 'SL']);
    need('triggerPrice', ['SL', 'SL-M']);
    need('marketProtection', ['MARKET', 'SL-M']);
  });

export const orderIdSchema = z.string().min(1, 'expected an order id');

export const awaitOrderSchema = z.strictObject({
  orderId: orderIdSchema,
  timeoutSeconds: z.number().positive('expected a positive number of seconds'),
});

export const cancelOrderSchema = z.strictObject({ orderId: orderIdSchema });

export const findOrderSchema = z.strictObject({
  tag: z.string().regex(ORDER_TAG_PATTERN, 'expected 1-20 letters or digits (see orderTag())'),
});

export const listExpiriesSchema = z.strictObject({ underlying: underlyingSchema });

export const optionChainSchema = z.strictObject({
  underlying: underlyingSchema,
  expiry: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
    .optional(),
  strikesAround: z
    .number()
    .int('expected an integer')
    .min(0, 'expected >= 0')
    .max(100, 'expected <= 100'),
});

export const quoteSchema = z
  .strictObject({
    tokens: z.array(token()).optional(),
    /** "EXCHANGE:TRADINGSYMBOL". */
    symbols: z
      .array(z.string().regex(/^(NFO|NSE):.+$/, 'expected EXCHANGE:TRADINGSYMBOL'))
      .optional(),
  })
  .refine(
    (q) => (q.tokens?.length ?? 0) + (q.symbols?.length ?? 0) > 0,
    'expected tokens or symbols',
  );

export const priceTriggerSchema = z.strictObject({
  legs: z
    .array(
      z
        .strictObject({ token: token(), below: price().optional(), above: price().optional() })
        .refine(
          (l) => l.below !== undefined || l.above !== undefined,
          'expected below and/or above',
        ),
    )
    .min(1, 'expected at least one leg'),
  exit: z
    .strictObject({
      tradingsymbol: z.string().min(1, 'expected a tradingsymbol'),
      product: z.enum(['MIS', 'NRML']),
      quantity: positiveInt(),
      lotSize: positiveInt(),
      freezeQty: positiveInt(),
      marketProtection: z.number(),
      tags: z
        .array(z.string().regex(ORDER_TAG_PATTERN, 'expected 1-20 letters or digits'))
        .min(1, 'expected a tag per slice'),
      on: z
        .array(
          z.strictObject({ legIndex: z.number().int().min(0), side: z.enum(['below', 'above']) }),
        )
        .min(1, 'expected the crossings that exit'),
      armId: z.string().min(1, 'expected an arm id'),
    })
    .optional(),
  mark: z
    .strictObject({
      positionId: z.string().min(1, 'expected a position id'),
      accountDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'),
      entryPrice: price(),
      quantity: positiveInt(),
    })
    .optional(),
});

const symbol = () => z.string().regex(/^[A-Z0-9-]{1,40}$/, 'expected a tradingsymbol');
const product = () => z.enum(['MIS', 'NRML']);

export const positionTruthSchema = z.strictObject({
  tradingsymbol: symbol(),
  product: product(),
  workflowId: z.string().min(1, 'expected a workflow id'),
  /** What the asking position holds by its fills (absent from exits scheduled before it was sent). */
  held: z
    .number()
    .int('expected whole units')
    .nonnegative('expected units held, 0 or more')
    .optional(),
  owner: z
    .string()
    .regex(/^[0-9a-z]{13}$/, "expected the position's 13-character tag prefix")
    .optional(),
});

export const externalFillsSchema = z.strictObject({
  tradingsymbol: symbol(),
  product: product(),
  quantity: positiveInt(),
  since: z.number().int('expected epoch ms').min(0, 'expected epoch ms'),
});

export const forceExitAllSchema = z.strictObject({
  reason: z.string().min(1, 'expected a reason').max(500, 'expected at most 500 characters'),
});

/** Invariant 4: bad input fails here, naming the field and value, before any broker call. */
export function parseInput<S extends z.ZodType>(
  activity: string,
  schema: S,
  input: unknown,
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.join('.');
    const value = issue.path.reduce<unknown>(
      (v, key) => (v as Record<PropertyKey, unknown> | undefined)?.[key],
      input,
    );
    return `${activity}${path ? `.${path}` : ''}: ${issue.message}, got ${JSON.stringify(value)}`;
  });
  throw ApplicationFailure.nonRetryable(problems.join('; '), FailureType.InvalidRequest);
}
