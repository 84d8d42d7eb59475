import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

/** default.yaml and the shipped live example as `live.yaml`, as an operator sets up live trading. */
function liveProfileDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-facts-'));
  const shipped = path.join(__dirname, '../../config');
  fs.copyFileSync(path.join(shipped, 'default.yaml'), path.join(dir, 'default.yaml'));
  fs.copyFileSync(path.join(shipped, 'live.example.yaml'), path.join(dir, 'live.yaml'));
  return dir;
}
const live = (env: NodeJS.ProcessEnv = {}) =>
  loadConfig({ env: { TRADER_ENV: 'live', ...env }, configDir: liveProfileDir() });
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('dated market facts in the configuration', () => {
  it('ships no charges override: trades pay the dated rates', () => {
    expect(loadConfig({ env: {} }).charges).toBeUndefined();
    expect(live().charges).toBeUndefined();
  });

  it('accepts an override, IPFT optional, and names a missing key', () => {
    const override = {
      TRADER__CHARGES__BROKERAGE_PER_ORDER: '20',
      TRADER__CHARGES__STT_SELL_RATE: '0.0015',
      TRADER__CHARGES__STT_EXERCISE_RATE: '0.0015',
      TRADER__CHARGES__EXCHANGE_TXN_RATE: '0.0003553',
      TRADER__CHARGES__SEBI_PER_CRORE: '10',
      TRADER__CHARGES__STAMP_BUY_RATE: '0.00003',
      TRADER__CHARGES__GST_RATE: '0.18',
    };
    expect(loadConfig({ env: override }).charges).toEqual({
      brokeragePerOrder: 20,
      sttSellRate: 0.0015,
      sttExerciseRate: 0.0015,
      exchangeTxnRate: 0.0003553,
      sebiPerCrore: 10,
      stampBuyRate: 0.00003,
      gstRate: 0.18,
    });
    const { TRADER__CHARGES__STT_EXERCISE_RATE: _, ...withoutExercise } = override;
    expect(messageOf(() => loadConfig({ env: withoutExercise }))).toContain(
      'charges.sttExerciseRate: expected a rate as a fraction, e.g. 0.001, got nothing',
    );
  });

  it('derives unknownHolidayYears from the mode: live refuses, paper warns', () => {
    expect(live().session.unknownHolidayYears).toBe('refuse');
    expect(loadConfig({ env: {} }).session.unknownHolidayYears).toBe('warn');
    expect(
      loadConfig({ env: { TRADER__SESSION__UNKNOWN_HOLIDAY_YEARS: 'refuse' } }).session
        .unknownHolidayYears,
    ).toBe('refuse');
  });

  it('refuses warn in live mode, naming the mode', () => {
    expect(messageOf(() => live({ TRADER__SESSION__UNKNOWN_HOLIDAY_YEARS: 'warn' }))).toMatch(
      /session\.unknownHolidayYears: expected refuse in live mode.*got "warn" \(from TRADER__SESSION__UNKNOWN_HOLIDAY_YEARS\); with broker\.mode "live"/,
    );
  });
});
