import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { createNotifyActivities, type NotifyResult } from '../../src/activities/notify';
import { ALERT_UNDELIVERED } from '../../src/activities/notify-options';
import { loadConfig, loadSecrets, MissingSecretError, secretValues } from '../../src/config';
import type { Config } from '../../src/config/schema';
import { alertId, formatAlert, type AlertEvent } from '../../src/domain/alerts';
import { createLogger } from '../../src/log';
import { startFakeTelegram, type FakeTelegram } from '../harness/fake-telegram';
import { startHttpSink, type HttpSink } from '../harness/http-sink';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';

const BOT_TOKEN = '7012345678:AAFakeBotTokenForTests_abcdefghij';
const SMTP = { user: 'alerts@example.com', password: 'smtp-pass-8f3e2a1c' };
const CHAT_ID = -1001234567890;
/** A fixed instant: retention and the last-attempt check read this clock, never the wall's. */
const T0 = Date.UTC(2026, 0, 6, 4, 0, 0);
const HOUR = 3_600_000;

let telegram: FakeTelegram;
let hook: HttpSink;
let smtp: SmtpSink;
let hookSecretPath: string;

beforeAll(async () => {
  [telegram, hook, smtp] = await Promise.all([
    startFakeTelegram({ token: BOT_TOKEN }),
    startHttpSink(),
    startSmtpSink(SMTP),
  ]);
  // Slack's incoming-webhook URLs carry their credential in the path.
  hookSecretPath = `${hook.url}/services/T000/B000/XXXXwebhookSecretXXXX`;
});
afterAll(() => Promise.all([telegram.close(), hook.close(), smtp.close()]));

const channelEnv = (stateDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  TRADER__NOTIFY__STATE_DIR: stateDir,
  TRADER__NOTIFY__TIMEOUT_MS: '3000',
  TRADER__NOTIFY__TELEGRAM__ENABLED: 'true',
  TRADER__NOTIFY__TELEGRAM__API_URL: telegram.apiUrl,
  TRADER__NOTIFY__TELEGRAM__CHAT_ID: String(CHAT_ID),
  TRADER__NOTIFY__WEBHOOK__ENABLED: 'true',
  TRADER__NOTIFY__EMAIL__ENABLED: 'true',
  TRADER__NOTIFY__EMAIL__HOST: smtp.host,
  TRADER__NOTIFY__EMAIL__PORT: String(smtp.port),
  TRADER__NOTIFY__EMAIL__FROM: 'trader@localhost',
  TRADER__NOTIFY__EMAIL__TO: '[ops@example.com, desk@example.com]',
  TRADER__NOTIFY__EMAIL__USER: SMTP.user,
  TELEGRAM_BOT_TOKEN: BOT_TOKEN,
  TRADER_ALERT_WEBHOOK_URL: hookSecretPath,
  SMTP_PASSWORD: SMTP.password,
  ...extra,
});

interface Setup {
  config: Config;
  lines: string[];
  clock: { now: number };
  acts: ReturnType<typeof createNotifyActivities>;
  secrets: string[];
}

/** The activity exactly as the worker builds it: config and secrets from the environment. */
function setup(env: NodeJS.ProcessEnv, clock = { now: T0 }): Setup {
  const config = loadConfig({ env });
  const secrets = loadSecrets(config.broker.mode, env);
  const lines: string[] = [];
  // A bare pino logger: no scrubbing here, so a secret the notifier logged would show.
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const acts = createNotifyActivities({ config, secrets, logger, now: () => clock.now });
  return { config, lines, clock, acts, secrets: secretValues(secrets) };
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'notify-'));

/** One attempt of the activity, `elapsedMs` after Temporal first scheduled it. */
function attempt(s: Setup, event: AlertEvent, elapsedMs = 0): Promise<NotifyResult> {
  const env = new MockActivityEnvironment(
    {
      scheduledTimestampMs: s.clock.now - elapsedMs,
      scheduleToCloseTimeoutMs: HOUR,
      startToCloseTimeoutMs: 30_000,
    },
    { logger: new DefaultLogger('ERROR') },
  );
  return env.run(s.acts.notify, event) as Promise<NotifyResult>;
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }
  throw new Error('expected the activity to fail');
}

let seq = 0;
const exitFilled = (overrides: Partial<AlertEvent> = {}): AlertEvent => {
  const workflowId = `pos-notify-${++seq}`;
  return {
    id: alertId(workflowId, 'EXIT_FILLED', 1),
    kind: 'EXIT_FILLED',
    severity: 'info',
    title: 'NIFTY 24500 CE exit filled (TARGET)',
    text: 'Sold 65 at 142.35',
    workflowId,
    positionId: workflowId,
    fields: { netPnl: 1834.6, exitReason: 'TARGET' },
    ...overrides,
  };
};

const sentTo = {
  telegram: (e: AlertEvent) =>
    telegram.messages.filter((m) => m.text.split('\n').includes(`Position: ${e.positionId}`)),
  webhook: (e: AlertEvent) =>
    hook.accepted.filter((b) => (b as { alert: AlertEvent }).alert.id === e.id),
  email: (e: AlertEvent) => smtp.mails.filter((m) => m.headers['x-trader-alert-id'] === e.id),
};
const counts = (e: AlertEvent) => ({
  telegram: sentTo.telegram(e).length,
  webhook: sentTo.webhook(e).length,
  email: sentTo.email(e).length,
});

describe('formatAlert', () => {
  it('renders the headline, body, fields, position id and Web UI link', () => {
    const event = exitFilled({ workflowId: 'pos-a', positionId: 'pos-a' });
    expect(formatAlert(event, 'http://ui/wf/pos-a')).toBe(
      [
        'ℹ️ INFO EXIT_FILLED: NIFTY 24500 CE exit filled (TARGET)',
        'Sold 65 at 142.35',
        '',
        'netPnl: 1834.6',
        'exitReason: TARGET',
        '',
        'Position: pos-a',
        'Web UI: http://ui/wf/pos-a',
      ].join('\n'),
    );
  });

  it('names the workflow when it is not the position, and leaves out what is missing', () => {
    const text = formatAlert({
      id: 'account-2026-01-06:BREAKER_TRIPPED:1',
      kind: 'BREAKER_TRIPPED',
      severity: 'critical',
      title: 'Daily loss limit reached',
      text: '',
      workflowId: 'account-2026-01-06',
    });
    expect(text).toBe(
      '🚨 CRITICAL BREAKER_TRIPPED: Daily loss limit reached\n\nWorkflow: account-2026-01-06',
    );
  });
});

describe('notify: every channel delivers to a real peer', () => {
  it('Telegram, webhook and email each carry the position id and its Web UI link', async () => {
    const s = setup(channelEnv(tempDir()));
    const event = exitFilled();
    expect(await attempt(s, event)).toEqual({
      delivered: ['telegram', 'webhook', 'email'],
      skipped: [],
    });
    const link = `http://localhost:${s.config.temporal.uiPort}/namespaces/${s.config.temporal.namespace}/workflows/${event.workflowId}`;

    const [tg] = sentTo.telegram(event);
    expect(tg).toMatchObject({ chat_id: CHAT_ID, disable_web_page_preview: true });
    expect(tg.text).toContain(`Position: ${event.positionId}`);
    expect(tg.text).toContain(`Web UI: ${link}`);
    expect(tg.text).toContain('netPnl: 1834.6');

    const [body] = sentTo.webhook(event) as Record<string, unknown>[];
    expect(body.text).toBe(tg.text);
    expect(body.content).toBe(tg.text);
    expect(body.alert).toMatchObject({
      id: event.id,
      kind: 'EXIT_FILLED',
      positionId: event.positionId,
      uiLink: link,
      fields: { netPnl: 1834.6 },
    });
    const request = hook.requests.find((r) => r.body.includes(event.id))!;
    expect(request.path).toBe('/services/T000/B000/XXXXwebhookSecretXXXX');
    expect(request.headers['content-type']).toBe('application/json');

    const [mail] = sentTo.email(event);
    expect(mail).toMatchObject({
      mailFrom: 'trader@localhost',
      rcptTo: ['ops@example.com', 'desk@example.com'],
      user: SMTP.user,
      subject: 'INFO EXIT_FILLED: NIFTY 24500 CE exit filled (TARGET)',
    });
    expect(mail.text).toBe(tg.text);
  });

  it('links to notify.uiBaseUrl when one is set, keeping its path', async () => {
    const s = setup(
      channelEnv(tempDir(), { TRADER__NOTIFY__UI_BASE_URL: 'https://ops.example.com/temporal/' }),
    );
    const event = exitFilled();
    await attempt(s, event);
    expect(sentTo.telegram(event)[0].text).toContain(
      `Web UI: https://ops.example.com/temporal/namespaces/default/workflows/${event.workflowId}`,
    );
  });

  it('sends each kind only on the channels switched on for it', async () => {
    const s = setup(
      channelEnv(tempDir(), {
        TRADER__NOTIFY__TELEGRAM__EVENTS: '[EXIT_BLOCKED, KILL_SWITCH]',
        TRADER__NOTIFY__EMAIL__EVENTS: '[DAY_SUMMARY]',
      }),
    );
    const exit = exitFilled();
    expect(await attempt(s, exit)).toEqual({
      delivered: ['webhook'],
      skipped: ['telegram', 'email'],
    });
    const blocked = exitFilled({
      id: alertId('pos-blocked', 'EXIT_BLOCKED', 1),
      kind: 'EXIT_BLOCKED',
      severity: 'critical',
      title: 'Exit blocked: broker refused the session',
      workflowId: 'pos-blocked',
      positionId: 'pos-blocked',
      fields: {},
    });
    expect(await attempt(s, blocked)).toEqual({
      delivered: ['telegram', 'webhook'],
      skipped: ['email'],
    });
    expect(counts(exit)).toEqual({ telegram: 0, webhook: 1, email: 0 });
    expect(counts(blocked)).toEqual({ telegram: 1, webhook: 1, email: 0 });
  });

  it('does nothing, and touches no disk, when every channel is off', async () => {
    const dir = path.join(tempDir(), 'never');
    const s = setup({ TRADER__NOTIFY__STATE_DIR: dir });
    expect(await attempt(s, exitFilled())).toEqual({ delivered: [], skipped: [] });
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('notify: each alert id once per channel', () => {
  it('a retried activity does not send again', async () => {
    const s = setup(channelEnv(tempDir()));
    const event = exitFilled();
    await attempt(s, event);
    expect(await attempt(s, event)).toEqual({
      delivered: [],
      skipped: ['telegram', 'webhook', 'email'],
    });
    expect(counts(event)).toEqual({ telegram: 1, webhook: 1, email: 1 });
  });

  it('a retry that overlaps a timed-out attempt still sending waits for it, not sends again', async () => {
    const s = setup(channelEnv(tempDir()));
    const event = exitFilled();
    await Promise.all([attempt(s, event), attempt(s, event, 30_000)]);
    expect(counts(event)).toEqual({ telegram: 1, webhook: 1, email: 1 });
  });

  it('a restarted notifier remembers from its file, until the retention has passed', async () => {
    const dir = tempDir();
    const event = exitFilled();
    await attempt(setup(channelEnv(dir)), event);

    const restarted = setup(channelEnv(dir), { now: T0 + 23 * HOUR });
    expect((await attempt(restarted, event)).delivered).toEqual([]);
    expect(counts(event)).toEqual({ telegram: 1, webhook: 1, email: 1 });

    const dayLater = setup(channelEnv(dir), { now: T0 + 25 * HOUR });
    expect((await attempt(dayLater, event)).delivered).toEqual(['telegram', 'webhook', 'email']);
    expect(counts(event)).toEqual({ telegram: 2, webhook: 2, email: 2 });
    // Opening compacts the file to what is retained: the day-old entries are gone.
    const file = fs.readFileSync(path.join(dir, 'sent.jsonl'), 'utf8').trim().split('\n');
    expect(file.map((l) => JSON.parse(l).at)).toEqual([
      T0 + 25 * HOUR,
      T0 + 25 * HOUR,
      T0 + 25 * HOUR,
    ]);
  });

  it('a line torn by a crash is dropped, the rest still count', async () => {
    const dir = tempDir();
    const event = exitFilled();
    await attempt(setup(channelEnv(dir)), event);
    fs.appendFileSync(path.join(dir, 'sent.jsonl'), '{"at":1,"chan');
    const restarted = setup(channelEnv(dir));
    expect((await attempt(restarted, event)).skipped).toEqual(['telegram', 'webhook', 'email']);
  });

  it('after a partial failure the retry sends only on the channel that failed', async () => {
    const s = setup(channelEnv(tempDir()));
    const event = exitFilled();
    smtp.failNext(451, 'Try again later');
    const failure = await failureOf(attempt(s, event));
    expect(failure).toMatchObject({ type: ALERT_UNDELIVERED, nonRetryable: false });
    expect(failure.message).toMatch(/^alert \S+ not delivered: email: .*451/);
    expect(failure.details).toEqual([
      { failed: ['email'], delivered: ['telegram', 'webhook'], skipped: [] },
    ]);
    expect(counts(event)).toEqual({ telegram: 1, webhook: 1, email: 0 });

    expect(await attempt(s, event, 2_000)).toEqual({
      delivered: ['email'],
      skipped: ['telegram', 'webhook'],
    });
    expect(counts(event)).toEqual({ telegram: 1, webhook: 1, email: 1 });
  });
});

describe('notify: failures a retry can fix, and ones it cannot', () => {
  const telegramOnly = (dir: string, extra: NodeJS.ProcessEnv = {}) =>
    channelEnv(dir, {
      TRADER__NOTIFY__WEBHOOK__ENABLED: 'false',
      TRADER__NOTIFY__EMAIL__ENABLED: 'false',
      ...extra,
    });

  it('Telegram 429 asks Temporal to wait retry_after before the next attempt', async () => {
    const s = setup(telegramOnly(tempDir()));
    const event = exitFilled();
    telegram.failNext({ status: 429, retryAfter: 7 });
    const failure = await failureOf(attempt(s, event));
    expect(failure).toMatchObject({ type: ALERT_UNDELIVERED, nonRetryable: false });
    expect(failure.nextRetryDelay).toBe(7_000);
    expect(failure.message).toContain('telegram: 429 Too Many Requests: retry after 7');
    expect((await attempt(s, event, 7_000)).delivered).toEqual(['telegram']);
  });

  it('a Telegram 500 is retried on the policy backoff', async () => {
    const s = setup(telegramOnly(tempDir()));
    telegram.failNext({ status: 500 });
    const failure = await failureOf(attempt(s, exitFilled()));
    expect(failure).toMatchObject({ type: ALERT_UNDELIVERED, nonRetryable: false });
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  it('a bad bot token is not retried, and the message names the variable, not the token', async () => {
    const wrong = '7012345678:AAWrongTokenWrongTokenWrongToken12';
    const s = setup(telegramOnly(tempDir(), { TELEGRAM_BOT_TOKEN: wrong }));
    const failure = await failureOf(attempt(s, exitFilled()));
    expect(failure).toMatchObject({ type: 'Misconfigured', nonRetryable: true });
    expect(failure.message).toContain('telegram: 401 Unauthorized (check TELEGRAM_BOT_TOKEN)');
    expect(JSON.stringify([failure.message, failure.details])).not.toContain(wrong);
    expect(s.lines.join('')).not.toContain(wrong);
  });

  it('a chat the bot cannot write to is not retried', async () => {
    const s = setup(telegramOnly(tempDir()));
    telegram.failNext({ status: 400, description: 'Bad Request: chat not found' });
    const failure = await failureOf(attempt(s, exitFilled()));
    expect(failure).toMatchObject({ type: 'Misconfigured', nonRetryable: true });
    expect(failure.message).toContain('chat not found (check notify.telegram.chatId)');
  });

  it('webhook: 429 honours Retry-After, a deleted hook (404) is not retried', async () => {
    const s = setup(
      channelEnv(tempDir(), {
        TRADER__NOTIFY__TELEGRAM__ENABLED: 'false',
        TRADER__NOTIFY__EMAIL__ENABLED: 'false',
      }),
    );
    hook.failNext({ status: 429, headers: { 'retry-after': '3' }, body: 'rate limited' });
    const throttled = await failureOf(attempt(s, exitFilled()));
    expect(throttled).toMatchObject({ nonRetryable: false, nextRetryDelay: 3_000 });
    hook.failNext({ status: 404, body: 'no_service' });
    const gone = await failureOf(attempt(s, exitFilled()));
    expect(gone).toMatchObject({ type: 'Misconfigured', nonRetryable: true });
    expect(gone.message).toContain('webhook: HTTP 404 no_service (check TRADER_ALERT_WEBHOOK_URL)');
  });

  it('email: a wrong password and a refused message are not retried', async () => {
    const emailOnly = {
      TRADER__NOTIFY__TELEGRAM__ENABLED: 'false',
      TRADER__NOTIFY__WEBHOOK__ENABLED: 'false',
    };
    const badPassword = 'not-the-password-123';
    const s = setup(channelEnv(tempDir(), { ...emailOnly, SMTP_PASSWORD: badPassword }));
    const auth = await failureOf(attempt(s, exitFilled()));
    expect(auth).toMatchObject({ type: 'Misconfigured', nonRetryable: true });
    expect(auth.message).toContain('email: EAUTH');
    expect(auth.message).toContain('(check notify.email.user and SMTP_PASSWORD)');
    expect(auth.message).not.toContain(badPassword);

    const ok = setup(channelEnv(tempDir(), emailOnly));
    smtp.failNext(550, 'Mailbox unavailable');
    const refused = await failureOf(attempt(ok, exitFilled()));
    expect(refused).toMatchObject({ type: 'Misconfigured', nonRetryable: true });
    expect(refused.message).toMatch(/email: \w+ 550/);
  });

  it('an unreachable peer is retried, and logged at error level once the hour runs out', async () => {
    const closed = await startHttpSink();
    await closed.close();
    const s = setup(
      channelEnv(tempDir(), {
        TRADER__NOTIFY__TELEGRAM__API_URL: closed.url,
        TRADER__NOTIFY__WEBHOOK__ENABLED: 'false',
        TRADER__NOTIFY__EMAIL__ENABLED: 'false',
      }),
    );
    const event = exitFilled();
    const early = await failureOf(attempt(s, event, 60_000));
    expect(early).toMatchObject({ type: ALERT_UNDELIVERED, nonRetryable: false });
    expect(early.message).toContain('telegram: request failed (ECONNREFUSED)');
    const levels = () => s.lines.map((l) => JSON.parse(l).level as number);
    expect(levels()).not.toContain(50);

    await failureOf(attempt(s, event, HOUR - 30_000));
    const errors = s.lines.map((l) => JSON.parse(l)).filter((l) => l.level === 50);
    expect(errors).toEqual([
      expect.objectContaining({
        alertId: event.id,
        failed: ['telegram'],
        workflowId: event.workflowId,
      }),
    ]);
  });
});

describe('notify: input and secrets', () => {
  it('refuses a malformed event, naming the field, before any channel is tried', async () => {
    const s = setup(channelEnv(tempDir()));
    const before = telegram.requests.length;
    const bad = await failureOf(
      attempt(s, { ...exitFilled(), kind: 'EXITED' as AlertEvent['kind'] }),
    );
    expect(bad).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
    expect(bad.message).toMatch(/^notify\.kind: expected one of ENTRY_FILLED, .*got "EXITED"/);
    const noPnl = await failureOf(attempt(s, exitFilled({ fields: { exitReason: 'STOP' } })));
    expect(noPnl.message).toContain('notify.fields.netPnl: expected the net P&L as a number');
    expect(telegram.requests.length).toBe(before);
  });

  it('an enabled channel without its secret stops the worker at start, naming the variable', () => {
    const env = channelEnv(tempDir());
    for (const name of ['TELEGRAM_BOT_TOKEN', 'TRADER_ALERT_WEBHOOK_URL', 'SMTP_PASSWORD']) {
      expect(() => setup({ ...env, [name]: '' })).toThrow(MissingSecretError);
      expect(() => setup({ ...env, [name]: '' })).toThrow(new RegExp(`${name} is not set`));
    }
    expect(() => setup({ ...env, TRADER_ALERT_WEBHOOK_URL: 'hooks.slack.com/x' })).toThrow(
      'TRADER_ALERT_WEBHOOK_URL is not an http(s) URL',
    );
  });

  it('no bot token, webhook URL or SMTP password reaches a log line or an error', async () => {
    const s = setup(channelEnv(tempDir()));
    const errors: string[] = [];
    const ok = exitFilled();
    await attempt(s, ok);
    telegram.failNext({ status: 500 });
    hook.failNext({ status: 503, body: `upstream ${hookSecretPath} down` });
    smtp.failNext(451, `busy ${SMTP.password}`);
    const failed = await failureOf(attempt(s, exitFilled()));
    errors.push(failed.message, JSON.stringify(failed.details));
    const wrong = setup(channelEnv(tempDir(), { SMTP_PASSWORD: 'wrong-password-42' }));
    errors.push((await failureOf(attempt(wrong, exitFilled()))).message);

    const out = [...s.lines, ...wrong.lines, ...errors].join('\n');
    expect(s.lines.length).toBeGreaterThan(3);
    expect(out).toContain('alert delivered');
    for (const secret of [...s.secrets, 'wrong-password-42']) expect(out).not.toContain(secret);
    expect(out).not.toContain('webhookSecret');
  });

  it('the worker logger scrubs the alert secrets by value and redacts them by key', () => {
    const env = channelEnv(tempDir());
    const secrets = loadSecrets('paper', env);
    expect(secretValues(secrets)).toEqual(
      expect.arrayContaining([BOT_TOKEN, hookSecretPath, SMTP.password]),
    );
    const lines: string[] = [];
    const log = createLogger({
      name: 't',
      secrets: secretValues(secrets),
      destination: { write: (l: string) => lines.push(l) },
    });
    log.warn(
      { url: `${telegram.apiUrl}/bot${BOT_TOKEN}/sendMessage` },
      `posting to ${hookSecretPath}`,
    );
    log.info({ auth: { user: SMTP.user, pass: 'short' }, botToken: 'x', password: 'y' }, 'keys');
    const out = lines.join('');
    for (const secret of [BOT_TOKEN, hookSecretPath, 'short']) expect(out).not.toContain(secret);
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5);
  });
});
