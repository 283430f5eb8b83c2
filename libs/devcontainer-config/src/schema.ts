import type { Node } from 'jsonc-parser';
import { didYouMeanSuffix } from './did-you-mean.js';
import { nodeTypeName } from './parse.js';
import type { ProblemCode, Severity } from './types.js';

/** A small, fast subset of JSON Schema, checked directly on the syntax tree (so every problem has a position). */
export type Schema =
  | { kind: 'any'; description?: string }
  | { kind: 'string'; enum?: readonly string[]; pattern?: RegExp; format?: string; description?: string; deprecated?: string }
  | { kind: 'boolean'; description?: string; deprecated?: string }
  | { kind: 'number'; integer?: boolean; min?: number; max?: number; description?: string; deprecated?: string }
  | { kind: 'null' }
  | { kind: 'array'; items: Schema; description?: string; deprecated?: string }
  | {
      kind: 'object';
      properties?: Record<string, Schema>;
      /** The same properties as a Map (filled by the S constructors). */
      propMap?: Map<string, Schema>;
      /** Schema of properties not listed (undefined: unknown properties are warned about). */
      additional?: Schema;
      required?: readonly string[];
      description?: string;
      deprecated?: string;
    }
  | { kind: 'union'; of: readonly Schema[]; description?: string; deprecated?: string };

/**
 * Every schema object gets the same fields in the same order, so the checker's property accesses stay monomorphic
 * (measurably faster in V8), and object schemas get a Map of their properties.
 */
function mono(s: Record<string, unknown>): Schema {
  const properties = s.properties as Record<string, Schema> | undefined;
  return {
    kind: s.kind,
    enum: s.enum,
    pattern: s.pattern,
    format: s.format,
    description: s.description,
    deprecated: s.deprecated,
    integer: s.integer,
    min: s.min,
    max: s.max,
    items: s.items,
    properties,
    propMap: properties === undefined ? undefined : new Map(Object.entries(properties)),
    additional: s.additional,
    required: s.required,
    of: s.of,
  } as unknown as Schema;
}

export const S = {
  any: (): Schema => mono({ kind: 'any' }),
  str: (o: Omit<Extract<Schema, { kind: 'string' }>, 'kind'> = {}): Schema => mono({ kind: 'string', ...o }),
  bool: (o: { deprecated?: string } = {}): Schema => mono({ kind: 'boolean', ...o }),
  int: (o: { min?: number; max?: number } = {}): Schema => mono({ kind: 'number', integer: true, ...o }),
  num: (): Schema => mono({ kind: 'number' }),
  nul: (): Schema => mono({ kind: 'null' }),
  arr: (items: Schema, o: { deprecated?: string } = {}): Schema => mono({ kind: 'array', items, ...o }),
  map: (values: Schema): Schema => mono({ kind: 'object', properties: {}, additional: values }),
  obj: (properties: Record<string, Schema>, o: { required?: readonly string[]; additional?: Schema } = {}): Schema =>
    mono({ kind: 'object', properties, ...o }),
  union: (...of: Schema[]): Schema => mono({ kind: 'union', of }),
  deprecated: (s: Schema, note: string): Schema => mono({ ...s, deprecated: note }),
};

export interface SchemaIssue {
  node: Node;
  /** Report at the key of the property instead of its value. */
  atKey?: boolean;
  severity: Severity;
  code: ProblemCode;
  message: string;
}

export function describeSchema(s: Schema): string {
  switch (s.kind) {
    case 'any':
      return 'any value';
    case 'string':
      return s.enum ? `one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` : 'a string';
    case 'boolean':
      return 'a boolean';
    case 'number':
      return s.integer ? 'an integer' : 'a number';
    case 'null':
      return 'null';
    case 'array':
      return `an array of ${plural(s.items)}`;
    case 'object':
      return s.properties && Object.keys(s.properties).length > 0
        ? 'an object'
        : s.additional
          ? `an object of ${plural(s.additional)}`
          : 'an object';
    case 'union':
      return list(uniq(s.of.map(describeSchema)));
  }
}

/** "a, b or c". */
function list(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

/** "strings", "arrays of strings", "(strings or arrays of strings)". */
function plural(s: Schema): string {
  if (s.kind === 'union') return `(${list(uniq(s.of.map(plural)))})`;
  return describeSchema(s)
    .replace(/^an? /, '')
    .replace(/^(string|boolean|integer|number|object|array)\b/, '$1s');
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

function kindOf(node: Node): Schema['kind'] {
  return node.type as Schema['kind'];
}

function matchesKind(s: Schema, node: Node): boolean {
  if (s.kind === 'any') return true;
  if (s.kind === 'union') return s.of.some((x) => matchesKind(x, node));
  if (s.kind === 'number') return node.type === 'number' && (!s.integer || Number.isInteger(node.value));
  return s.kind === kindOf(node);
}

/**
 * `a.b[0].c` from a path stack (built only when a message needs it). Keys that are not plain names — feature ids such
 * as `./dotnet` or `ghcr.io/x/y:1` — are written as `["…"]`, so `features["./dotnet"].additionalVersions` stays readable.
 * The first element may already be a dotted prefix (`customizations.vscode`).
 */
export function pathString(stack: ReadonlyArray<string | number>): string {
  let out = '';
  for (let i = 0; i < stack.length; i++) {
    const p = stack[i] as string | number;
    if (typeof p === 'number') out += `[${p}]`;
    else if (i === 0 && /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*$/.test(p)) out += p;
    else if (/^[A-Za-z_$][\w$-]*$/.test(p)) out += `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

/** Issues kept per walk; beyond it they are only counted (a million bad array items must not mean a million messages). */
export const ISSUE_LIMIT = 1000;

/** Where checkNode puts issues: the first ISSUE_LIMIT in walk order, and counts of the rest. */
export class IssueSink {
  readonly issues: SchemaIssue[] = [];
  readonly hidden = { error: 0, warning: 0 };

  /** False when the issue would be dropped (the caller then skips building its message). */
  wants(): boolean {
    return this.issues.length < ISSUE_LIMIT;
  }

  push(issue: SchemaIssue): void {
    if (this.issues.length < ISSUE_LIMIT) this.issues.push(issue);
    else this.hidden[issue.severity]++;
  }

  drop(severity: Severity): void {
    this.hidden[severity]++;
  }
}

/** Called for every string value met while checking (so callers need no second walk); `stack` is its path. */
export type StringVisitor = (node: Node, stack: ReadonlyArray<string | number>) => void;

let visitString: StringVisitor | undefined;

/**
 * Check `node` against `schema`, appending issues. `path` names node in messages: a dotted prefix plus the stack below it.
 * `onString` sees every string value, including those under `any` schemas and unknown properties.
 */
export function checkNode(
  node: Node,
  schema: Schema,
  path: string,
  out: IssueSink,
  { onString, rootName = 'the config' }: { onString?: StringVisitor; rootName?: string } = {},
): void {
  visitString = onString;
  rootNameInUse = rootName;
  try {
    check(node, schema, path === '' ? [] : [path], out);
  } finally {
    visitString = undefined;
  }
}

/** How messages name the document's top level ("the config", "the feature manifest"). */
let rootNameInUse = 'the config';

function visitAllStrings(node: Node, stack: Array<string | number>): void {
  if (node.type === 'string') (visitString as StringVisitor)(node, stack);
  else if (node.type === 'array') {
    const items = node.children ?? [];
    for (let i = 0; i < items.length; i++) {
      stack.push(i);
      visitAllStrings(items[i] as Node, stack);
      stack.pop();
    }
  } else if (node.type === 'object') {
    for (const p of node.children ?? []) {
      const k = p.children?.[0];
      const v = p.children?.[1];
      if (k === undefined || v === undefined) continue;
      stack.push(k.value as string);
      visitAllStrings(v, stack);
      stack.pop();
    }
  }
}

function typeMismatch(node: Node, schema: Schema, stack: Array<string | number>): SchemaIssue {
  return {
    node,
    severity: 'error',
    code: 'type-mismatch',
    message: `${pathString(stack)} must be ${describeSchema(schema)}, found ${nodeTypeName(node)}`,
  };
}

function check(node: Node, schema: Schema, stack: Array<string | number>, out: IssueSink): void {
  if (schema.kind === 'union') {
    const alt = schema.of.find((x) => matchesKind(x, node));
    if (alt === undefined) {
      if (out.wants()) out.push(typeMismatch(node, schema, stack));
      else out.drop('error');
      return;
    }
    check(node, alt, stack, out);
    return;
  }
  if (schema.kind === 'any') {
    if (visitString) visitAllStrings(node, stack);
    return;
  }
  if (!matchesKind(schema, node)) {
    if (out.wants()) out.push(typeMismatch(node, schema, stack));
    else out.drop('error');
    return;
  }
  switch (schema.kind) {
    case 'string': {
      const v = node.value as string;
      if ((schema.enum || schema.pattern) && !out.wants()) {
        if ((schema.enum && !schema.enum.includes(v)) || (schema.pattern && !schema.pattern.test(v))) out.drop('error');
      } else if (schema.enum && !schema.enum.includes(v)) {
        out.push({
          node,
          severity: 'error',
          code: 'invalid-enum',
          message: `${pathString(stack)} must be ${describeSchema(schema)}, found ${JSON.stringify(v)}${didYouMeanSuffix(v, schema.enum)}`,
        });
      } else if (schema.pattern && !schema.pattern.test(v)) {
        out.push({
          node,
          severity: 'error',
          code: 'invalid-format',
          message: `${pathString(stack)} must be ${schema.format ?? `a string matching ${schema.pattern}`}, found ${JSON.stringify(v)}`,
        });
      }
      if (visitString) visitString(node, stack);
      return;
    }
    case 'number': {
      const v = node.value as number;
      if ((schema.min !== undefined && v < schema.min) || (schema.max !== undefined && v > schema.max)) {
        const range = schema.max === undefined ? `>= ${schema.min}` : `between ${schema.min ?? '-∞'} and ${schema.max}`;
        out.push({ node, severity: 'error', code: 'out-of-range', message: `${pathString(stack)} must be ${range}, found ${v}` });
      }
      return;
    }
    case 'array': {
      const items = node.children ?? [];
      for (let i = 0; i < items.length; i++) {
        stack.push(i);
        check(items[i] as Node, schema.items, stack, out);
        stack.pop();
      }
      return;
    }
    case 'object': {
      checkObject(node, schema, stack, out);
      return;
    }
    default:
      return;
  }
}

function checkObject(node: Node, schema: Extract<Schema, { kind: 'object' }>, stack: Array<string | number>, out: IssueSink): void {
  const props = schema.properties ?? {};
  const propMap = schema.propMap;
  const seen = new Set<string>();
  for (const prop of node.children ?? []) {
    const keyNode = prop.children?.[0];
    const valueNode = prop.children?.[1];
    if (keyNode === undefined) continue;
    const key = keyNode.value as string;
    if (seen.has(key) && !out.wants()) out.drop('warning');
    else if (seen.has(key)) {
      out.push({
        node: keyNode,
        severity: 'warning',
        code: 'duplicate-key',
        message: `duplicate property "${pathString([...stack, key])}": the last one wins`,
      });
    }
    seen.add(key);
    if (valueNode === undefined) continue;
    const sub = (propMap ? propMap.get(key) : Object.hasOwn(props, key) ? props[key] : undefined) ?? schema.additional;
    if (sub === undefined && !out.wants()) out.drop('warning');
    else if (sub === undefined) {
      out.push({
        node: keyNode,
        severity: 'warning',
        code: 'unknown-property',
        message: `unknown property "${pathString([...stack, key])}"${didYouMeanSuffix(key, Object.keys(props))}`,
      });
    }
    if (sub === undefined) {
      if (visitString) {
        stack.push(key);
        visitAllStrings(valueNode, stack);
        stack.pop();
      }
      continue;
    }
    const deprecated = (sub as { deprecated?: string }).deprecated;
    if (deprecated) {
      out.push({
        node: keyNode,
        severity: 'warning',
        code: 'deprecated-property',
        message: `"${pathString([...stack, key])}" is deprecated: ${deprecated}`,
      });
    }
    stack.push(key);
    check(valueNode, sub, stack, out);
    stack.pop();
  }
  for (const r of schema.required ?? []) {
    if (!seen.has(r))
      out.push({
        node,
        severity: 'error',
        code: 'missing-required',
        message: `${stack.length === 0 ? rootNameInUse : pathString(stack)} is missing the required property "${r}"`,
      });
  }
}
