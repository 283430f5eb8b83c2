// Benchmark (moon run devcontainer-config:bench): in-process validations per second on typical 1–5 KB configs,
// and the CLI's wall time on 100 files side by side with 100 `devcontainer read-configuration` runs.
// Then parse + validate with the file checks (checkDevcontainer), and time against input size for the three paths
// that were quadratic (variable substitution on unclosed `${`, the compliance report on many keys, feature ordering).
// Runs the built package (dist/). Environment: DCK_BENCH_SAMPLE (read-configuration runs actually measured,
// default 10, extrapolated to 100), DCK_BENCH_FULL=1 (measure all 100).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkDevcontainer,
  complianceReport,
  parseDevcontainer,
  resolveFeatureOrder,
  substituteVariables,
  validateDevcontainer,
} from '../dist/index.js';
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

  // 1b. In-process with the file checks (Dockerfile exists, local features, cycles): checkDevcontainer, async I/O.
  const checkRounds = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 1000) {
      for (let i = 0; i < N; i++) {
        const problems = await checkDevcontainer(parseDevcontainer(texts[i], { file: files[i] }));
        if (problems.some((p) => p.severity === 'error')) throw new Error(`corpus file ${files[i]} is invalid: ${problems[0]?.message}`);
      }
      n += N;
    }
    checkRounds.push(n / ((performance.now() - t0) / 1000));
  }
  checkRounds.sort((a, b) => a - b);

  // 1c. Scaling of the formerly quadratic paths: median of 3 runs at each size; linear means ×10 time for ×10 input.
  const median3 = (fn) => {
    const runs = [0, 1, 2].map(() => {
      const t0 = performance.now();
      fn();
      return performance.now() - t0;
    });
    return runs.sort((a, b) => a - b)[1];
  };
  const scaling = [];
  const measure = (name, unit, sizes, make, run) => {
    const times = sizes.map((n) => {
      const input = make(n);
      run(input); // warm-up
      return median3(() => run(input));
    });
    scaling.push({ name, unit, sizes, times });
  };
  measure(
    'substituteVariables, one string of unclosed "${x"',
    'KB',
    [100, 1000, 5000],
    (kb) => ({ name: '${x'.repeat((kb * 1024) / 3) }),
    (config) => substituteVariables({ config, localWorkspaceFolder: '/w', env: {} }),
  );
  measure(
    'complianceReport, unknown keys with variables',
    'keys',
    [10_000, 40_000, 100_000],
    (n) => parseDevcontainer(`{${Array.from({ length: n }, (_, i) => `"k${i}": "\${localEnv:V${i % 7}}"`).join(',')}}`, { file: 'f' }),
    (parsed) => complianceReport(parsed),
  );
  measure(
    'resolveFeatureOrder, features (half with dependsOn + installsAfter)',
    'features',
    [20_000, 100_000, 200_000],
    (n) => {
      const features = {};
      for (let i = 0; i < n; i++) features[`./f${i}`] = {};
      const getManifest = (id) => {
        const i = Number(id.slice(3));
        return i % 2 === 1 ? { dependsOn: { [`./f${i - 1}`]: {} }, installsAfter: [`./f${Math.max(0, i - 3)}`] } : {};
      };
      return { features, getManifest };
    },
    (input) => resolveFeatureOrder(input),
  );
  measure(
    'validateDevcontainer, features (OCI ids)',
    'features',
    [20_000, 200_000],
    (n) =>
      parseDevcontainer(`{"image": "x", "features": {${Array.from({ length: n }, (_, i) => `"ghcr.io/a/b/f${i}:1": {}`).join(',')}}}`, {
        file: 'f',
      }),
    (parsed) => validateDevcontainer(parsed),
  );

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
    'in-process parse + validate + file checks (checkDevcontainer: Dockerfile, local features, cycles; 3 rounds of ~1 s)',
    `  validations/s, wall clock : median ${fmt(checkRounds[1])}, best ${fmt(checkRounds[2])}`,
    '',
    'scaling of the formerly quadratic paths (median of 3; linear: time grows like the input)',
    ...scaling.map(
      (s) =>
        `  ${s.name}: ${s.sizes.map((n, i) => `${fmt(n)} ${s.unit} ${fmt(s.times[i])} ms`).join(', ')} — time ×${(s.times.at(-1) / s.times[0]).toFixed(1)} for input ×${(s.sizes.at(-1) / s.sizes[0]).toFixed(0)}`,
    ),
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
