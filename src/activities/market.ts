import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Cross, CrossLeg } from '../adapters/kite/tick-hub';
import type { ActivityDeps } from './deps';
import { FailureType } from './failure-types';
import { parseInput, priceTriggerSchema } from './validation';

export interface PriceTriggerInput {
  legs: CrossLeg[];
  /** The position's mark, reported to its account book from the hub while the trigger waits. */
  mark?: {
    positionId: string;
    accountDay: string;
    entryPrice: number;
    quantity: number;
  };
}

export type PriceTriggerResult = Cross;

export function createMarketActivities(deps: ActivityDeps) {
  const { hub, marks } = deps;

  /**
   * A timer on price: completes the moment a leg's ltp is at or through its
   * level (at once if it already is). Holds nothing durable, so a retry on
   * another worker after a missed heartbeat just arms again; the workflow
   * cancels it when a timer or an operator message wins the race.
   */
  async function awaitPriceTrigger(input: PriceTriggerInput): Promise<PriceTriggerResult> {
    const { legs, mark } = parseInput('awaitPriceTrigger', priceTriggerSchema, input);
    if (!hub)
      throw ApplicationFailure.nonRetryable(
        'awaitPriceTrigger: this worker has no tick hub',
        FailureType.Misconfigured,
      );
    const ctx = Context.current();
    ctx.heartbeat();
    const unwatch = mark && marks?.watch({ ...mark, token: legs[0].token });
    const cross = await hub
      .waitForCross(legs, {
        signal: ctx.cancellationSignal,
        onHeartbeat: (lastPrices) => ctx.heartbeat({ lastPrices }),
      })
      .finally(() => unwatch?.());
    log.info('price trigger fired', { ...cross, leg: legs[cross.legIndex] });
    return cross;
  }

  return { awaitPriceTrigger };
}
