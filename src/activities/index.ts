import { createBrokerActivities } from './broker';
import { createContractNoteActivities } from './contract-note';
import type { ActivityDeps } from './deps';
import { createMarketActivities } from './market';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createBrokerActivities(deps),
    ...createMarketActivities(deps),
    ...createContractNoteActivities(deps),
  };
}

/** Workflows import this as a type only (`proxyActivities<Activities>`). */
export type Activities = ReturnType<typeof createActivities>;

export type { ActivityDeps } from './deps';
export type {
  PlaceOrderInput,
  PlaceOrderResult,
  AwaitOrderInput,
  CancelOrderInput,
} from './broker';
export type { OrderState } from './orders';
export type {
  ListExpiriesInput,
  OptionChainInput,
  OptionChainResult,
  QuoteInput,
  QuoteResult,
} from './quotes';
export type { PriceTriggerInput, PriceTriggerResult } from './market';
