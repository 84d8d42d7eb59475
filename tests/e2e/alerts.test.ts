import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import type { Config } from '../../src/config';
import { accountTaskQueue, accountWorkflowId } from '../../src/workflows/messages';
import { cliEnv, runCliJson } from '../client/run-cli';
import {
  startFakeTelegram,
  type FakeTelegram,
  type TelegramMessage,
} from '../harness/fake-telegram';
import { historyText } from '../harness/history-text';
import { workerNamespace } from '../harness/namespaces';
import { startPaperStack, type PaperStack } from '../harness/paper-stack';
import { openPosition, waitForState } from '../harness/positions';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../harness/smtp-sink';

// Random, so a hit in a log, a history or a message can only come from this run.
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const BOT_TOKEN = `424242:bot${hex(10)}`;
const SMTP_LOGIN = { user: 'trader-alerts', password: `smtp${hex(10)}` };
const KITE = { apiKey: `key${hex(8)}`, accessToken: `token${hex(10)}` };
const SECRETS = [BOT_TOKEN, SMTP_LOGIN.password, KITE.apiKey, KITE.accessToken];
const CHAT_ID = -1004242;
const MAIL_TO = 'ops@localhost';
const UI_BASE = 'https://temporal.alerts.test';
const REFUSAL = 'RMS: exits refused by the alerts test';

/** The worker's log lines exactly as written: no redaction here, so a leak in the code shows. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, destination),
    text: () => lines.join(''),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

type Captured = ReturnType<typeof capturedLogger>;

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a person reads first: "<SEVERITY> <KIND>: <title>", the email subject and Telegram's first line. */
const HEADLINE = /^(?:\S+ )?(INFO|WARNING|CRITICAL) ([A-Z_]+): (.*)$/m;
/** The position, or for the account book the workflow, a message is about. */
const aboutOf = (text: string) => /^(?:Position|Workflow): (\S+)$/m.exec(text)?.[1];
const kindOf = (text: string) => HEADLINE.exec(text)?.[2];
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Arrival {
  telegram: TelegramMessage;
  email: ReceivedMail;
}

describe('alerts reach a person on Telegram and by email', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-e2e-'));
  let telegram: FakeTelegram;
  let smtp: SmtpSink;
  let connection: Connection;
  let client: Client;
  const logs: Captured[] = [];
  const taskQueues: string[] = [];

  beforeAll(async () => {
    [telegram, smtp] = await Promise.all([
      startFakeTelegram({ token: BOT_TOKEN }),
      startSmtpSink(SMTP_LOGIN),
    ]);
    // Outlives the stacks, so the histories of both can be exported at the end.
    connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
    client = new Client({ connection, namespace: workerNamespace() });
  });
  afterAll(async () => {
    await connection?.close();
    await Promise.all([telegram?.close(), smtp?.close()]);
  });

  /** A paper stack whose worker sends every alert to both peers, with fake Kite credentials. */
  async function alertingStack(name: string, risk: Partial<Config['risk']>): Promise<PaperStack> {
    const log = capturedLogger();
    logs.push(log);
    const stack = await startPaperStack({
      credentials: KITE,
      secrets: { telegramBotToken: BOT_TOKEN, smtpPassword: SMTP_LOGIN.password },
      logger: log.logger,
      overrides: (c) => ({
        ...c,
        risk: { ...c.risk, ...risk },
        exits: { ...c.exits, retryMaxSeconds: 2 },
        notify: {
          ...c.notify,
          uiBaseUrl: UI_BASE,
          stateDir: path.join(dir, name),
          telegram: {
            ...c.notify.telegram,
            enabled: true,
            chatId: CHAT_ID,
            apiUrl: telegram.apiUrl,
          },
          email: {
            ...c.notify.email,
            enabled: true,
            host: smtp.host,
            port: smtp.port,
            secure: false,
            from: 'trader@localhost',
            to: [MAIL_TO],
            user: SMTP_LOGIN.user,
          },
        },
      }),
    });
    taskQueues.push(
      stack.config.temporal.taskQueue,
      accountTaskQueue(stack.config.temporal.taskQueue),
    );
    return stack;
  }

  const uiLink = (workflowId: string) =>
    `${UI_BASE}/namespaces/${workerNamespace()}/workflows/${workflowId}`;

  const telegramOf = (kind: string, about: string) =>
    telegram.messages.filter((m) => kindOf(m.text) === kind && aboutOf(m.text) === about);
  const emailOf = (kind: string, about: string) =>
    smtp.mails.filter((m) => kindOf(m.subject) === kind && aboutOf(m.text) === about);

  /**
   * Waits for the alert on both channels and checks what every message
   * carries: the chat, the recipient, one text on both, the id it is about
   * and its workflow's Web UI page.
   */
  async function arrived(
    kind: string,
    about: string,
    workflowId = `pos-${about}`,
  ): Promise<Arrival> {
    await until(
      `${kind} about ${about} reaches Telegram and the SMTP server`,
      () => telegramOf(kind, about).length > 0 && emailOf(kind, about).length > 0,
    );
    const [message] = telegramOf(kind, about);
    const [mail] = emailOf(kind, about);
    expect(message.chat_id).toBe(CHAT_ID);
    expect(mail).toMatchObject({ mailFrom: 'trader@localhost', rcptTo: [MAIL_TO] });
    expect(mail.user).toBe(SMTP_LOGIN.user);
    expect(mail.text).toBe(message.text);
    expect(message.text.split('\n')[0]).toMatch(new RegExp(` ${escape(mail.subject)}$`));
    expect(message.text).toContain(`\nWeb UI: ${uiLink(workflowId)}`);
    return { telegram: message, email: mail };
  }

  describe('on one paper session', () => {
    let stack: PaperStack;
    beforeAll(async () => {
      // Far above any trade here, so only the breaker's own session trips it.
      stack = await alertingStack('session', { maxDailyLoss: 10_000_000 });
    });
    afterAll(() => stack?.stop());
    afterEach(async () => {
      await stack.control.clearFaults();
      await stack.control.unpinAll();
    });

    const watched = (token: number) =>
      until('the stop is watched', () => stack.worker!.hub.subscribedTokens.includes(token));

    it('an exit: ENTRY_FILLED, then EXIT_FILLED with the net P&L of the summary', async () => {
      // Telegram fails the first alert once: the retry must send it there, and not mail it again.
      telegram.failNext({ status: 500 });
      const { handle, state } = await openPosition(stack);
      const { positionId } = state;
      const symbol = state.contract!.tradingSymbol;
      const entry = await arrived('ENTRY_FILLED', positionId);
      expect(entry.email.subject).toBe(
        `INFO ENTRY_FILLED: bought ${state.quantity} ${symbol} at ${state.entryPrice}`,
      );
      expect(entry.telegram.text).toContain(`\nstopLoss: ${state.exits!.stopLoss}\n`);
      expect(entry.telegram.text).toContain(`\nPosition: ${positionId}\n`);

      await watched(state.contract!.token);
      await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
      const summary = await handle.result();
      expect(summary.exitReason).toBe('STOP_LOSS');
      const exit = await arrived('EXIT_FILLED', positionId);
      expect(exit.email.subject).toBe(
        `WARNING EXIT_FILLED: STOP_LOSS ${symbol}: net ${summary.netPnl}`,
      );
      expect(exit.telegram.text).toContain(`\nnetPnl: ${summary.netPnl}\n`);
      expect(exit.telegram.text).toContain(`\ngrossPnl: ${summary.grossPnl}\n`);

      const failed = logs[0]
        .entries()
        .filter((e) => e.channel === 'telegram' && /telegram: 500/.test(String(e.msg)));
      expect(failed).toEqual([expect.objectContaining({ kind: 'ENTRY_FILLED' })]);
      expect(telegramOf('ENTRY_FILLED', positionId)).toHaveLength(1);
      expect(emailOf('ENTRY_FILLED', positionId)).toHaveLength(1);
    });

    it('a blocked exit: EXIT_BLOCKED with the refusal, then EXIT_UNBLOCKED and EXIT_FILLED', async () => {
      const { handle, state } = await openPosition(stack);
      const { positionId } = state;
      const symbol = state.contract!.tradingSymbol;
      await watched(state.contract!.token);
      await stack.control.injectFaults({ rejectOrders: { count: 1_000, reason: REFUSAL } });
      await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);

      const blocked = await arrived('EXIT_BLOCKED', positionId);
      expect(blocked.email.subject).toBe(`CRITICAL EXIT_BLOCKED: exit of ${symbol} blocked`);
      expect(blocked.telegram.text).toContain(REFUSAL);
      expect(blocked.telegram.text).toContain(`\nheld: ${state.quantity}\n`);
      // Refused again and again, yet alerted once, and the exit has not gone out.
      await waitForState(handle, (s) => s.exitBlocked !== undefined && s.exitAttempts >= 2);
      expect(
        telegram.messages.filter((m) => aboutOf(m.text) === positionId).map((m) => kindOf(m.text)),
      ).toEqual(['ENTRY_FILLED', 'EXIT_BLOCKED']);

      await stack.control.clearFaults();
      const unblocked = await arrived('EXIT_UNBLOCKED', positionId);
      expect(unblocked.email.subject).toBe(`INFO EXIT_UNBLOCKED: exit of ${symbol} unblocked`);
      expect(unblocked.telegram.text).toContain(REFUSAL);
      const summary = await handle.result();
      const exit = await arrived('EXIT_FILLED', positionId);
      expect(exit.telegram.text).toContain(`\nnetPnl: ${summary.netPnl}\n`);
    });

    it('the kill switch from `npx trade kill`: KILL_SWITCH, then the open position exits', async () => {
      const { handle, state } = await openPosition(stack);
      await arrived('ENTRY_FILLED', state.positionId);
      // The mail of the kill switch is refused once: the retry must mail it, and not message Telegram again.
      smtp.failNext(451, '4.3.0 try again later');
      await runCliJson(['kill', '--reason', 'alerts e2e panic'], cliEnv(stack.config));
      const summary = await handle.result();
      expect(summary.exitReason).toBe('FORCE_EXIT');

      const account = accountWorkflowId(state.accountDay!);
      const kill = await arrived('KILL_SWITCH', account, account);
      expect(kill.email.subject).toBe(
        `CRITICAL KILL_SWITCH: kill switch latched for ${state.accountDay}`,
      );
      expect(kill.telegram.text).toContain('alerts e2e panic');
      expect(kill.telegram.text).toContain('\nopen: 1\n');
      const exit = await arrived('EXIT_FILLED', state.positionId);
      expect(exit.email.subject).toMatch(/^(INFO|WARNING) EXIT_FILLED: FORCE_EXIT /);
      expect(exit.telegram.text).toContain(`\nnetPnl: ${summary.netPnl}\n`);

      const refused = logs[0]
        .entries()
        .filter((e) => e.channel === 'email' && /451/.test(String(e.msg)));
      expect(refused).toEqual([expect.objectContaining({ kind: 'KILL_SWITCH' })]);
    });
  });

  describe('with a daily-loss limit of one rupee', () => {
    let stack: PaperStack;
    beforeAll(async () => {
      stack = await alertingStack('breaker', { maxDailyLoss: 1, flattenOnDailyLoss: false });
    });
    afterAll(() => stack?.stop());

    it('a losing trade trips the breaker: BREAKER_TRIPPED', async () => {
      const { handle, state } = await openPosition(stack);
      await stack.control.pinPrice(state.contract!.token, state.exits!.stopLoss);
      const summary = await handle.result();
      expect(summary.outcome).toBe('LOSS');
      await stack.control.unpin(state.contract!.token);

      const account = accountWorkflowId(state.accountDay!);
      const breaker = await arrived('BREAKER_TRIPPED', account, account);
      const loss = Number(/^loss: (-?[\d.]+)$/m.exec(breaker.telegram.text)?.[1]);
      expect(loss).toBeLessThanOrEqual(-1);
      expect(breaker.email.subject).toBe(
        `CRITICAL BREAKER_TRIPPED: daily-loss breaker tripped for ${state.accountDay}: ${loss}`,
      );
      expect(breaker.telegram.text).toContain('\nlimit: 1\n');
      expect(breaker.telegram.text).toContain('No new entries today');
      await arrived('EXIT_FILLED', state.positionId);
    });
  });

  it('delivered each alert once per channel, and no secret in logs, histories or messages', async () => {
    const count = (items: { kind?: string; about?: string }[]) => {
      const counts: Record<string, number> = {};
      for (const { kind, about } of items.filter((i) => i.about !== undefined))
        counts[`${kind} ${about}`] = (counts[`${kind} ${about}`] ?? 0) + 1;
      return counts;
    };
    // Position and account alerts; the feed's and the token's are about neither.
    const byTelegram = count(
      telegram.messages.map((m) => ({ kind: kindOf(m.text), about: aboutOf(m.text) })),
    );
    const byEmail = count(
      smtp.mails.map((m) => ({ kind: kindOf(m.subject), about: aboutOf(m.text) })),
    );
    expect(byEmail).toEqual(byTelegram);
    expect(Object.entries(byTelegram).filter(([, n]) => n !== 1)).toEqual([]);
    const kinds = Object.keys(byTelegram).map((k) => k.split(' ')[0]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ENTRY_FILLED',
        'EXIT_FILLED',
        'EXIT_BLOCKED',
        'EXIT_UNBLOCKED',
        'KILL_SWITCH',
        'BREAKER_TRIPPED',
      ]),
    );
    // The notifier's own dedupe key: one mail per alert id.
    const ids = smtp.mails.map((m) => m.headers['x-trader-alert-id']);
    expect(new Set(ids).size).toBe(smtp.mails.length);

    const histories = new Map<string, string>();
    for (const taskQueue of taskQueues) {
      for await (const run of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
        const handle = client.workflow.getHandle(run.workflowId, run.runId);
        histories.set(`${run.workflowId}/${run.runId}`, await historyText(handle));
      }
    }
    const log = logs.map((l) => l.text()).join('');
    // The secrets were in use: the peers take no other token or login.
    expect(new Set(telegram.requests.map((r) => r.path))).toEqual(
      new Set([`/bot${BOT_TOKEN}/sendMessage`]),
    );
    expect(new Set(smtp.mails.map((m) => m.user))).toEqual(new Set([SMTP_LOGIN.user]));
    // The searches can see what they look for: alerts in the log and in the notify activities' inputs.
    expect(log).toContain('alert delivered');
    expect(log).toContain(ids[0]);
    const blockedIn = [...histories.values()].filter(
      (h) => h.includes(REFUSAL) && h.includes('EXIT_BLOCKED'),
    );
    expect(blockedIn).toHaveLength(1);
    expect([...histories.keys()].some((k) => k.startsWith('account-'))).toBe(true);

    const messages = [
      ...telegram.messages.map((m) => JSON.stringify(m)),
      ...smtp.mails.map((m) => JSON.stringify({ headers: m.headers, text: m.text })),
    ];
    for (const secret of SECRETS) {
      expect({ secret, inLog: log.includes(secret) }).toEqual({ secret, inLog: false });
      for (const [run, text] of histories)
        expect({ run, leaked: text.includes(secret) }).toEqual({ run, leaked: false });
      expect(messages.filter((m) => m.includes(secret))).toEqual([]);
    }
  });
});
