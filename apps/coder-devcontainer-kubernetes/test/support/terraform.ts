// Terraform for the template's tests: the real CLI with the real providers from the test bed's
// filesystem mirror, and a loopback stand-in for the one Kubernetes API read a start plan makes
// (GET /api/v1/namespaces/NAME, answered as the API server does: the Namespace, or a 404 Status).
// No cluster and no Coder deployment: the coder provider reads a build's context from the
// environment (CODER_WORKSPACE_*, CODER_PARAMETER_<sha256(name)>), as Coder's provisioner sets it.
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { terraformCliConfig } from '../../../../tests/support/testbed.js';

// biome-ignore lint/suspicious/noExplicitAny: terraform's plan JSON is untyped; the tests check its shape.
export type PlanJson = Record<string, any>;
export type TerraformResult = SpawnSyncReturns<string>;

/**
 * A test's time limit where it runs terraform plans (each starts both providers) or containers: the
 * shared 30 s is too tight for several plans on a loaded 2-core CI machine.
 */
export const PLAN_TIMEOUT_MS = 300_000;

/** The environment variable the coder provider reads a parameter's value from outside a real Coder build. */
export const parameterEnv = (name: string) => `CODER_PARAMETER_${createHash('sha256').update(name).digest('hex')}`;

/** Namespace name → its labels, as the stand-in API server serves them. */
export type Namespaces = Record<string, Record<string, string>>;

// The stand-in runs in its own process: terraform runs through spawnSync, which blocks the test's event loop.
const API_STANDIN = `
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
const [namespaces, log] = [JSON.parse(process.argv[1]), process.argv[2]];
const server = createServer((req, res) => {
  const name = /^\\/api\\/v1\\/namespaces\\/([^/?]+)(\\?|$)/.exec(req.url ?? '')?.[1];
  res.setHeader('content-type', 'application/json');
  if (req.method === 'GET' && name) appendFileSync(log, name + '\\n');
  const labels = name ? namespaces[name] : undefined;
  if (req.method === 'GET' && name && labels) {
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: 'uid-' + name, labels }, spec: {}, status: { phase: 'Active' } }));
  } else {
    res.statusCode = 404;
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'namespaces "' + name + '" not found' }));
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

export interface TerraformHarness {
  /** Runs terraform in `dir`; never throws (check `status`, or pass the result to `ok`). */
  terraform(dir: string, args: string[], extraEnv?: NodeJS.ProcessEnv): TerraformResult;
  /** `terraform init` of a working directory from the mirror (throws when it fails). */
  init(dir: string): void;
  /** A saved plan's JSON (`plan -out`, then `show -json`); throws when either fails. */
  plan(dir: string, extraEnv: NodeJS.ProcessEnv, args?: string[]): PlanJson;
  /** The namespaces the stand-in API server was asked for, in order. */
  namespaceReads(): string[];
  stop(): void;
}

/** A result's stdout, or an error that leads with terraform's own error text (stderr), then its stdout. */
export function ok(r: TerraformResult): string {
  if (r.status !== 0) throw new Error(`terraform failed (${r.status ?? r.signal}): ${r.stderr.trim()}\n--- stdout:\n${r.stdout}`);
  return r.stdout;
}

/**
 * Prepares terraform for one test file: builds the providers on a fresh machine (the test bed's
 * script), starts the API stand-in, and cleans the environment of anything that would reach a real
 * cluster or Coder, set variables, or share a plugin cache with a concurrent `terraform init`.
 * @param options.workDir a folder of the test file's own, for the stand-in's script and request log
 */
export async function startTerraformHarness({
  namespaces,
  workDir,
}: {
  namespaces: Namespaces;
  workDir: string;
}): Promise<TerraformHarness> {
  const cliConfig = terraformCliConfig();
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  for (const k of Object.keys(env))
    if (k.startsWith('KUBE') || k.startsWith('CODER_') || k.startsWith('TF_VAR_') || k === 'TF_PLUGIN_CACHE_DIR') delete env[k];
  const log = join(workDir, 'namespace-reads.log');
  const standin: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', API_STANDIN, JSON.stringify(namespaces), log], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    standin.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    standin.once('exit', (code) => reject(new Error(`the API stand-in exited (${code})`)));
  });
  env.KUBE_HOST = `http://127.0.0.1:${port}`;

  const terraform = (dir: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    spawnSync('terraform', args, { cwd: dir, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return {
    terraform,
    init(dir) {
      ok(terraform(dir, ['init', '-backend=false', '-input=false', '-no-color']));
    },
    plan(dir, extraEnv, args = []) {
      ok(terraform(dir, ['plan', '-input=false', '-no-color', '-lock=false', '-out=plan.tfplan', ...args], extraEnv));
      return JSON.parse(ok(terraform(dir, ['show', '-json', 'plan.tfplan'])));
    },
    namespaceReads: () => readFileSync(log, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean),
    stop: () => standin.kill('SIGTERM'),
  };
}
