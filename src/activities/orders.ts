import type { BrokerOrder } from '../adapters/kite/types';
import { isTerminal } from '../adapters/kite/types';

export interface OrderState {
  orderId: string;
  status: string;
  quantity: number;
  filledQuantity: number;
  pendingQuantity: number;
  averagePrice: number;
  statusMessage: string | null;
  /** awaitOrder gave up waiting: the order may still be open and partly filled. */
  timedOut: boolean;
}

export const toOrderState = (o: BrokerOrder, timedOut = false): OrderState => ({
  orderId: o.orderId,
  status: o.status,
  quantity: o.quantity,
  filledQuantity: o.filledQuantity,
  pendingQuantity: o.pendingQuantity,
  averagePrice: o.averagePrice,
  statusMessage: o.statusMessage,
  timedOut,
});

/**
 * Push updates and polls race and may arrive out of order; an order only
 * moves forward (fills grow, a final state is final), so keep the furthest.
 */
export function furthest(a: BrokerOrder | undefined, b: BrokerOrder): BrokerOrder {
  if (!a) return b;
  if (isTerminal(a.status) !== isTerminal(b.status)) return isTerminal(a.status) ? a : b;
  return b.filledQuantity >= a.filledQuantity ? b : a;
}
