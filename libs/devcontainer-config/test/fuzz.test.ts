// Fuzz-style test: thousands of mutated and truncated configs, first on the pure logic, then through the CLI
// (in-process on real temporary files, and a sample as real `node dist/cli.js` processes with a memory cap).
// Properties: no exception, the run ends (vitest's timeout would catch a hang), every problem has a position inside
// the text, every text JSON.parse rejects gets at least one error, and every text JSON.parse accepts as an object gets
// no syntax error. A second fuzzer puts wrongly typed values into known properties and expects an error at that value.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import { devcontainerProperties } from '../src/devcontainer-schema.js';
import { parseDevcontainer, validateDevcontainer } from '../src/index.js';
import { fixturesDir } from './support/helpers.js';

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = ['image-basic', 'dockerfile', 'compose', 'local-features', 'metadata-merge', 'invalid']
  .map((s) => join(fixturesDir, s, '.devcontainer/devcontainer.json'))
  .map((f) => parseDevcontainer(readFileSync(f, 'utf8'), { file: f }).config ?? {})
  .map((c) => JSON.stringify(c, null, 2));

const TOKENS = ['{', '}', '[', ']', '"', ',', ':', '\\', '/', '*', '\n', '0', '-', 'e', 'true', 'null', '${', '\u0001', ' ', '"x"'];

function mutate(text: string, r: () => number): string {
  const pos = Math.floor(r() * (text.length + 1));
  switch (Math.floor(r() * 6)) {
    case 0:
      return text.slice(0, pos); // truncate
    case 1:
      return text.slice(0, pos) + text.slice(pos + 1 + Math.floor(r() * 8)); // delete
    case 2:
      return text.slice(0, pos) + TOKENS[Math.floor(r() * TOKENS.length)] + text.slice(pos); // insert
    case 3: {
      const end = Math.min(text.length, pos + Math.floor(r() * 40));
      return text.slice(0, end) + text.slice(pos, end) + text.slice(end); // duplicate a slice
    }
    case 4: {
      const i = Math.floor(r() * text.length);
      return text.slice(0, pos) + text.charAt(i) + text.slice(pos + 1); // replace one character
    }
    default:
      return mutate(mutate(text, r), r);
  }
}

function checkPositions(text: string, problems: ReturnType<typeof validateDevcontainer>) {
  const lines = text.split(/\r\n|\r|\n/);
  for (const p of problems) {
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lines.length);
    expect(p.column).toBeGreaterThanOrEqual(1);
    expect(p.column).toBeLessThanOrEqual((lines[p.line - 1] as string).length + 1);
    expect(p.file).toBe('fuzz.json');
    expect(p.code).toMatch(/^[a-z-]+$/);
  }
}

describe('fuzz: mutated and truncated texts', () => {
  it('5,000 mutations: no crash, positions in range, syntax errors exactly when JSON.parse fails', () => {
    const r = rng(20261123);
    let invalid = 0;
    let compared = 0;
    for (let i = 0; i < 5000; i++) {
      const seed = SEEDS[i % SEEDS.length] as string;
      const text = mutate(seed, r);
      const problems = validateDevcontainer(parseDevcontainer(text, { file: 'fuzz.json' }));
      checkPositions(text, problems);
      let value: unknown;
      let jsonOk = true;
      try {
        value = JSON.parse(text);
      } catch {
        jsonOk = false;
      }
      // JSONC accepts comments and trailing commas, JSON.parse does not: no oracle for those texts.
      const count = (t: string, x: string) => t.split(x).length;
      if (count(text, '//') !== count(seed, '//') || text.includes('/*') || /,\s*[}\]]/.test(text)) continue;
      compared++;
      if (!jsonOk) {
        invalid++;
        expect(
          problems.some((p) => p.severity === 'error'),
          `seed item ${i}: ${JSON.stringify(text.slice(0, 200))}`,
        ).toBe(true);
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        expect(
          problems.filter((p) => p.code === 'json-syntax'),
          `item ${i}`,
        ).toEqual([]);
      }
    }
    expect(compared).toBeGreaterThan(4000);
    expect(invalid).toBeGreaterThan(1000);
  });

  it('every truncation of a config reports an error with a position', () => {
    for (const seed of SEEDS.slice(0, 3)) {
      for (let n = 0; n < seed.length - 1; n++) {
        const text = seed.slice(0, n);
        const problems = validateDevcontainer(parseDevcontainer(text, { file: 'fuzz.json' }));
        checkPositions(text, problems);
        expect(
          problems.some((p) => p.severity === 'error'),
          `truncated at ${n}`,
        ).toBe(true);
      }
    }
  });

  it('pathological inputs end quickly without crashing', () => {
    const inputs = [
      '[',
      '{'.repeat(3000),
      '['.repeat(3000),
      `{"image": "${'x'.repeat(200_000)}"`,
      '"\\u12',
      '/*',
      '{"a":1}}}}',
      '\uFEFF{"image":"x"}',
      '\u0000',
      '',
    ];
    for (const text of inputs) {
      const problems = validateDevcontainer(parseDevcontainer(text, { file: 'fuzz.json' }));
      checkPositions(text, problems);
    }
  });
});

const WRONG: Record<string, unknown[]> = {
  string: [1, true, [], {}],
  boolean: ['yes', 0, [], {}],
  array: ['x', 1, true, {}],
  object: ['x', 1, true, []],
};

function expectedKind(name: string): keyof typeof WRONG | undefined {
  const s = devcontainerProperties[name];
  if (!s) return undefined;
  if (s.kind === 'string' || s.kind === 'boolean' || s.kind === 'array' || s.kind === 'object') return s.kind;
  return undefined;
}

describe('fuzz: wrongly typed values in known properties', () => {
  it('2,000 configs: an error at the line and column of the bad value', () => {
    const r = rng(42);
    const props = Object.keys(devcontainerProperties).filter((p) => expectedKind(p) && p !== 'customizations');
    for (let i = 0; i < 2000; i++) {
      const base = JSON.parse(SEEDS[i % 4] as string) as Record<string, unknown>;
      const prop = props[Math.floor(r() * props.length)] as string;
      const wrongs = WRONG[expectedKind(prop) as string] as unknown[];
      base[prop] = wrongs[Math.floor(r() * wrongs.length)];
      const text = JSON.stringify(base, null, 2);
      const parsed = parseDevcontainer(text, { file: 'fuzz.json' });
      const at = parsed.positions.get([prop]);
      const problems = validateDevcontainer(parsed);
      const hit = problems.find((p) => p.severity === 'error' && p.line === at?.line && p.column === at?.column);
      expect(hit, `${prop} = ${JSON.stringify(base[prop])}`).toBeDefined();
    }
  });
});

// Ingredients of hostile texts: spliced into mutations so the CLI meets them in every command.
const HOSTILE = [
  () => '\uFEFF',
  (r: () => number) => {
    const n = 200 + Math.floor(r() * 20_000);
    return `"customizations": ${'{"a": '.repeat(n)}1${'}'.repeat(n)},`;
  },
  (r: () => number) => {
    const n = 200 + Math.floor(r() * 20_000);
    return `"runArgs": ${'['.repeat(n)}${']'.repeat(n)},`;
  },
  (r: () => number) => `"name": "\${localEnv:${'${x'.repeat(Math.floor(r() * 50_000))}",`,
  (r: () => number) => `"runArgs": [${'1,'.repeat(Math.floor(r() * 50_000))}1],`,
  (r: () => number) => `${Array.from({ length: Math.floor(r() * 5000) }, (_, i) => `"k${i}": "\${localEnv:X}"`).join(',')},`,
  (r: () => number) => `"features": {${Array.from({ length: Math.floor(r() * 5000) }, (_, i) => `"ghcr.io/a/b/f${i}:1": {}`).join(',')}},`,
  () => '"features": "x", "overrideFeatureInstallOrder": [1, null, {}],',
  () => '"image": "://microsoft.com",',
  () => '"features": {"fish": {}, "Owner/Repo/F@v1": [], "./x": {"o": [1, {}]}},',
];

function hostileText(r: () => number): string {
  const seed = SEEDS[Math.floor(r() * SEEDS.length)] as string;
  const at = seed.indexOf('{') + 1;
  const ingredient = (HOSTILE[Math.floor(r() * HOSTILE.length)] as (r: () => number) => string)(r);
  const text = ingredient === '\uFEFF' ? ingredient + seed : seed.slice(0, at) + ingredient + seed.slice(at);
  return r() < 0.5 ? text : mutate(text, r);
}

const COMMANDS = [['validate'], ['validate', '--strict', '--json'], ['read', '--substitute'], ['report'], ['features-order', '--json']];
const STACK_TRACE = /\n\s+at .+[(:]\d+|Maximum call stack|RangeError|TypeError|out of memory/;

describe('fuzz: the CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dck-fuzz-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('2,000 seeded mutations in-process, every command: exit 0, 1 or 2, never a stack trace', async () => {
    const r = rng(20261201);
    const codes = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const text = hostileText(r);
      const file = join(dir, `f${i % 16}.json`);
      await writeFile(file, text);
      let out = '';
      const argv = [...(COMMANDS[i % COMMANDS.length] as string[]), file];
      const code = await runCli(argv, { stdout: (x) => (out += x), stderr: (x) => (out += x), cwd: dir, env: {} });
      codes.add(code);
      expect([0, 1, 2], `case ${i}: ${argv.join(' ')}`).toContain(code);
      expect(out, `case ${i}: ${argv.join(' ')}`).not.toMatch(STACK_TRACE);
    }
    expect(codes.has(0) && codes.has(1)).toBe(true);
  }, 120_000);

  it('every hostile ingredient through every command as a process (256 MB heap, 30 s each): exit 0, 1 or 2, never a stack trace', async () => {
    const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    // The moon `test` task depends on `build`; tests never build themselves.
    if (!existsSync(bin)) throw new Error('dist/ is missing: build first (npx moon run devcontainer-config:build, or npx tsup)');
    for (let i = 0; i < HOSTILE.length * COMMANDS.length; i++) {
      const file = join(dir, `p${i}.json`);
      // The biggest size of each ingredient, unmutated: these cases are about size and depth.
      const ingredient = (HOSTILE[i % HOSTILE.length] as (r: () => number) => string)(() => 0.999);
      await writeFile(
        file,
        `${ingredient === '\uFEFF' ? ingredient : ''}{"image": "x", ${ingredient === '\uFEFF' ? '' : ingredient} "name": "n"}`,
      );
      const argv = [...(COMMANDS[Math.floor(i / HOSTILE.length)] as string[]), file];
      const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
        execFile('node', ['--max-old-space-size=256', bin, ...argv], { timeout: 30_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: `${stdout}${stderr}` }),
        );
      });
      expect([0, 1, 2], `process ${i}: ${argv.join(' ')}: ${result.out.slice(-300)}`).toContain(result.code);
      expect(result.out, `process ${i}`).not.toMatch(STACK_TRACE);
    }
  }, 240_000);
});
