import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadSecrets, PAPER_CREDENTIALS, SECRET_ENV_NAMES, secretValues } from '../../src/config';
import { createLogger, registerSecret, scrubber } from '../../src/log';

const capture = () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { text: () => lines.join(''), destination };
};

const fresh = (prefix: string) => `${prefix}${randomBytes(8).toString('hex')}`;

describe('the Kite login secrets stay out of logs', () => {
  it('redacts the api secret, request token, checksum and session tokens by key', () => {
    const { text, destination } = capture();
    const values = {
      apiSecret: fresh('sec'),
      request_token: fresh('rt'),
      checksum: fresh('ck'),
      refresh_token: fresh('rf'),
      public_token: fresh('pt'),
      enctoken: fresh('en'),
    };
    createLogger({ name: 't', destination }).info({ session: values, ...values }, 'login');
    for (const value of Object.values(values)) expect(text()).not.toContain(value);
    expect(text()).toContain('login');
  });

  it('scrubs a token learnt after the logger was made, wherever it appears', () => {
    const { text, destination } = capture();
    const log = createLogger({ name: 't', destination });
    const scrub = scrubber([]);
    const renewed = fresh('tok');
    expect(scrub(`before ${renewed}`)).toContain(renewed);
    registerSecret(renewed);
    log.warn({ url: `ws://x/ws?access_token=${renewed}` }, `renewed ${renewed}`);
    expect(text()).not.toContain(renewed);
    expect(scrub({ nested: [`after ${renewed}`] })).toEqual({ nested: ['after [redacted]'] });
  });

  it('reads KITE_API_SECRET from the environment only, with the paper default in paper mode', () => {
    const secret = fresh('apisecret');
    expect(SECRET_ENV_NAMES).toContain('KITE_API_SECRET');
    const live = loadSecrets('live', {
      KITE_API_KEY: 'k1234567',
      KITE_ACCESS_TOKEN: 't1234567',
      KITE_API_SECRET: secret,
    });
    expect(live.kiteApiSecret).toBe(secret);
    expect(secretValues(live)).toContain(secret);
    expect(
      loadSecrets('live', { KITE_API_KEY: 'k1234567', KITE_ACCESS_TOKEN: 't1234567' })
        .kiteApiSecret,
    ).toBeUndefined();
    expect(loadSecrets('paper', {}).kiteApiSecret).toBe(PAPER_CREDENTIALS.apiSecret);
  });

  it('lets a token file stand in for KITE_ACCESS_TOKEN only when the caller says so', () => {
    const env = { KITE_API_KEY: 'k1234567' };
    expect(() => loadSecrets('live', env)).toThrow(/KITE_ACCESS_TOKEN is not set/);
    const secrets = loadSecrets('live', env, { accessTokenOptional: true });
    expect(secrets.kiteAccessToken).toBeUndefined();
    expect(() => loadSecrets('live', {}, { accessTokenOptional: true })).toThrow(
      /KITE_API_KEY is not set/,
    );
  });
});
