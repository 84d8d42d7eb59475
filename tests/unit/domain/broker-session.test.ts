import {
  chooseToken,
  sessionKeyOf,
  tokenAlertDue,
  tokenExpiresAt,
  tokenStateAt,
  TOKEN_EXPIRING_LEAD_MS,
  type SessionView,
} from '../../../src/domain/broker-session';
import { istEpoch } from '../../../src/domain/calendar';
import { checksumOf } from '../../../src/exchange/session/session-book';

const at = (date: string, hhmm: string, seconds = 0) => istEpoch(date, hhmm) + seconds * 1000;

describe('access token expiry: the first 06:00 IST after the login', () => {
  it.each([
    ['a Wednesday morning', at('2026-12-02', '09:14', 3), at('2026-12-03', '06:00')],
    [
      'a Friday after the close: Saturday, not Monday',
      at('2026-12-04', '15:45'),
      at('2026-12-05', '06:00'),
    ],
    ['a Sunday evening', at('2026-12-06', '21:00'), at('2026-12-07', '06:00')],
    [
      "New Year's Eve: into the next year",
      at('2026-12-31', '23:59', 59),
      at('2027-01-01', '06:00'),
    ],
    [
      'just before 06:00: the same morning',
      at('2026-12-02', '05:59', 59),
      at('2026-12-02', '06:00'),
    ],
    ['at 06:00 exactly: the next morning', at('2026-12-02', '06:00'), at('2026-12-03', '06:00')],
    [
      'IST midnight, which is 18:30 UTC the day before',
      at('2026-12-02', '00:00'),
      at('2026-12-02', '06:00'),
    ],
  ])('after a login on %s', (_, loginAt, expected) => {
    expect(new Date(tokenExpiresAt(loginAt)).toISOString()).toBe(new Date(expected).toISOString());
  });

  it('follows a configured expiry time', () => {
    expect(tokenExpiresAt(at('2026-12-02', '09:00'), '07:30')).toBe(at('2026-12-03', '07:30'));
    expect(tokenExpiresAt(at('2026-12-02', '07:00'), '07:30')).toBe(at('2026-12-02', '07:30'));
  });
});

describe('the login checksum', () => {
  it('is the hex SHA-256 of api_key + request_token + api_secret', () => {
    // Vector from coreutils: printf %s kitefrontRq7xY2aB9cs3cr3t_of_the_app | sha256sum
    expect(checksumOf('kitefront', 'Rq7xY2aB9c', 's3cr3t_of_the_app')).toBe(
      '46bddbd7cdbd60816081c336df1cb214d204e155a9eb03a331403350048bda75',
    );
  });
});

describe('token state and alerts', () => {
  const loginAt = at('2026-12-02', '09:14', 3);
  const expiresAt = tokenExpiresAt(loginAt);
  const view: SessionView = {
    source: 'file',
    sessionKey: sessionKeyOf('file', loginAt),
    expiresAt,
  };

  it('is valid, then expiring half an hour before, then expired at the expiry', () => {
    expect(tokenStateAt(view, expiresAt - TOKEN_EXPIRING_LEAD_MS - 1)).toBe('valid');
    expect(tokenStateAt(view, expiresAt - TOKEN_EXPIRING_LEAD_MS)).toBe('expiring');
    expect(tokenStateAt(view, expiresAt - 1)).toBe('expiring');
    expect(tokenStateAt(view, expiresAt)).toBe('expired');
  });

  it('is logged out when the broker refused it before its expiry', () => {
    const refused = { ...view, refused: { at: loginAt + 3_600_000, operation: 'getPositions' } };
    expect(tokenStateAt(refused, loginAt + 3_600_001)).toBe('logged-out');
    expect(tokenStateAt(refused, expiresAt)).toBe('expired');
  });

  it('alerts once per kind per login: ids name the login, never the instant', () => {
    const early = tokenAlertDue(view, expiresAt - TOKEN_EXPIRING_LEAD_MS);
    const later = tokenAlertDue(view, expiresAt - 60_000);
    expect(early).toMatchObject({ kind: 'TOKEN_EXPIRING', severity: 'warning' });
    expect(later?.id).toBe(early?.id);
    expect(early?.fields).toMatchObject({ expiresAtIst: '2026-12-03T06:00:00', minutesLeft: 30 });
    const ended = tokenAlertDue(view, expiresAt + 5_000);
    expect(ended).toMatchObject({ kind: 'TOKEN_EXPIRED', severity: 'critical' });
    expect(tokenAlertDue(view, expiresAt + 3_600_000)?.id).toBe(ended?.id);
    expect(ended?.id).toBe('broker:TOKEN_EXPIRED:login-2026-12-02T09:14:03');
    expect(tokenAlertDue(view, loginAt)).toBeUndefined();
  });

  it('gives the next login alerts of its own, even with the same expiry', () => {
    const next: SessionView = { ...view, sessionKey: sessionKeyOf('file', loginAt + 7_200_000) };
    expect(next.expiresAt).toBe(view.expiresAt);
    expect(tokenAlertDue(next, expiresAt)?.id).not.toBe(tokenAlertDue(view, expiresAt)?.id);
  });

  it('says why the session ended: the clock or the broker', () => {
    const refused = { ...view, refused: { at: loginAt + 60_000, operation: 'getPositions' } };
    expect(tokenAlertDue(refused, loginAt + 120_000)?.text).toMatch(
      /refused the Kite access token \(getPositions: TokenException\) before its expiry/,
    );
    expect(tokenAlertDue(view, expiresAt)?.text).toMatch(/has expired/);
  });

  it('never warns ahead of an expiry it does not know (a token from the environment)', () => {
    const env: SessionView = { source: 'env', sessionKey: sessionKeyOf('env', loginAt) };
    expect(tokenAlertDue(env, loginAt + 86_400_000)).toBeUndefined();
    expect(env.sessionKey).toBe('env-2026-12-02');
  });
});

describe('which token a process starts with', () => {
  const now = at('2026-12-02', '09:00');
  const file = { apiKey: 'key1', expiresAt: at('2026-12-03', '06:00') };

  it('prefers the file from trade login while it is unexpired and for this api key', () => {
    expect(chooseToken({ file, hasEnvToken: true, apiKey: 'key1', now })).toEqual({ use: 'file' });
  });

  it('falls back to KITE_ACCESS_TOKEN, saying why the file was passed over', () => {
    expect(chooseToken({ file: undefined, hasEnvToken: true, apiKey: 'key1', now })).toEqual({
      use: 'env',
    });
    expect(chooseToken({ file, hasEnvToken: true, apiKey: 'key2', now })).toEqual({
      use: 'env',
      fileIgnored: 'it holds a token for another api key',
    });
    expect(chooseToken({ file, hasEnvToken: true, apiKey: 'key1', now: file.expiresAt })).toEqual({
      use: 'env',
      fileIgnored: 'its token has expired',
    });
  });

  it('keeps an expired file over nothing, so the worker waits for a login', () => {
    expect(chooseToken({ file, hasEnvToken: false, apiKey: 'key1', now: file.expiresAt })).toEqual({
      use: 'file',
    });
    expect(chooseToken({ file: undefined, hasEnvToken: false, apiKey: 'key1', now })).toEqual({
      use: 'none',
    });
  });
});
