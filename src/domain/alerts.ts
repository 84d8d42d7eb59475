import { z } from 'zod';

/** Everything the notifier can tell a person; each kind can be switched off per channel. */
export const ALERT_KINDS = [
  'ENTRY_FILLED',
  'EXIT_FILLED',
  'EXIT_BLOCKED',
  'EXIT_UNBLOCKED',
  'NEEDS_ATTENTION',
  'RECONCILE_MISMATCH',
  'BREAKER_TRIPPED',
  'KILL_SWITCH',
  'TOKEN_EXPIRING',
  'TOKEN_EXPIRED',
  'FEED_STALE',
  'WORKER_UNHEALTHY',
  'DAY_SUMMARY',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const alertKindSchema = z.enum(ALERT_KINDS, {
  error: `expected one of ${ALERT_KINDS.join(', ')}`,
});

const fieldValue = z.union([z.string().max(500, 'expected at most 500 characters'), z.number()], {
  error: 'expected a string or a finite number',
});

/**
 * One alert. `id` is the dedupe key: the same id is delivered at most once
 * per channel within the notifier's retention, so it must be derived from
 * what the alert is about (see alertId), never from a clock or a counter
 * that a retry or a replay would advance.
 */
export const alertEventSchema = z
  .strictObject({
    id: z
      .string({ error: 'expected an alert id' })
      .regex(/^[!-~]{1,200}$/, 'expected 1-200 printable characters without spaces'),
    kind: alertKindSchema,
    severity: z.enum(ALERT_SEVERITIES, { error: `expected ${ALERT_SEVERITIES.join(', ')}` }),
    title: z
      .string({ error: 'expected a title' })
      .regex(/^[^\r\n]{1,200}$/, 'expected one line of 1-200 characters'),
    text: z.string({ error: 'expected a text' }).max(3000, 'expected at most 3000 characters'),
    workflowId: z.string().min(1, 'expected a workflow id').optional(),
    positionId: z.string().min(1, 'expected a position id').optional(),
    fields: z
      .record(
        z.string().min(1).max(64, 'expected a field name of at most 64 characters'),
        fieldValue,
      )
      .optional(),
  })
  .superRefine((e, ctx) => {
    // An exit report without its P&L is the one message nobody can act on.
    if (e.kind === 'EXIT_FILLED' && typeof e.fields?.netPnl !== 'number') {
      ctx.addIssue({
        code: 'custom',
        path: ['fields', 'netPnl'],
        message: 'expected the net P&L as a number for EXIT_FILLED',
      });
    }
  });

export type AlertEvent = z.infer<typeof alertEventSchema>;

/** The dedupe key of the n-th alert of one kind about one workflow (or account, or day). */
export const alertId = (scope: string, kind: AlertKind, n: number | string): string =>
  `${scope}:${kind}:${n}`;

const SEVERITY_MARK: Record<AlertSeverity, string> = {
  info: 'ℹ️',
  warning: '⚠️',
  critical: '🚨',
};

/** One line saying what happened; the email subject. */
export const alertHeadline = (event: AlertEvent): string =>
  `${event.severity.toUpperCase()} ${event.kind}: ${event.title}`;

/**
 * The text every channel sends: headline, body, the fields, then what a
 * person needs to act, the position id and the Web UI page of its workflow.
 */
export function formatAlert(event: AlertEvent, uiLink?: string): string {
  const lines = [`${SEVERITY_MARK[event.severity]} ${alertHeadline(event)}`];
  if (event.text) lines.push(event.text);
  const fields = Object.entries(event.fields ?? {});
  if (fields.length > 0) lines.push('', ...fields.map(([k, v]) => `${k}: ${v}`));
  const refs = [
    event.positionId && `Position: ${event.positionId}`,
    event.workflowId && event.workflowId !== event.positionId && `Workflow: ${event.workflowId}`,
    uiLink && `Web UI: ${uiLink}`,
  ].filter((l): l is string => Boolean(l));
  if (refs.length > 0) lines.push('', ...refs);
  return lines.join('\n');
}
