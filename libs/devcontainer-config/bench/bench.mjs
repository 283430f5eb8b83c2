// Benchmark (moon run devcontainer-config:bench): in-process validations per second on typical 1–5 KB configs,
// and the CLI's wall time on 100 files side by side with 100 `devcontainer read-configuration` runs.
// Runs the built package (dist/). Environment: DCK_BENCH_SAMPLE (read-configuration runs actually measured,
// default 10, extrapolated to 100), DCK_BENCH_FULL=1 (measure all 100).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDevcontainer, validateDevcontainer } from '../dist/index.js';
import { writeCorpus } from './corpus.mjs';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(pkgDir, '../..');
const cli = join(pkgDir, 'dist/cli.js');
const devcontainer = join(repoRoot, 'node_modules/.bin/devcontainer');
const N = 100;
const sample = process.env.DCK_BENCH_FULL === '1' ? N : Number(process.env.DCK_BENCH_SAMPLE ?? 10);

const dir = mkdtempSync(join(tmpdir(), 'dck-devcontainer-config-bench-'));
try {
  const folders = writeCorpus(dir, N);
  const files = folders.map((f) => join(f, '.devcontainer/devcontainer.json'));
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const sizes = texts.map((t) => t.length);
  const fmt = (x) => Math.round(x).toLocaleString('en-US');

  // 1. In-process: parse + validate, rounds of about one second.
  for (let i = 0; i < 2000; i++) validateDevcontainer(parseDevcontainer(texts[i % N], { file: files[i % N] })); // warm-up
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 1000) {
      for (let i = 0; i < N; i++) {
        const problems = validateDevcontainer(parseDevcontainer(texts[i], { file: files[i] }));
        if (problems.some((p) => p.severity === 'error')) throw new Error(`corpus file ${files[i]} is invalid`);
      }
      n += N;
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    rounds.push({ wall: n / wall, cpu: n / ((cpu.user + cpu.system) / 1e6) });
  }
  const byWall = rounds.map((r) => r.wall).sort((a, b) => a - b);
  const byCpu = rounds.map((r) => r.cpu).sort((a, b) => a - b);

  // 2. CLI: one `devcontainer-config validate` on the 100 workspaces.
  const time = (cmd, args) => {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} … exited ${r.status}: ${r.stderr.slice(-500)}`);
    return ms;
  };
  const ourBatch = [0, 1, 2].map(() => time(process.execPath, [cli, 'validate', ...folders])).sort((a, b) => a - b)[1];
  const ourPerFile = folders.slice(0, sample).map((f) => time(process.execPath, [cli, 'read', f, '--substitute']));
  const ourPerFileTotal = (ourPerFile.reduce((a, b) => a + b, 0) / sample) * N;

  // 3. The devcontainer CLI: one read-configuration per file (measured on `sample` files, extrapolated to 100).
  const theirs = folders.slice(0, sample).map((f) => time(devcontainer, ['read-configuration', '--workspace-folder', f]));
  const theirsTotal = (theirs.reduce((a, b) => a + b, 0) / sample) * N;

  const extrapolated = sample < N ? ` (measured ${sample} runs, extrapolated ×${N / sample})` : '';
  const out = [
    `devcontainer-config bench — ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} (other work shares the machine), Node ${process.version}`,
    `corpus: ${N} typical configs, ${fmt(Math.min(...sizes))}–${fmt(Math.max(...sizes))} bytes (mean ${fmt(sizes.reduce((a, b) => a + b, 0) / N)})`,
    '',
    'in-process parse + validate (5 rounds of ~1 s)',
    `  validations/s, wall clock : median ${fmt(byWall[2])}, best ${fmt(byWall[4])}, worst ${fmt(byWall[0])}`,
    `  validations/s per CPU-second: median ${fmt(byCpu[2])}, best ${fmt(byCpu[4])}`,
    `  target ≥ 5,000/s: ${byWall[2] >= 5000 ? 'met' : 'NOT met'} on the median wall clock, ${byCpu[2] >= 5000 ? 'met' : 'NOT met'} per CPU-second (wall clock depends on what else runs: load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`,
    '',
    `${'100 files, wall time'.padEnd(44)}devcontainer-config   devcontainer read-configuration   speed-up`,
    `${'  one `validate` process, all 100 files'.padEnd(44)}${`${fmt(ourBatch)} ms`.padEnd(22)}${`${fmt(theirsTotal)} ms${sample < N ? '*' : ''}`.padEnd(34)}${(theirsTotal / ourBatch).toFixed(1)}×`,
    `${'  one process per file (read --substitute)'.padEnd(44)}${`${fmt(ourPerFileTotal)} ms${sample < N ? '*' : ''}`.padEnd(22)}${`${fmt(theirsTotal)} ms${sample < N ? '*' : ''}`.padEnd(34)}${(theirsTotal / ourPerFileTotal).toFixed(1)}×`,
    `  target ≥ 20× on 100 files: ${theirsTotal / ourBatch >= 20 ? 'met' : 'NOT met'} (one validate process)`,
    sample < N
      ? `  * ${extrapolated.trim().replace(/^\(|\)$/g, '')}: per-process figures are the mean of ${sample} measured runs × ${N} (DCK_BENCH_FULL=1 runs all ${N})`
      : '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
