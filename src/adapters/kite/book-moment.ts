import { fillsByOwner, type ContractFills } from '../../domain/holdings';
import type { KiteBroker } from './client';
import { netHeld, type BrokerOrder } from './types';

/** Reads of the book that fills may interrupt before the caller is told it could not get one. */
const READS = 3;

/** The contract's fills in the book, as a key any new fill changes. */
const fillsOn = (orders: readonly BrokerOrder[], tradingsymbol: string, product: string) =>
  orders
    .filter((o) => o.tradingsymbol === tradingsymbol && o.product === product)
    .map((o) => `${o.orderId}:${o.filledQuantity}`)
    .sort()
    .join(',');

export interface BookMoment {
  /** The broker's net units of the contract; negative is a short. */
  net: number;
  orders: BrokerOrder[];
}

/**
 * The positions and the order book as of one moment: the positions read
 * between two reads of the book that show the same fills on the contract.
 * Kite has no read of both at once, and a fill landing between two separate
 * reads would credit a position with units the broker no longer holds.
 * Undefined when fills kept landing through every try.
 */
export async function bookAtOneMoment(
  broker: Pick<KiteBroker, 'getOrders' | 'getPositions'>,
  tradingsymbol: string,
  product: string,
): Promise<BookMoment | undefined> {
  for (let read = 0; read < READS; read++) {
    const before = await broker.getOrders();
    const positions = await broker.getPositions();
    const orders = await broker.getOrders();
    if (fillsOn(before, tradingsymbol, product) === fillsOn(orders, tradingsymbol, product))
      return { net: netHeld(positions, tradingsymbol, product), orders };
  }
  return undefined;
}

/** A contract's net and who holds it by our tags, as of one moment. */
export interface ContractView {
  net: number;
  fills: ContractFills;
  /** `mirror`: the net from the worker's order mirror, no REST call; `broker`: the net from a read of the broker. */
  from: 'mirror' | 'broker';
}

export async function contractViewFromBroker(
  broker: Pick<KiteBroker, 'getOrders' | 'getPositions'>,
  tradingsymbol: string,
  product: string,
): Promise<ContractView | undefined> {
  const book = await bookAtOneMoment(broker, tradingsymbol, product);
  return (
    book && {
      net: book.net,
      fills: fillsByOwner(book.orders, tradingsymbol, product),
      from: 'broker',
    }
  );
}
