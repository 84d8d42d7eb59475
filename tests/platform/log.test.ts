import { Writable } from 'node:stream';
import { LogTimestamp } from '@temporalio/worker';
import { createLogger, sdkLineWriter } from '../../src/log';

const capture = () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
};

describe('pino logging', () => {
  const secret = 'sk_live_4f9a8b7c6d5e';

  it('redacts secrets by key and by value, wherever they hide', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 't', secrets: [secret], destination });
    log.info(
      { apiKey: 'abc', broker: { accessToken: 'xyz' }, headers: { authorization: 'token a:b' } },
      'keys',
    );
    log.warn({ url: `http://x/?access_token=${secret}` }, `message mentions ${secret}`);
    log.error(new Error(`auth failed for ${secret}`));
    const out = lines.join('');
    expect(out).not.toContain(secret);
    expect(out).not.toContain('xyz');
    expect(out).not.toContain('token a:b');
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5);
  });

  it('writes one JSON object per line with the workflow id when given one', () => {
    const { lines, destination } = capture();
    createLogger({ name: 't', destination }).info({ workflowId: 'pos-abc' }, 'phase OPEN');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      name: 't',
      workflowId: 'pos-abc',
      msg: 'phase OPEN',
      level: 30,
    });
  });

  it("stamps the SDK's lines with when the SDK made them, not when it handed them over", () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 't', destination });
    const madeAt = Date.UTC(2026, 11, 7, 9, 15, 0, 250);
    sdkLineWriter(log)('INFO', 'order placed', {
      [LogTimestamp]: BigInt(madeAt) * 1_000_000n + 999_999n,
      tag: 'abc',
    });
    const before = Date.now();
    log.info('ours, written now');
    const [sdkLine, ownLine] = lines.map((l) => JSON.parse(l) as { time: number; msg: string });
    expect(sdkLine).toMatchObject({ time: madeAt, msg: 'order placed', tag: 'abc' });
    expect(ownLine.time).toBeGreaterThanOrEqual(before);
  });

  it('stamps an SDK line that carries no time with the time it is written', () => {
    const { lines, destination } = capture();
    const before = Date.now();
    sdkLineWriter(createLogger({ name: 't', destination }))('WARN', 'no stamp');
    expect((JSON.parse(lines[0]) as { time: number }).time).toBeGreaterThanOrEqual(before);
  });
});
