import net from 'node:net';
import type { MetricsExporterConfig } from '@temporalio/worker';

/** The SDK's exporter stays on loopback: the worker's /metrics is where anyone else reads it. */
const SDK_HOST = '127.0.0.1';
const FETCH_TIMEOUT_MS = 2_000;

/** Core binds the exporter itself and cannot say which port 0 became, so a free one is chosen first. */
async function freePort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SdkMetrics {
  /** The exporter's own URL (http://127.0.0.1:<port>/metrics). */
  url: string;
  /** For Runtime.install's telemetryOptions.metrics. */
  exporter: MetricsExporterConfig;
  /** The exporter's current text, or a comment saying why there is none. */
  scrape(): Promise<string>;
}

/** The Temporal SDK's Prometheus exporter on `port` (0: a free one). */
export async function sdkMetrics(port: number): Promise<SdkMetrics> {
  const bound = port === 0 ? await freePort(SDK_HOST) : port;
  const url = `http://${SDK_HOST}:${bound}/metrics`;
  return {
    url,
    exporter: { prometheus: { bindAddress: `${SDK_HOST}:${bound}` } },
    async scrape() {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
        if (!res.ok) return `# Temporal SDK metrics unavailable: HTTP ${res.status}\n`;
        return await res.text();
      } catch (err) {
        return `# Temporal SDK metrics unavailable: ${(err as Error).message}\n`;
      }
    },
  };
}
