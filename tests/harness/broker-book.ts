import type { PaperStack } from './paper-stack';

/** The fields of the exchange's order and position books these tests read. */
export interface BookOrder {
  order_id: string;
  tag: string | null;
  status: string;
  transaction_type: 'BUY' | 'SELL';
  tradingsymbol: string;
  quantity: number;
  filled_quantity: number;
  average_price: number;
}

/**
 * What a trader does in the Kite app, or what Zerodha's 15:25 auto
 * square-off does: a MARKET order straight at the broker, with no tag of ours.
 */
export async function sellAtBroker(
  stack: PaperStack,
  tradingsymbol: string,
  quantity: number,
): Promise<string> {
  const params = {
    exchange: 'NFO',
    tradingsymbol,
    transaction_type: 'SELL',
    quantity,
    product: 'MIS',
    order_type: 'MARKET',
    validity: 'DAY',
    market_protection: -1,
  };
  const { order_id } = await stack.kite.placeOrder(
    'regular',
    params as unknown as Parameters<typeof stack.kite.placeOrder>[1],
  );
  return order_id;
}

/** A BUY placed by hand: quantity at the broker that no workflow owns. */
export async function buyAtBroker(
  stack: PaperStack,
  tradingsymbol: string,
  quantity: number,
): Promise<string> {
  const params = {
    exchange: 'NFO',
    tradingsymbol,
    transaction_type: 'BUY',
    quantity,
    product: 'MIS',
    order_type: 'MARKET',
    validity: 'DAY',
    market_protection: -1,
  };
  const { order_id } = await stack.kite.placeOrder(
    'regular',
    params as unknown as Parameters<typeof stack.kite.placeOrder>[1],
  );
  return order_id;
}

/** The exchange's net quantity of one contract: what is really held. */
export async function netAtBroker(stack: PaperStack, tradingsymbol: string): Promise<number> {
  const { net } = (await stack.kite.getPositions()) as unknown as {
    net: Array<{ tradingsymbol: string; quantity: number }>;
  };
  return net
    .filter((p) => p.tradingsymbol === tradingsymbol)
    .reduce((s, p) => s + Number(p.quantity), 0);
}

export const ordersAtBroker = async (stack: PaperStack): Promise<BookOrder[]> =>
  (await stack.kite.getOrders()) as unknown as BookOrder[];
