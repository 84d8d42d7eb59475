import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { Rendezvous } from './rendezvous';

const SCRIPT = path.resolve(__dirname, '../baseline/bare-trader.ts');

export interface BareArm {
  token: number;
  below: number;
  tag: string;
  tradingsymbol: string;
  quantity: number;
}

/** bench/baseline/bare-trader.ts as a child process: armed over stdin, answering on stdout. */
export class BareTrader {
  private readonly answers = new Rendezvous<{ orderId?: string; error?: string }>();
  private ready!: Promise<void>;

  private constructor(private readonly child: ChildProcess) {}

  static async start(restUrl: string, tickerUrl: string): Promise<BareTrader> {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, restUrl, tickerUrl], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const trader = new BareTrader(child);
    trader.ready = new Promise((resolve) => {
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as { ready?: boolean; tag?: string; orderId?: string };
        if (msg.ready) resolve();
        else if (msg.tag) trader.answers.deliver(msg.tag, msg);
      });
    });
    await trader.ready;
    return trader;
  }

  /** Arms one order on the next tick at or below `below`; resolves with the broker's answer. */
  arm(arm: BareArm): Promise<{ orderId?: string; error?: string }> {
    this.child.stdin!.write(`${JSON.stringify(arm)}\n`);
    return this.answers.wait(arm.tag);
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
