import readline from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { KiteConnect } from 'kiteconnect';
import { TOKEN_FILE_MODE, writeTokenFile } from '../../adapters/kite/token-file';
import { loadConfig, loadSecrets, type Config } from '../../config';
import { tokenExpiresAt } from '../../domain/broker-session';
import { scrubber } from '../../log';
import {
  brokerErrorText,
  LoginInputError,
  loginUrlFor,
  readSessionAnswer,
  requestTokenFrom,
  tokenExpiryOf,
} from '../kite-login';
import { listenForRedirect } from '../login-redirect';
import { CliError, numberOption, usageError } from './context';
import { createOutput, istTime, keyValues } from './format';

interface LoginOptions {
  listen?: number;
  timeout: number;
}

function portOption(raw: string): number {
  const port = numberOption('--listen')(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw usageError(`--listen: expected a TCP port (1-65535), got ${JSON.stringify(raw)}`);
  return port;
}

/** Instructions go to stderr, so `--json` leaves stdout one JSON document. */
const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * One line from stdin. On a terminal readline echoes through `output`, which
 * is muted, so the pasted token never shows on the screen either.
 */
function readPasted(): Promise<string> {
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = readline.createInterface({
    input: process.stdin,
    output: muted,
    terminal: Boolean(process.stdin.isTTY),
  });
  return new Promise((resolve, reject) => {
    rl.once('line', (line) => {
      resolve(line);
      rl.close();
    });
    rl.once('close', () => reject(usageError('no request_token given: stdin closed')));
  });
}

async function requestTokenOf(config: Config, loginUrl: string, opts: LoginOptions) {
  if (opts.listen === undefined) {
    say(`Log in to Kite at:\n  ${loginUrl}`);
    say('Then paste the request_token from the redirect URL (or the whole URL) and press Enter:');
    return requestTokenFrom(await readPasted());
  }
  const listener = await listenForRedirect(opts.listen, opts.timeout * 1000).catch(
    (err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot listen on 127.0.0.1:${opts.listen}: ${err.code ?? err.message}`);
    },
  );
  say(`Log in to Kite at:\n  ${loginUrl}`);
  say(
    `Waiting up to ${opts.timeout} s for the redirect to ${listener.url} ` +
      `(${config.broker.mode === 'paper' ? 'exchange.loginRedirectUrl' : "the app's redirect URL"} must point there)...`,
  );
  return listener.requestToken;
}

/** `trade login`: the day's Kite session, stored for the worker in broker.tokenFile. */
export function registerLogin(program: Command): void {
  program
    .command('login')
    .description(
      'log in to Kite and store the access token (0600) in broker.tokenFile; the worker picks it up without a restart',
    )
    .option(
      '--listen <port>',
      "catch Kite's redirect on http://127.0.0.1:<port>/ instead of pasting the request_token",
      portOption,
    )
    .option('--timeout <seconds>', 'how long --listen waits', numberOption('--timeout'), 300)
    .action(async (opts: LoginOptions, cmd: Command) => {
      const out = createOutput(Boolean(cmd.optsWithGlobals().json));
      const config = loadConfig();
      const secrets = loadSecrets(config.broker.mode, process.env, { accessTokenOptional: true });
      const tokenFile = config.broker.tokenFile;
      if (!tokenFile) throw usageError('broker.tokenFile is not set: nowhere to store the token');
      if (!secrets.kiteApiSecret)
        throw new CliError('KITE_API_SECRET is not set in the environment; the login needs it');
      const apiKey = secrets.kiteApiKey;
      let requestToken: string;
      try {
        requestToken = await requestTokenOf(config, loginUrlFor(config, apiKey), opts);
      } catch (err) {
        throw err instanceof LoginInputError ? usageError(err.message) : err;
      }
      const scrub = scrubber([secrets.kiteApiSecret, requestToken]);
      const kite = new KiteConnect({
        api_key: apiKey,
        root: config.broker.restUrl,
        timeout: 10_000,
      });
      const raw: unknown = await kite
        .generateSession(requestToken, secrets.kiteApiSecret)
        .catch((err: unknown) => {
          throw new CliError(`login refused by the broker: ${scrub(brokerErrorText(err))}`);
        });
      const session = readSessionAnswer(raw);
      const loginAt = session.loginAt ?? Date.now();
      const expiresAt = tokenExpiresAt(loginAt, tokenExpiryOf(config));
      writeTokenFile(tokenFile, {
        apiKey,
        accessToken: session.accessToken,
        userId: session.userId,
        loginAt,
        expiresAt,
      });
      const mode = TOKEN_FILE_MODE.toString(8);
      const result = {
        userId: session.userId,
        tokenFile,
        mode,
        loginAt: new Date(loginAt).toISOString(),
        expiresAt: new Date(expiresAt).toISOString(),
      };
      out.emit(result, () =>
        keyValues([
          ['logged in', session.userId],
          ['token file', `${tokenFile} (mode ${mode})`],
          ['logged in (IST)', istTime(loginAt)],
          ['expires (IST)', istTime(expiresAt)],
          ['worker', 'picks the new token up by itself; no restart needed'],
        ]),
      );
    });
}
