import { z } from 'zod';
import { isRetryableStatus, postJson } from './http';
import { DeliveryError, truncate, type Channel } from './types';

/** sendMessage refuses text longer than this. */
const TELEGRAM_TEXT_LIMIT = 4096;

/** The Bot API's envelope around every answer (core.telegram.org/bots/api#making-requests). */
const botAnswerSchema = z.object({
  ok: z.boolean(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().nonnegative().optional() }).optional(),
});

export interface TelegramOptions {
  apiUrl: string;
  botToken: string;
  chatId: string | number;
  timeoutMs: number;
}

const HINTS: Record<number, string> = {
  400: 'check notify.telegram.chatId',
  401: 'check TELEGRAM_BOT_TOKEN',
  403: 'the bot is not allowed to write to notify.telegram.chatId',
  404: 'check TELEGRAM_BOT_TOKEN and notify.telegram.apiUrl',
};

const parseAnswer = (body: string) => {
  try {
    return botAnswerSchema.safeParse(JSON.parse(body));
  } catch {
    return botAnswerSchema.safeParse(undefined);
  }
};

export function createTelegramChannel(options: TelegramOptions): Channel {
  // The token is part of the path: it must never leave this function in a message.
  const endpoint = `${options.apiUrl.replace(/\/+$/, '')}/bot${options.botToken}/sendMessage`;
  const redact = (s: string) => s.split(options.botToken).join('[redacted]');
  return {
    name: 'telegram',
    async send({ text }) {
      const answer = await postJson(
        'telegram',
        endpoint,
        {
          chat_id: options.chatId,
          text: truncate(text, TELEGRAM_TEXT_LIMIT),
          // The Web UI link would otherwise fetch a preview of a page only the operator can reach.
          disable_web_page_preview: true,
        },
        options.timeoutMs,
      );
      const parsed = parseAnswer(answer.body);
      if (!parsed.success) {
        // A 2xx that is not the Bot API means apiUrl points somewhere else; retrying will not change that.
        const retryable = isRetryableStatus(answer.status);
        throw new DeliveryError(
          'telegram',
          `HTTP ${answer.status} without a Bot API answer${retryable ? '' : ' (check notify.telegram.apiUrl)'}`,
          retryable,
        );
      }
      const bot = parsed.data;
      if (bot.ok) return;
      const code = bot.error_code ?? answer.status;
      const hint = HINTS[code];
      const retryAfter = bot.parameters?.retry_after;
      throw new DeliveryError(
        'telegram',
        `${code} ${redact(bot.description ?? 'refused')}${hint ? ` (${hint})` : ''}`,
        isRetryableStatus(code),
        retryAfter === undefined ? undefined : retryAfter * 1000,
      );
    },
  };
}
