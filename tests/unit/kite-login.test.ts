import {
  LoginInputError,
  loginUrlFor,
  readSessionAnswer,
  requestTokenFrom,
  tokenExpiryOf,
} from '../../src/client/kite-login';
import { loadConfig } from '../../src/config';
import { istEpoch } from '../../src/domain/calendar';

const paper = loadConfig({ env: {} });
const live = loadConfig({ env: { TRADER_ENV: 'live.example' } });

describe('the login URL', () => {
  it("is Kite's own in live mode and the paper exchange's in paper mode, for the api key", () => {
    expect(loginUrlFor(live, 'kitefront')).toBe(
      'https://kite.zerodha.com/connect/login?api_key=kitefront&v=3',
    );
    expect(loginUrlFor(paper, 'paper_api_key')).toBe(
      `${paper.broker.restUrl}/connect/login?api_key=paper_api_key&v=3`,
    );
  });

  it("expects Kite's 06:00 in live mode, and the paper exchange's own time in paper", () => {
    expect(tokenExpiryOf(live)).toBe('06:00');
    expect(tokenExpiryOf({ ...paper, exchange: { ...paper.exchange, tokenExpiry: '07:30' } })).toBe(
      '07:30',
    );
    expect(tokenExpiryOf({ ...live, exchange: { ...live.exchange, tokenExpiry: '07:30' } })).toBe(
      '06:00',
    );
  });
});

describe('what the operator pastes', () => {
  const token = 'Rq7xY2aB9cD4eF6g';

  it('may be the request token or the whole redirect URL', () => {
    expect(requestTokenFrom(`  ${token}\n`)).toBe(token);
    expect(
      requestTokenFrom(
        `http://127.0.0.1:8766/?action=login&type=login&status=success&request_token=${token}`,
      ),
    ).toBe(token);
    expect(requestTokenFrom(`request_token=${token}&action=login`)).toBe(token);
  });

  it('is refused, without being quoted, when it is neither or the login failed', () => {
    const pasted = 'not a token at all';
    expect(() => requestTokenFrom(pasted)).toThrow(LoginInputError);
    expect(() => requestTokenFrom(pasted)).not.toThrow(new RegExp(pasted));
    expect(() => requestTokenFrom(`https://x/?status=cancelled&request_token=${token}`)).toThrow(
      /status=cancelled/,
    );
  });
});

describe("the broker's session answer", () => {
  it('reads login_time as IST, whether kiteconnect left it text or made it a local-zone Date', () => {
    const at = istEpoch('2026-12-02', '09:14') + 3_000;
    // kiteconnect's formatGenerateSession does exactly this to Kite's IST text.
    const asKiteconnectParses = new Date('2026-12-02 09:14:03');
    for (const loginTime of [asKiteconnectParses, '2026-12-02 09:14:03']) {
      expect(
        readSessionAnswer({ access_token: 'a1b2c3', user_id: 'AB1234', login_time: loginTime }),
      ).toEqual({ accessToken: 'a1b2c3', userId: 'AB1234', loginAt: at });
    }
  });

  it('names the missing field', () => {
    expect(() => readSessionAnswer({ user_id: 'AB1234' })).toThrow(
      /access_token: expected the access token/,
    );
  });
});
