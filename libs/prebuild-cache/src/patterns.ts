// Pure: Docker's path patterns — .dockerignore rules (moby/patternmatcher: `**`, `!` exceptions,
// a rule matching a parent directory matches everything below it, the last matching rule wins)
// and COPY/ADD source globs (Go's filepath.Match per path segment).
import { posix } from 'node:path';

/** Converts one pattern to a RegExp over `/`-separated relative paths. */
export function patternToRegExp(pattern: string, { doubleStar }: { doubleStar: boolean }): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (doubleStar && pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Cleans a path or pattern the way Docker does: posix-normalised, no leading `/` or `./`. */
export function cleanPath(p: string): string {
  const cleaned = posix.normalize(p.replace(/\\/g, '/')).replace(/^\/+/, '').replace(/\/+$/, '');
  return cleaned === '' ? '.' : cleaned;
}

export interface IgnoreRule {
  negate: boolean;
  pattern: string;
  regexp: RegExp;
}

/** Parses .dockerignore text. */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    const pattern = cleanPath(line);
    if (!pattern) continue;
    rules.push({ negate, pattern, regexp: patternToRegExp(pattern, { doubleStar: true }) });
  }
  return rules;
}

/** Whether the rules exclude a context-relative path (or one of its parent directories). */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  const parts = cleanPath(path).split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (prefixes.some((p) => rule.regexp.test(p))) ignored = !rule.negate;
  }
  return ignored;
}

/** Whether a COPY/ADD source holds glob characters. */
export function hasGlob(source: string): boolean {
  return /[*?[]/.test(source);
}
