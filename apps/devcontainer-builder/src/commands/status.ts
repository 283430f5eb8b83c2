import { DEFAULT_STATUS_FILE, defaultStatusFile, formatStatus, readStatusFile } from '@devcontainer-kit/builder-runner';
import { defineCommand } from 'citty';

/** The status file `up` writes, by the same rules: flag, env, then the default next to the workspace. */
export function statusFilePath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  if (env.DEVCONTAINER_STATUS_FILE) return env.DEVCONTAINER_STATUS_FILE;
  if (env.DEVCONTAINER_WORKSPACE_FOLDER) return defaultStatusFile(env.DEVCONTAINER_WORKSPACE_FOLDER);
  return DEFAULT_STATUS_FILE;
}

export const statusCommand = defineCommand({
  meta: { name: 'status', description: 'Show the phase, per-phase durations, container, image, cache and last error.' },
  args: {
    json: { type: 'boolean', description: 'Print the status file as JSON on stdout.' },
    'status-file': { type: 'string', description: 'Status file [DEVCONTAINER_STATUS_FILE].' },
  },
  async run({ args }) {
    const path = statusFilePath(args['status-file'] as string | undefined, process.env);
    try {
      const status = await readStatusFile(path);
      process.stdout.write(args.json ? `${JSON.stringify(status)}\n` : `${formatStatus(status)}\n`);
    } catch (error) {
      process.stderr.write(
        `devcontainer-builder status: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
      );
      process.exitCode = 1;
    }
  },
});
