import fs from 'node:fs';
import { tradeCohorts } from './helpers/cohorts';
import { auditAgainstExchange, formatCounts } from './helpers/exchange-audit';
import { startFaultStack, type FaultStack } from './helpers/fault-stack';
import { faultSeed, FULL_SIZE } from './helpers/suite-size';
import { WorkerChaos } from './helpers/worker-chaos';

/**
 * Kill gaps are seconds, not milliseconds: a crash costs each in-flight
 * activity its heartbeat or start-to-close timeout (10 to 45 s) and each
 * in-flight workflow task its timeout, so a worker killed faster than that
 * proves only that nothing progresses without a worker.
 */
const SIZE = FULL_SIZE
  ? {
      sides: 6,
      cohortsPerSide: 2,
      cohortSize: 5,
      // The positions now trade through in about two minutes: gaps that still fit eight kills.
      gapMs: [4_000, 10_000] as const,
      minKills: 8,
      stepTimeoutMs: 300_000,
      timeoutMs: 20 * 60_000,
    }
  : {
      sides: 3,
      cohortsPerSide: 1,
      cohortSize: 4,
      gapMs: [3_000, 8_000] as const,
      minKills: 3,
      stepTimeoutMs: 150_000,
      timeoutMs: 4 * 60_000,
    };
const POSITIONS = SIZE.sides * SIZE.cohortsPerSide * SIZE.cohortSize;

/** The exchange books each order at once and answers this much later: the window aimed kills land in. */
const ORDER_ACK_DELAY_MS = 1_500;

const linesWith = (file: string, text: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(text)).length;

describe('worker crashes while positions enter, ratchet and exit', () => {
  let fault: FaultStack;
  beforeAll(async () => {
    fault = await startFaultStack();
  });
  afterAll(() => fault?.stop());

  it(
    `${POSITIONS} positions end flat, once each at the exchange, with summaries equal to its fills`,
    async () => {
      const { stack, worker, workerLog } = fault;
      const seed = faultSeed();
      const started = Date.now();
      await stack.control.injectFaults({ orderAckDelayMs: ORDER_ACK_DELAY_MS });
      const chaos = new WorkerChaos({
        worker,
        kite: stack.kite,
        seed,
        gapMs: SIZE.gapMs,
        downMs: [0, 1_500],
        unacknowledgedShare: 0.5,
      });
      chaos.start();
      const traded = await Promise.race([
        tradeCohorts(stack, {
          ...SIZE,
          staggerMs: 3_000,
          // Positions that trade through faster than the kill gaps would prove too little.
          beforeLastExit: () => chaos.reached(SIZE.minKills),
        }),
        chaos.failure(),
      ]).finally(() => chaos.stop());
      await stack.control.clearFaults();

      const audit = await auditAgainstExchange(stack.kite, traded);
      const adopted = linesWith(workerLog, 'adopted existing order');
      console.log(
        `[worker-crash] seed ${seed}, ${Math.round((Date.now() - started) / 1000)} s: ` +
          `${chaos.total} worker kills (${chaos.kills.unacknowledged} with an order booked but unacknowledged), ` +
          `${adopted} orders adopted by tag after a crash; ${formatCounts(audit.counts)}; worker log ${workerLog}`,
      );
      expect(audit.problems).toEqual([]);
      expect(audit.counts).toMatchObject({
        positions: POSITIONS,
        entryOrders: POSITIONS,
        duplicateTags: 0,
        flat: POSITIONS,
        closedAndMatching: POSITIONS,
        strayOrders: 0,
        openSymbols: 0,
      });
      expect(chaos.total).toBeGreaterThanOrEqual(SIZE.minKills);
      expect(chaos.kills.unacknowledged).toBeGreaterThan(0);
      // Every aimed kill left at least one order for the next worker to find by its tag.
      expect(adopted).toBeGreaterThanOrEqual(chaos.kills.unacknowledged);
    },
    SIZE.timeoutMs,
  );
});
