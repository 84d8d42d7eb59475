/** One-shot waiters keyed by a string, for events that may fire before anyone waits for them. */
export class Rendezvous<T> {
  private readonly arrived = new Map<string, T>();
  private readonly waiting = new Map<string, (value: T) => void>();

  deliver(key: string, value: T): void {
    const waiter = this.waiting.get(key);
    if (waiter) {
      this.waiting.delete(key);
      waiter(value);
    } else this.arrived.set(key, value);
  }

  wait(key: string): Promise<T> {
    const value = this.arrived.get(key);
    if (value !== undefined) {
      this.arrived.delete(key);
      return Promise.resolve(value);
    }
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }
}

/** The promise's value, or undefined once `ms` pass first. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
