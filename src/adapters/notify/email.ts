import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { alertHeadline } from '../../domain/alerts';
import { DeliveryError, type Channel } from './types';

export interface EmailOptions {
  host: string;
  port: number;
  secure: boolean;
  from: string;
  to: string[];
  user?: string;
  password?: string;
  timeoutMs: number;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  /** nodemailer's reading of the reply class: 5xx (but 503) is permanent. */
  permanent?: boolean;
}

/** Fixable only by a person: wrong login, refused sender or recipient, bad transport settings. */
const needsPerson = (e: SmtpError) =>
  e.permanent ?? (e.code === 'ENOAUTH' || e.code === 'ECONFIG' || e.code === 'EAUTH');

function toDeliveryError(err: unknown, password: string | undefined): DeliveryError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  const reply = e.response?.split('\n')[0].trim();
  const parts = [e.code ?? 'error', reply ?? (e.responseCode ? String(e.responseCode) : '')];
  let message = parts.filter(Boolean).join(' ');
  if (password) message = message.split(password).join('[redacted]');
  const person = needsPerson(e);
  const hint = e.code === 'EAUTH' ? ' (check notify.email.user and SMTP_PASSWORD)' : '';
  return new DeliveryError('email', `${message}${person ? hint : ''}`, !person);
}

/**
 * Mail clients collapse messages with one Message-ID, so an alert resent
 * after a crash between delivery and bookkeeping shows once. Alert ids may
 * hold characters a Message-ID may not; a digest has none.
 */
const messageIdOf = (alertId: string) =>
  `<${createHash('sha256').update(alertId).digest('hex').slice(0, 32)}@alerts.trader>`;

export function createEmailChannel(options: EmailOptions): Channel {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    ...(options.user ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    // An alert is plain text; nothing in it should make the transport read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    name: 'email',
    async send({ event, text }) {
      try {
        await transport.sendMail({
          from: options.from,
          to: options.to,
          subject: alertHeadline(event),
          text,
          messageId: messageIdOf(event.id),
          headers: { 'X-Trader-Alert-Id': event.id },
        });
      } catch (err) {
        throw toDeliveryError(err, options.password);
      }
    },
  };
}
