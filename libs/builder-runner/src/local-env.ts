// `${localEnv:NAME}` in devcontainer.json reads the environment of the machine the devcontainer CLI
// runs on — in the pod, the builder's. The Docker context's env is an allow-list, so the names a
// config asks for are passed through explicitly: exactly those, and never the builder's own secrets.
import { listLocalEnvNames } from '@devcontainer-kit/devcontainer-config';
import type { DockerContext } from '@devcontainer-kit/docker-context';
import { settingDefinitions } from './settings.js';

/** Names no child gets even when devcontainer.json asks: the builder's secrets (and GH_TOKEN, the git token's fallback). */
export const WITHHELD_ENV_NAMES: ReadonlySet<string> = new Set([
  ...settingDefinitions.filter((d) => d.kind === 'secret-file').map((d) => d.env),
  'GH_TOKEN',
  'GITHUB_TOKEN',
]);

export interface LocalEnvForResult {
  /** Name → value for the names the config reads that the builder has and may pass. */
  vars: Record<string, string>;
  /** Names the config reads that are the builder's secrets: they stay empty for the CLI. */
  withheld: string[];
}

/** What of `env` the config's `${localEnv:…}` may see. Pure. */
export function localEnvFor({ config, env }: { config: unknown; env: Readonly<Record<string, string | undefined>> }): LocalEnvForResult {
  const vars: Record<string, string> = {};
  const withheld: string[] = [];
  for (const name of listLocalEnvNames(config)) {
    if (WITHHELD_ENV_NAMES.has(name)) withheld.push(name);
    else if (env[name] !== undefined) vars[name] = env[name] as string;
  }
  return { vars, withheld };
}

/** The context with these variables added (names the context already sets keep their value). Pure. */
export function withLocalEnv(ctx: DockerContext, vars: Readonly<Record<string, string>>): DockerContext {
  if (Object.keys(vars).length === 0) return ctx;
  return Object.freeze({ ...ctx, env: Object.freeze({ ...vars, ...ctx.env }) });
}

/** What to log: the names passed (info) and withheld (warn) — names only, never values. Pure. */
export function describeLocalEnv({ vars, withheld }: LocalEnvForResult): { text: string; level: 'info' | 'warn' }[] {
  const lines: { text: string; level: 'info' | 'warn' }[] = [];
  const names = Object.keys(vars);
  if (names.length > 0)
    lines.push({ text: `\${localEnv:…} of devcontainer.json: passing ${names.join(', ')} to the devcontainer CLI`, level: 'info' });
  for (const name of withheld)
    lines.push({
      text: `\${localEnv:${name}} stays empty: the builder's tokens never reach child processes (pass the value another way, e.g. a build secret)`,
      level: 'warn',
    });
  return lines;
}
