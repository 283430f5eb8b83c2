#!/usr/bin/env node
// Runs the token issuer in the foreground (the test bed starts it next to the token-auth registry).
// Env: DCK_TOKEN_PORT, DCK_TOKEN_USER, DCK_TOKEN_PASSWORD_FILE, DCK_TOKEN_KEY, DCK_TOKEN_CERT,
// DCK_TOKEN_ISSUER, DCK_TOKEN_SERVICE. One JSON line per request on stdout (never a password).
import { readFileSync } from 'node:fs';
import { startTokenIssuer } from './index.js';

const env = process.env;
const issuer = await startTokenIssuer({
  port: Number(env.DCK_TOKEN_PORT ?? 0),
  users: { [env.DCK_TOKEN_USER ?? 'dck-robot']: readFileSync(env.DCK_TOKEN_PASSWORD_FILE ?? '/dev/null', 'utf8').trim() },
  keyFile: env.DCK_TOKEN_KEY,
  certFile: env.DCK_TOKEN_CERT,
  issuer: env.DCK_TOKEN_ISSUER ?? 'dck-token-issuer',
  service: env.DCK_TOKEN_SERVICE ?? 'dck-token-registry',
  // Written before the answer goes out (stdout is the log file: Node writes files synchronously), so
  // a test that reads the log after its client finished sees every request (a 200 ms timer did not).
  onRequest: (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
});
process.stderr.write(`token issuer on ${issuer.url}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => issuer.close().then(() => process.exit(0)));
