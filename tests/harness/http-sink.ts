import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface SinkAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpSink {
  url: string;
  /** Every request, answered well or not. */
  requests: SinkRequest[];
  /** Bodies of the requests answered 2xx, parsed as JSON where they are JSON. */
  accepted: unknown[];
  /** Answers the next `times` requests with `answer` instead of the default. */
  failNext(answer: SinkAnswer, times?: number): void;
  close(): Promise<void>;
}

const parseBody = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
};

const OK: SinkAnswer = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };

/**
 * A real HTTP server on a free loopback port that records what it is sent.
 * `answer` decides the reply to a request no scripted failure claims; the
 * default is Slack's 200 "ok".
 */
export async function startHttpSink(
  answer: (req: SinkRequest) => SinkAnswer = () => OK,
): Promise<HttpSink> {
  const requests: SinkRequest[] = [];
  const accepted: unknown[] = [];
  const scripted: SinkAnswer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: SinkRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const reply = scripted.shift() ?? answer(received);
      if (reply.status >= 200 && reply.status < 300) accepted.push(parseBody(received.body));
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted,
    failNext(reply, times = 1) {
      for (let i = 0; i < times; i++) scripted.push(reply);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
