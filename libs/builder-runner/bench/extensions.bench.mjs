// Extensions benchmark: time to install N extensions from the offline directory into a real
// code-server 4.139.1 devcontainer (tests/testbed/code-server-image.sh), as the remote user;
// then the idempotent second run (all already present). The N extensions are generated from the
// fixture extension and packed by @vscode/vsce.
// Run: node bench/extensions.bench.mjs [N] (from libs/builder-runner; default N = 10).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadComponent, repoRoot, seconds, sh, table, testbed, timed } from './support.mjs';

const n = Number(process.argv[2] ?? 10);
const ext = { ...(await loadComponent('extensions/collect')), ...(await loadComponent('extensions/install')) };
const { createDockerContext } = await import('@devcontainer-kit/docker-context');
const ctx = createDockerContext({ env: process.env });
testbed('docker');
const image = testbed('code-server-image');
const scratch = mkdtempSync(join(tmpdir(), 'dck-builder-ext-extbench-'));
const container = `dck-builder-ext-extbench-${Math.random().toString(16).slice(2, 10)}`;

try {
  // N extensions: copies of the fixture with their own names, packed in parallel batches.
  const offline = join(scratch, 'offline');
  mkdirSync(offline);
  const template = join(repoRoot, 'tests/support/fixtures/extensions/hello');
  const vsce = join(repoRoot, 'node_modules/.bin/vsce');
  const pack = await timed(async () => {
    const jobs = [];
    for (let i = 0; i < n; i++) {
      const dir = join(scratch, `src-${i}`);
      cpSync(template, dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      manifest.name = `bench-${i}`;
      writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
      jobs.push(
        new Promise((resolve, reject) =>
          import('node:child_process').then(({ execFile }) =>
            execFile(
              vsce,
              ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', join(offline, `bench-${i}.vsix`)],
              { cwd: dir },
              (e) => (e ? reject(e) : resolve()),
            ),
          ),
        ),
      );
      if (jobs.length === 4) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
  });

  sh(`docker run -d --network=host --name ${container} ${image} sleep infinity >/dev/null`);
  // Warm the server once (first start writes its config), as a devcontainer would be after `up`.
  sh(`docker exec -u coder ${container} code-server --list-extensions >/dev/null`);
  const extensions = ext.collectExtensions({
    configs: [],
    extra: Array.from({ length: n }, (_, i) => `dck-fixtures.bench-${i}`).join(','),
  }).extensions;
  const first = await timed(() =>
    ext.installExtensions({ ctx, containerId: container, remoteUser: 'coder', extensions, offlineDir: offline }),
  );
  const installed = first.value.results.filter((r) => r.outcome === 'installed').length;
  const second = await timed(() =>
    ext.installExtensions({ ctx, containerId: container, remoteUser: 'coder', extensions, offlineDir: offline }),
  );
  const present = second.value.results.filter((r) => r.outcome === 'already-present').length;
  execFileSync('docker', ['exec', '-u', 'coder', container, 'code-server', '--uninstall-extension', 'dck-fixtures.bench-0'], {
    stdio: 'ignore',
  });
  const single = await timed(() =>
    ext.installExtensions({ ctx, containerId: container, remoteUser: 'coder', extensions: extensions.slice(0, 1), offlineDir: offline }),
  );
  const bare = await timed(() =>
    execFileSync('docker', ['exec', '-u', 'coder', container, 'code-server', '--list-extensions'], { stdio: 'ignore' }),
  );

  console.log(
    `extensions benchmark: ${n} extensions from the offline directory into code-server 4.139.1 (as user coder; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`,
  );
  table([
    ['step', 'time', 'per extension'],
    [`pack ${n} fixtures with vsce (test set-up, not the phase)`, seconds(pack.ms), ''],
    [`install ${n} (${installed} installed)`, seconds(first.ms), `${Math.round(first.ms / n)} ms`],
    [`second run (${present} already present)`, seconds(second.ms), `${Math.round(second.ms / n)} ms`],
    ['install 1 (after an uninstall)', seconds(single.ms), ''],
    ['for scale: one bare `code-server --list-extensions`', seconds(bare.ms), ''],
  ]);
} finally {
  sh(`docker rm -f ${container} >/dev/null 2>&1 || true`);
  rmSync(scratch, { recursive: true, force: true });
}
