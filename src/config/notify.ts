import { z } from 'zod';
import { ALERT_KINDS, alertKindSchema } from '../domain/alerts';

// Local field helpers: schema.ts imports this file, so importing its helpers would be a cycle.
const flag = () => z.boolean({ error: 'expected true or false' });
const text = () =>
  z.string({ error: 'expected a non-empty string' }).min(1, 'expected a non-empty string');
const url = () => z.string({ error: 'expected a URL' }).url('expected a URL');
// Loose on purpose: local relays deliver to addresses like ops@localhost that z.email() refuses.
const email = () =>
  z
    .string({ error: 'expected an email address' })
    .regex(/^[^\s@<>]+@[^\s@<>]+$/, 'expected an email address such as ops@example.com');

/** The notify activity's start-to-close is 30 s and channels send in parallel. */
export const MAX_CHANNEL_TIMEOUT_MS = 20_000;

/** Omitted means every kind: a new kind of alert reaches people unless someone opts out. */
const events = () => z.array(alertKindSchema).default([...ALERT_KINDS]);

/** Switching a channel on needs what it sends with; the problem is named at `enabled`. */
function requireWhenEnabled(
  ctx: z.RefinementCtx,
  c: { enabled: boolean },
  present: boolean,
  what: string,
): void {
  if (c.enabled && !present)
    ctx.addIssue({ code: 'custom', path: ['enabled'], message: `expected ${what} when enabled` });
}

const telegramSchema = z
  .strictObject({
    enabled: flag(),
    /** A numeric chat id (negative for groups) or "@channelname". */
    chatId: z
      .union([z.number().int(), text()], { error: 'expected a chat id or @channelname' })
      .optional(),
    apiUrl: url(),
    events: events(),
  })
  .superRefine((c, ctx) =>
    requireWhenEnabled(ctx, c, c.chatId !== undefined, 'notify.telegram.chatId'),
  );

const webhookSchema = z.strictObject({ enabled: flag(), events: events() });

const emailSchema = z
  .strictObject({
    enabled: flag(),
    host: text(),
    port: z
      .number({ error: 'expected a TCP port (1-65535)' })
      .int('expected a TCP port (1-65535)')
      .min(1, 'expected a TCP port (1-65535)')
      .max(65535, 'expected a TCP port (1-65535)'),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    secure: flag(),
    from: email(),
    to: z.array(email()),
    /** SMTP login; its password is SMTP_PASSWORD. No user, no login. */
    user: text().optional(),
    events: events(),
  })
  .superRefine((c, ctx) =>
    requireWhenEnabled(ctx, c, c.to.length > 0, 'at least one notify.email.to address'),
  );

export const notifySchema = z.strictObject({
  /** Base of the Temporal Web UI links in messages; unset, the local UI on temporal.uiPort. */
  uiBaseUrl: url().optional(),
  /** Where the ids of delivered alerts are kept, so a restarted worker does not resend. */
  stateDir: text(),
  retentionHours: z
    .number({ error: 'expected a positive number' })
    .positive('expected a positive number'),
  timeoutMs: z
    .number({ error: 'expected a positive integer' })
    .int('expected a positive integer')
    .positive('expected a positive integer')
    .max(MAX_CHANNEL_TIMEOUT_MS, `expected at most ${MAX_CHANNEL_TIMEOUT_MS}`),
  telegram: telegramSchema,
  webhook: webhookSchema,
  email: emailSchema,
});

export type NotifyConfig = z.infer<typeof notifySchema>;
export type NotifyChannelName = 'telegram' | 'webhook' | 'email';
