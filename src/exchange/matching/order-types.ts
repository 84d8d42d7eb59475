/** Kite v3 order and trade objects, field for field as the API returns them. */
export type OrderStatus =
  | 'PUT ORDER REQ RECEIVED'
  | 'VALIDATION PENDING'
  | 'OPEN PENDING'
  | 'OPEN'
  | 'TRIGGER PENDING'
  | 'MODIFY VALIDATION PENDING'
  | 'MODIFY PENDING'
  | 'CANCEL PENDING'
  | 'COMPLETE'
  | 'CANCELLED'
  | 'REJECTED';

export type OrderType = 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
export type TransactionType = 'BUY' | 'SELL';
export type Product = 'MIS' | 'NRML';
export type Validity = 'DAY' | 'IOC';

export interface KiteOrder {
  account_id: string;
  placed_by: string;
  order_id: string;
  exchange_order_id: string | null;
  parent_order_id: null;
  status: OrderStatus;
  status_message: string | null;
  status_message_raw: string | null;
  order_timestamp: string;
  exchange_update_timestamp: string | null;
  exchange_timestamp: string | null;
  variety: 'regular';
  modified: boolean;
  exchange: 'NFO';
  tradingsymbol: string;
  instrument_token: number;
  order_type: OrderType;
  transaction_type: TransactionType;
  validity: Validity;
  validity_ttl: number;
  product: Product;
  quantity: number;
  disclosed_quantity: number;
  price: number;
  trigger_price: number;
  average_price: number;
  filled_quantity: number;
  pending_quantity: number;
  cancelled_quantity: number;
  market_protection: number;
  meta: Record<string, never>;
  tag: string | null;
  tags: string[];
  guid: string;
}

export interface KiteTrade {
  trade_id: string;
  order_id: string;
  exchange: 'NFO';
  tradingsymbol: string;
  instrument_token: number;
  product: Product;
  average_price: number;
  quantity: number;
  exchange_order_id: string;
  transaction_type: TransactionType;
  fill_timestamp: string;
  order_timestamp: string;
  exchange_timestamp: string;
}

export const isLive = (o: KiteOrder): boolean =>
  o.status === 'OPEN' || o.status === 'TRIGGER PENDING';
