// Hostile input: byte order marks, nesting thousands of levels deep, millions of problems, and inputs that made
// formerly quadratic paths slow (unclosed `${`, many unknown keys, many features). Pure logic plus the CLI in-process
// on real temporary files. Each case here failed (crash, wrong verdict, or quadratic time) before the fix.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import {
  complianceReport,
  DevcontainerConfigError,
  findVariables,
  mergeWithImageMetadata,
  parseDevcontainer,
  resolveFeatureOrder,
  substituteVariables,
  validateDevcontainer,
  validateFeatureManifest,
} from '../src/index.js';
import { MAX_NESTING_DEPTH } from '../src/nesting.js';
import { PROBLEM_LIMIT } from '../src/problem.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dck-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
async function cliOn(text: string, ...argv: string[]) {
  const file = join(dir, `c${fileCount++}.json`);
  await writeFile(file, text);
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, file], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    cwd: dir,
    env: {},
  });
  return { code, stdout, stderr, file };
}

describe('UTF-8 byte order mark (the devcontainer CLI reads past it)', () => {
  const text = '\uFEFF{\n  "image": "mcr.microsoft.com/devcontainers/base:bookworm", "nme": 1\n}';

  it('parses without a syntax error; positions are columns as an editor shows them', () => {
    const parsed = parseDevcontainer(text, { file: 'f.json' });
    expect(parsed.problems).toEqual([]);
    expect(parsed.config).toEqual({ image: 'mcr.microsoft.com/devcontainers/base:bookworm', nme: 1 });
    const problems = validateDevcontainer(parsed);
    expect(problems.map((p) => `${p.code}@${p.line}:${p.column}`)).toEqual(['unknown-property@2:61']);
    // On line 1 the mark takes no column: "nme" is at column 16 as without it.
    const line1 = validateDevcontainer(parseDevcontainer('\uFEFF{"image": "x", "nme": 1}', { file: 'f' }));
    expect(line1.map((p) => `${p.code}@${p.line}:${p.column}`)).toEqual(['unknown-property@1:16']);
    const broken = validateDevcontainer(parseDevcontainer('\uFEFF{"x": ', { file: 'f' }));
    expect(broken.filter((p) => p.code === 'json-syntax')[0]).toMatchObject({ line: 1, column: 7 });
  });

  it('in a feature manifest too', () => {
    const r = validateFeatureManifest('\uFEFF{"id": "a", "version": "1.0.0"}', { folderName: 'a' });
    expect(r.problems).toEqual([]);
  });

  it('validate and read accept the file', async () => {
    expect((await cliOn(text, 'validate')).code).toBe(0);
    const read = await cliOn(text, 'read');
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ nme: 1 });
  });
});

describe('nesting depth: a positioned error, never a stack overflow', () => {
  const deep = (n: number) => `{"image": "x", "customizations": ${'{"a": '.repeat(n)}1${'}'.repeat(n)}}`;

  it(`${MAX_NESTING_DEPTH} levels are fine, one more is an error at the opening brace`, () => {
    // deep(n) nests n + 1 levels; the opening brace of level MAX + 1 is at column 34 + 6 * (MAX - 1).
    expect(validateDevcontainer(parseDevcontainer(deep(MAX_NESTING_DEPTH - 1), { file: 'f' }))).toEqual([]);
    const problems = validateDevcontainer(parseDevcontainer(deep(MAX_NESTING_DEPTH), { file: 'f' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'nesting-too-deep', severity: 'error', line: 1, column: 34 + 6 * (MAX_NESTING_DEPTH - 1) });
  });

  it('100,000 levels (objects, arrays, unclosed), strings and comments with brackets do not count', () => {
    for (const text of [deep(100_000), '['.repeat(100_000), `{"a": ${'[{'.repeat(50_000)}`]) {
      const [p] = validateDevcontainer(parseDevcontainer(text, { file: 'f' }));
      expect(p?.code).toBe('nesting-too-deep');
    }
    const quoted = `{"image": "x", "name": "${'['.repeat(5000)}", // ${'{'.repeat(5000)}\n /* ${'['.repeat(5000)} */ "remoteUser": "x"}`;
    expect(validateDevcontainer(parseDevcontainer(quoted, { file: 'f' }))).toEqual([]);
    expect(validateFeatureManifest('['.repeat(10_000)).problems[0]?.code).toBe('nesting-too-deep');
  });

  it('every CLI command exits 1 with file:line:col', async () => {
    for (const command of ['validate', 'read', 'report', 'features-order']) {
      const r = await cliOn(deep(20_000), command);
      expect(r.code, command).toBe(1);
      expect(`${r.stdout}${r.stderr}`, command).toMatch(/c\d+\.json:1:\d+: error nesting-too-deep: /);
      expect(`${r.stdout}${r.stderr}`, command).not.toMatch(/Maximum call stack|\n\s+at /);
    }
  });
});

describe('nesting in values that do not come from our parser', () => {
  const deepObject = (n: number) => {
    const root: Record<string, unknown> = {};
    let at = root;
    for (let i = 0; i < n; i++) {
      const next = {};
      at.a = next;
      at = next;
    }
    return root;
  };

  it('a deep image metadata label is INVALID_METADATA_LABEL, not a stack overflow', () => {
    const label = JSON.stringify([{ remoteEnv: { A: 'x' }, customizations: deepObject(200) }]);
    const deepLabel = `[{"customizations": ${'{"a": '.repeat(50_000)}1${'}'.repeat(50_000)}}]`;
    let error: unknown;
    try {
      mergeWithImageMetadata({ image: 'x' }, deepLabel);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DevcontainerConfigError);
    expect((error as DevcontainerConfigError).code).toBe('INVALID_METADATA_LABEL');
    expect(() => mergeWithImageMetadata({ image: 'x' }, [{ customizations: deepObject(50_000) }])).toThrow(/more than 256 levels/);
    expect(mergeWithImageMetadata({ image: 'x' }, label).image).toBe('x');
  });

  it('substituteVariables refuses a caller-built object deeper than the limit instead of overflowing', () => {
    expect(() => substituteVariables({ config: { customizations: deepObject(50_000) }, localWorkspaceFolder: '/w' })).toThrow(
      DevcontainerConfigError,
    );
    expect(substituteVariables({ config: { customizations: deepObject(200) }, localWorkspaceFolder: '/w' })).toBeDefined();
  });

  it('read --merged-with-image-metadata with a deep label: exit 1 with the reason, no stack overflow', async () => {
    const meta = join(dir, 'meta.json');
    await writeFile(meta, JSON.stringify(`[{"customizations": ${'{"a": '.repeat(50_000)}1${'}'.repeat(50_000)}}]`));
    const r = await cliOn('{"image": "x"}', 'read', '--merged-with-image-metadata', meta);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nests objects/arrays more than 256 levels deep');
    expect(r.stderr).not.toMatch(/Maximum call stack/);
  });
});

describe('problem cap: the first N and a count', () => {
  it('200,000 invalid array items: 1,000 problems and one summary counting the rest', () => {
    const text = `{"image": "x", "runArgs": [${'1,'.repeat(200_000)}1]}`;
    const problems = validateDevcontainer(parseDevcontainer(text, { file: 'f' }));
    expect(problems).toHaveLength(PROBLEM_LIMIT + 1);
    expect(problems[0]).toMatchObject({ code: 'type-mismatch', line: 1, column: 28 });
    const summary = problems[PROBLEM_LIMIT];
    expect(summary).toMatchObject({ code: 'too-many-problems', severity: 'error' });
    expect(summary?.message).toBe('1000 problems shown; 199001 more error(s) and 0 more warning(s) not shown');
  });

  it('100,000 syntax errors and 50,000 unknown properties are capped the same way', () => {
    const garbage = validateDevcontainer(parseDevcontainer(`{"image": "x", ${':,'.repeat(100_000)}}`, { file: 'f' }));
    expect(garbage).toHaveLength(PROBLEM_LIMIT + 1);
    expect(garbage.at(-1)?.code).toBe('too-many-problems');
    const keys = Array.from({ length: 50_000 }, (_, i) => `"k${i}": 1`).join(',');
    const unknown = validateDevcontainer(parseDevcontainer(`{"image": "x", ${keys}}`, { file: 'f' }));
    expect(unknown).toHaveLength(PROBLEM_LIMIT + 1);
    expect(unknown.at(-1)).toMatchObject({ severity: 'warning', message: expect.stringContaining('49000 more warning(s)') });
  });

  it('the CLI prints at most N + 1 lines', async () => {
    const r = await cliOn(`{"image": "x", "runArgs": [${'1,'.repeat(50_000)}1]}`, 'validate');
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(PROBLEM_LIMIT + 1);
  });
});

describe('memory: the built CLI as a process with a 256 MB heap', () => {
  const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const runBin = (...argv: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('node', ['--max-old-space-size=256', bin, ...argv], { timeout: 60_000, maxBuffer: 256 << 20 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
  beforeAll(() => {
    // The moon `test` task depends on `build`; tests never build themselves.
    if (!existsSync(bin)) throw new Error('dist/ is missing: build first (npx moon run devcontainer-config:build, or npx tsup)');
  });

  it('1,000,000 invalid array items: exit 1 with 1,001 lines (it took 1.2 GB and printed a million before)', async () => {
    const file = join(dir, 'million.json');
    await writeFile(file, `{"image": "x", "runArgs": [${'1,'.repeat(1_000_000)}1]}`);
    const r = await runBin('validate', file);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(PROBLEM_LIMIT + 1);
    expect(r.stderr).toContain('1001 error(s)');
  }, 90_000);

  it('report on 8,000 levels of nesting: exit 1 at the bracket (370 MB of heap before)', async () => {
    const file = join(dir, 'deep-report.json');
    await writeFile(file, `{"image": "x", "customizations": ${'{"a": '.repeat(8000)}1${'}'.repeat(8000)}}`);
    const r = await runBin('report', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/deep-report\.json:1:\d+: error nesting-too-deep/);
  }, 90_000);
});

describe('report and features-order exit 1 on syntax errors', () => {
  it('still print what they can', async () => {
    const text = '{"image": "x",, "features": {"ghcr.io/a/b/c:1": {}}';
    const report = await cliOn(text, 'report');
    expect(report.code).toBe(1);
    expect(report.stdout).toContain('honoured image');
    expect(report.stderr).toMatch(/:1:15: error json-syntax/);
    const order = await cliOn(text, 'features-order');
    expect(order.code).toBe(1);
    expect(order.stdout).toBe('ghcr.io/a/b/c:1\n');
    expect((await cliOn('{"image": "x", "features": {"ghcr.io/a/b/c:1": {}}}', 'features-order')).code).toBe(0);
  });

  it('features-order survives features and overrideFeatureInstallOrder of the wrong type', async () => {
    for (const text of [
      '{"image": "x", "features": "abc"}',
      '{"image": "x", "features": {"ghcr.io/a/b/c": 1}, "overrideFeatureInstallOrder": [1, null, {}]}',
    ]) {
      const r = await cliOn(text, 'features-order');
      expect([0, 1]).toContain(r.code);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('variable substitution: the devcontainer CLI’s rule, in one pass', () => {
  it('unclosed ${ and line breaks inside ${…} are left as written', () => {
    const env = { A: 'a' };
    const sub = (s: string) => substituteVariables({ config: { name: s }, localWorkspaceFolder: '/w', env }).name;
    expect(sub('${localEnv:A')).toBe('${localEnv:A');
    expect(sub('${${localEnv:A}')).toBe('${${localEnv:A}');
    expect(sub('x ${localEnv:A} ${localEnv:\nA} ${localEnv:A} ${')).toBe('x a ${localEnv:\nA} a ${');
    expect(sub('$${localEnv:A}}')).toBe('$a}');
    expect(findVariables('${a\n} ${b}').map((v) => v.name)).toEqual(['b']);
  });
});

/**
 * Median wall time of `fn(n)` over a few runs. The property compares sizes 10× apart: linear work grows ~10×,
 * quadratic ~100×. The bound (40×) is generous for a loaded machine and still far below quadratic.
 */
function scaling(fn: (n: number) => void, small: number): number {
  const time = (n: number) => {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      fn(n);
      runs.push(performance.now() - start);
    }
    return runs.sort((a, b) => a - b)[1] as number;
  };
  fn(small); // warm up
  return time(small * 10) / Math.max(time(small), 0.5);
}

describe('formerly quadratic paths grow linearly (time ratio for 10× the input, compared to 100× for quadratic)', () => {
  it('substituteVariables on unclosed ${', () => {
    const ratio = scaling((n) => {
      substituteVariables({ config: { name: `${'${x'.repeat(n)}` }, localWorkspaceFolder: '/w', env: {} });
    }, 10_000);
    expect(ratio).toBeLessThan(40);
  });

  it('complianceReport on many unknown keys', () => {
    const texts = new Map<number, ReturnType<typeof parseDevcontainer>>();
    const parsed = (n: number) => {
      let p = texts.get(n);
      if (!p) {
        p = parseDevcontainer(`{${Array.from({ length: n }, (_, i) => `"k${i}": "\${localEnv:V${i % 7}}"`).join(',')}}`, { file: 'f' });
        texts.set(n, p);
      }
      return p;
    };
    parsed(10_000);
    parsed(100_000);
    const ratio = scaling((n) => {
      expect(complianceReport(parsed(n)).entries.length).toBe(n + 1);
    }, 10_000);
    expect(ratio).toBeLessThan(40);
  });

  it('resolveFeatureOrder on many features (with dependsOn and installsAfter among them)', () => {
    const inputs = new Map<number, Parameters<typeof resolveFeatureOrder>[0]>();
    const input = (n: number) => {
      let x = inputs.get(n);
      if (!x) {
        const features: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) features[`./f${i}`] = {};
        const getManifest = (id: string) => {
          const i = Number(id.slice(3));
          return i % 2 === 1 ? { dependsOn: { [`./f${i - 1}`]: {} }, installsAfter: [`./f${Math.max(0, i - 3)}`] } : {};
        };
        x = { features, getManifest, overrideFeatureInstallOrder: ['./f3', './f1'] };
        inputs.set(n, x);
      }
      return x;
    };
    const ratio = scaling((n) => {
      const r = resolveFeatureOrder(input(n));
      expect(r.order).toHaveLength(n);
    }, 10_000);
    expect(ratio).toBeLessThan(40);
  });
});

describe('checkDevcontainer keeps the cap across the file checks', () => {
  it('5,000 local features without a manifest: 1,000 problems and a count', async () => {
    const features = Array.from({ length: 5000 }, (_, i) => `"./f${i}": {}`).join(',');
    const r = await cliOn(`{"image": "x", "features": {${features}}}`, 'validate');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(PROBLEM_LIMIT + 1);
    expect(lines.at(-1)).toContain('too-many-problems: 1000 problems shown; 4000 more error(s)');
  });
});
