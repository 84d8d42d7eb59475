import pino from 'pino';
import type { DeliveryReport } from '../../src/adapters/notify/notifier';
import { DeliveryError } from '../../src/adapters/notify/types';
import type { AlertEvent } from '../../src/domain/alerts';
import { TOKEN_EXPIRING_LEAD_MS, tokenExpiresAt } from '../../src/domain/broker-session';
import { istEpoch } from '../../src/domain/calendar';
import { BrokerSession } from '../../src/workers/broker-session';
import { TokenAlerts } from '../../src/workers/token-alerts';

const loginAt = istEpoch('2026-12-02', '09:14');
const expiresAt = tokenExpiresAt(loginAt);
const TOKEN = 'tok0a1b2c3d4e5f6';

/** A notifier that records what it was handed and answers as told. */
function recordingNotifier() {
  const sent: AlertEvent[] = [];
  const answers: DeliveryReport[] = [];
  return {
    sent,
    answerNext: (report: DeliveryReport) => answers.push(report),
    deliver: (event: AlertEvent): Promise<DeliveryReport> => {
      sent.push(event);
      return Promise.resolve(
        answers.shift() ?? { delivered: ['telegram'], skipped: [], failed: [] },
      );
    },
  };
}

function setup(token = TOKEN) {
  const clock = { now: loginAt };
  const session = new BrokerSession(
    { accessToken: token, source: 'file', loginAt, expiresAt, userId: 'AB1234' },
    () => clock.now,
  );
  const notifier = recordingNotifier();
  const alerts = new TokenAlerts(session, notifier, pino({ level: 'silent' }), {
    now: () => clock.now,
  });
  return { clock, session, notifier, alerts };
}

const kinds = (sent: AlertEvent[]) => sent.map((e) => e.kind);

describe('token alerts from the worker', () => {
  it('warns half an hour before the expiry and says so once, then alerts the expiry once', async () => {
    const { clock, notifier, alerts } = setup();
    await alerts.check();
    clock.now = expiresAt - TOKEN_EXPIRING_LEAD_MS - 1;
    await alerts.check();
    expect(notifier.sent).toEqual([]);
    clock.now = expiresAt - TOKEN_EXPIRING_LEAD_MS;
    await alerts.check();
    clock.now += 60_000;
    await alerts.check();
    expect(kinds(notifier.sent)).toEqual(['TOKEN_EXPIRING']);
    clock.now = expiresAt;
    await alerts.check();
    await alerts.check();
    expect(kinds(notifier.sent)).toEqual(['TOKEN_EXPIRING', 'TOKEN_EXPIRED']);
  });

  it('alerts a refusal the moment it is heard, without waiting for the clock', async () => {
    const { session, notifier, alerts } = setup();
    alerts.start();
    try {
      session.judged({
        operation: 'getPositions',
        accepted: false,
        token: TOKEN,
        sentAt: loginAt + 5,
      });
      await alerts.check();
      expect(notifier.sent).toHaveLength(1);
      expect(notifier.sent[0]).toMatchObject({
        kind: 'TOKEN_EXPIRED',
        fields: { state: 'logged-out', source: 'file' },
      });
      expect(JSON.stringify(notifier.sent)).not.toContain(TOKEN);
    } finally {
      alerts.stop();
    }
  });

  it('tries a delivery a channel can retry again, and gives up on one it cannot', async () => {
    const { clock, notifier, alerts } = setup();
    clock.now = expiresAt;
    notifier.answerNext({
      delivered: [],
      skipped: [],
      failed: [new DeliveryError('telegram', '429 Too Many Requests', true, 1000)],
    });
    await alerts.check();
    await alerts.check();
    await alerts.check();
    expect(kinds(notifier.sent)).toEqual(['TOKEN_EXPIRED', 'TOKEN_EXPIRED']);
    expect(notifier.sent[0].id).toBe(notifier.sent[1].id);

    const other = setup();
    other.clock.now = expiresAt;
    other.notifier.answerNext({
      delivered: [],
      skipped: [],
      failed: [new DeliveryError('telegram', '401 Unauthorized', false)],
    });
    await other.alerts.check();
    await other.alerts.check();
    expect(other.notifier.sent).toHaveLength(1);
  });

  it('starts over with a renewed token: no alert until its own time comes', async () => {
    const { clock, session, notifier, alerts } = setup();
    clock.now = loginAt + 60_000;
    session.judged({ operation: 'placeOrder', accepted: false, token: TOKEN, sentAt: clock.now });
    await alerts.check();
    const renewedAt = loginAt + 120_000;
    session.renew({
      accessToken: 'tok_renewed_0001',
      source: 'file',
      loginAt: renewedAt,
      expiresAt: tokenExpiresAt(renewedAt),
    });
    clock.now = renewedAt + 1;
    await alerts.check();
    expect(kinds(notifier.sent)).toEqual(['TOKEN_EXPIRED']);
    expect(session.state()).toBe('valid');
    clock.now = expiresAt;
    await alerts.check();
    expect(notifier.sent).toHaveLength(2);
    expect(notifier.sent[1].id).not.toBe(notifier.sent[0].id);
  });
});

describe('the broker session a worker keeps', () => {
  it('forgets a refusal only for a call sent after it was accepted, or a renewal', () => {
    const { session } = setup();
    const verdict = (accepted: boolean, sentAt: number, token = TOKEN) =>
      session.judged({ operation: 'getOrders', accepted, token, sentAt });
    verdict(false, loginAt + 100);
    expect(session.state()).toBe('logged-out');
    verdict(true, loginAt + 50);
    expect(session.state()).toBe('logged-out');
    verdict(true, loginAt + 150, 'some_older_token');
    expect(session.state()).toBe('logged-out');
    verdict(true, loginAt + 150);
    expect(session.state()).toBe('valid');
  });

  it('ignores refusals of a token it no longer uses', () => {
    const { session } = setup();
    session.renew({ accessToken: 'tok_renewed_0001', source: 'file', loginAt, expiresAt });
    session.judged({ operation: 'getOrders', accepted: false, token: TOKEN, sentAt: loginAt + 1 });
    expect(session.state()).toBe('valid');
    expect(session.renewals).toBe(1);
  });
});
