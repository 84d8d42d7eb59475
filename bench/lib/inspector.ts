import fs from 'node:fs';
import WebSocket from 'ws';
import { sleep } from './rendezvous';

/** One V8 isolate the inspector reaches: the worker's main thread or one of its threads. */
export interface InspectorTarget {
  title: string;
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { message: string };
}

/** Answers messages by id; one per isolate, since each thread numbers its own. */
class Replies {
  private next = 1;
  private readonly waiting = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();

  request(
    method: string,
    params: Record<string, unknown> | undefined,
    post: (text: string) => void,
  ): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      post(JSON.stringify({ id, method, params }));
    });
  }

  settle(message: Message): void {
    const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  }
}

/**
 * The Chrome DevTools Protocol over a worker started with `--inspect`: the
 * main thread directly, its worker threads (where the SDK runs workflows)
 * through the NodeWorker domain. What a benchmark uses to profile and weigh
 * a worker that is carrying a real book, not a copy of it.
 */
export class Inspector {
  private readonly mainReplies = new Replies();
  private readonly threadReplies = new Map<string, Replies>();
  private readonly threads: InspectorTarget[] = [];
  readonly main: InspectorTarget;

  private constructor(private readonly socket: WebSocket) {
    this.main = {
      title: 'main',
      send: <T>(method: string, params?: Record<string, unknown>) =>
        this.mainReplies.request(method, params, (t) => socket.send(t)) as Promise<T>,
    };
    socket.on('message', (data: Buffer) => this.receive(JSON.parse(data.toString()) as Message));
  }

  /** Connects to the inspector the worker announced in its log (`Debugger listening on ws://…`). */
  static async attach(logFile: string, timeoutMs = 10_000): Promise<Inspector> {
    const deadline = Date.now() + timeoutMs;
    let url: string | undefined;
    while (!url) {
      url = /Debugger listening on (ws:\/\/\S+)/.exec(fs.readFileSync(logFile, 'utf8'))?.[1];
      if (!url && Date.now() > deadline) throw new Error(`no inspector URL in ${logFile}`);
      if (!url) await sleep(100);
    }
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const inspector = new Inspector(socket);
    await inspector.main.send('NodeWorker.enable', { waitForDebuggerOnStart: false });
    // The worker threads are announced right after enable; they all exist once the worker polls.
    await sleep(1_000);
    return inspector;
  }

  /** The worker's threads: one per SDK Worker's workflow thread pool. */
  workerThreads(): InspectorTarget[] {
    return [...this.threads];
  }

  /** Every isolate: the main thread (activities, ticker, mirror) and the workflow threads. */
  isolates(): InspectorTarget[] {
    return [this.main, ...this.threads];
  }

  close(): void {
    this.socket.close();
  }

  private receive(message: Message): void {
    if (message.method === 'NodeWorker.attachedToWorker') {
      const { sessionId, workerInfo } = message.params as {
        sessionId: string;
        workerInfo: { title: string };
      };
      const replies = new Replies();
      this.threadReplies.set(sessionId, replies);
      this.threads.push({
        title: `${workerInfo.title} #${this.threads.length + 1}`,
        send: <T>(method: string, params?: Record<string, unknown>) =>
          replies.request(
            method,
            params,
            (text) =>
              void this.main.send('NodeWorker.sendMessageToWorker', { sessionId, message: text }),
          ) as Promise<T>,
      });
      return;
    }
    if (message.method === 'NodeWorker.receivedMessageFromWorker') {
      const { sessionId, message: text } = message.params as { sessionId: string; message: string };
      this.threadReplies.get(sessionId)?.settle(JSON.parse(text) as Message);
      return;
    }
    this.mainReplies.settle(message);
  }
}
