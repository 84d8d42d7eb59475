/** Faults a test can inject through /_control; each counted fault is used up as it fires. */
export interface Faults {
  /** Reject the next `count` orders with `reason` (status REJECTED). */
  rejectOrders?: { count: number; reason: string };
  /** Delay every API response by this many milliseconds, before the request is acted on. */
  latencyMs?: number;
  /**
   * Hold the answer to every placed order this long after the order is booked:
   * the window in which the order exists but the client has not heard of it.
   */
  orderAckDelayMs?: number;
  /**
   * Send no order updates on the ticker: Kite does not guarantee them, so
   * whoever waits on an order must also be able to ask for it over REST.
   */
  muteOrderUpdates?: boolean;
  /** Record the next `count` placed orders, then destroy the socket instead of answering. */
  dropOrderResponses?: number;
  /**
   * Answer the next `count` API requests with this HTTP status (500 or 429),
   * only those whose `METHOD /path` starts with `route` when it is given.
   */
  failRequests?: { count: number; status: 500 | 429; route?: string };
  /**
   * Refuse the next `count` requests whose `METHOD /path` starts with `route`
   * (e.g. "GET /portfolio/positions", "GET /orders/") with a Kite error of
   * this type: a definitive answer (InputException, OrderException, ...) the
   * client must not retry, or a TokenException.
   */
  refuseRequests?: RefusedRoute[];
  /**
   * Freeze limits the exchange enforces below the dated table's, as on the
   * day NSE lowers one by circular before the table has caught up.
   */
  freezeLimits?: Partial<Record<'NIFTY' | 'BANKNIFTY' | 'FINNIFTY', number>>;
}

export interface RefusedRoute {
  route: string;
  count: number;
  errorType: 'InputException' | 'OrderException' | 'GeneralException' | 'TokenException';
  message: string;
}

export class FaultState {
  private faults: Faults = {};

  set(faults: Faults): void {
    this.faults = { ...this.faults, ...faults };
  }

  clear(): void {
    this.faults = {};
  }

  freezeLimitOf(underlying: string): number | undefined {
    return this.faults.freezeLimits?.[underlying as keyof NonNullable<Faults['freezeLimits']>];
  }

  get latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  get orderUpdatesMuted(): boolean {
    return this.faults.muteOrderUpdates === true;
  }

  get orderAckDelayMs(): number {
    return this.faults.orderAckDelayMs ?? 0;
  }

  takeRejection(): string | null {
    const r = this.faults.rejectOrders;
    if (!r || r.count <= 0) return null;
    r.count -= 1;
    return r.reason;
  }

  takeDroppedResponse(): boolean {
    if (!this.faults.dropOrderResponses) return false;
    this.faults.dropOrderResponses -= 1;
    return true;
  }

  /** The refusal due for this request, if one is armed for its route; each use spends one. */
  takeRefusal(method: string, path: string): RefusedRoute | null {
    const key = `${method} ${path}`;
    const r = this.faults.refuseRequests?.find((f) => f.count > 0 && key.startsWith(f.route));
    if (!r) return null;
    r.count -= 1;
    return r;
  }

  takeFailure(method: string, path: string): 500 | 429 | null {
    const f = this.faults.failRequests;
    if (!f || f.count <= 0) return null;
    if (f.route !== undefined && !`${method} ${path}`.startsWith(f.route)) return null;
    f.count -= 1;
    return f.status;
  }
}
