/**
 * Nesting limits for untrusted text. The JSONC parser, the schema walk and every consumer of a parsed value recurse
 * once per level, so a document nested thousands of levels deep would overflow the stack; a linear scan finds such a
 * document before any recursive step runs.
 */

/** Deepest `{`/`[` nesting accepted in devcontainer.json and devcontainer-feature.json (real configs stay below 10). */
export const MAX_NESTING_DEPTH = 256;

/**
 * Offset of the first `{` or `[` that opens level `limit + 1`, or undefined when the text stays within the limit.
 * Strings, line comments and block comments are skipped (JSONC). Linear in the text length, no recursion.
 */
export function findExcessiveNesting(text: string, limit = MAX_NESTING_DEPTH): number | undefined {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      for (i++; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i++;
        else if (c === 0x22 || c === 0x0a || c === 0x0d) break;
      }
    } else if (ch === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      while (i < n && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (ch === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 1;
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      depth++;
      if (depth > limit) return i;
    } else if ((ch === 0x7d /* } */ || ch === 0x5d) /* ] */ && depth > 0) depth--;
  }
  return undefined;
}

/**
 * True when a plain value (parsed JSON, or an object handed to the API) nests objects/arrays deeper than `limit`.
 * An explicit stack: the check itself cannot overflow, and it stops at the first level too deep.
 */
export function isNestedDeeperThan(value: unknown, limit = MAX_NESTING_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
