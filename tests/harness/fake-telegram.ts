import { startHttpSink, type SinkAnswer, type SinkRequest } from './http-sink';

/** What a sendMessage call carried, as the Bot API reads it. */
export interface TelegramMessage {
  chat_id: string | number;
  text: string;
  parse_mode?: string;
  disable_web_page_preview?: boolean;
}

export type TelegramFault =
  | { status: 429; retryAfter: number }
  | { status: 500 }
  | { status: 401 }
  | { status: 400; description: string };

export interface FakeTelegram {
  /** Base URL to configure as notify.telegram.apiUrl. */
  apiUrl: string;
  /** Messages the fake accepted, in order. */
  messages: TelegramMessage[];
  /** Every request path, token included: the test's own token, never the system's logs. */
  requests: SinkRequest[];
  failNext(fault: TelegramFault, times?: number): void;
  close(): Promise<void>;
}

const json = (status: number, body: unknown): SinkAnswer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const refusal = (code: number, description: string, parameters?: object) =>
  json(code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });

function faultAnswer(fault: TelegramFault): SinkAnswer {
  switch (fault.status) {
    case 429:
      return refusal(429, `Too Many Requests: retry after ${fault.retryAfter}`, {
        retry_after: fault.retryAfter,
      });
    case 500:
      return refusal(500, 'Internal Server Error');
    case 401:
      return refusal(401, 'Unauthorized');
    case 400:
      return refusal(400, fault.description);
  }
}

/**
 * A local Bot API server: POST /bot<token>/sendMessage with a JSON body,
 * answered in the Bot API's envelope ({ok, result} or {ok: false,
 * error_code, description, parameters}). Only `token` is accepted.
 */
export async function startFakeTelegram({ token }: { token: string }): Promise<FakeTelegram> {
  const messages: TelegramMessage[] = [];
  let nextId = 1;
  const answer = (req: SinkRequest): SinkAnswer => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.path);
    if (req.method !== 'POST' || !match) return refusal(404, 'Not Found');
    if (match[1] !== token) return refusal(401, 'Unauthorized');
    if (match[2] !== 'sendMessage') return refusal(404, 'Not Found');
    const body = JSON.parse(req.body) as Partial<TelegramMessage>;
    if (body.chat_id === undefined || body.chat_id === '')
      return refusal(400, 'Bad Request: chat_id is empty');
    if (!body.text) return refusal(400, 'Bad Request: message text is empty');
    if (body.text.length > 4096) return refusal(400, 'Bad Request: message is too long');
    messages.push(body as TelegramMessage);
    return json(200, {
      ok: true,
      result: {
        message_id: nextId++,
        date: 0,
        chat: { id: body.chat_id, type: 'private' },
        text: body.text,
      },
    });
  };
  const sink = await startHttpSink(answer);
  return {
    apiUrl: sink.url,
    messages,
    requests: sink.requests,
    failNext: (fault, times = 1) => sink.failNext(faultAnswer(fault), times),
    close: sink.close,
  };
}
