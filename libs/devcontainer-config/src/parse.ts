import { findNodeAtLocation, getNodeValue, type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import { findExcessiveNesting, MAX_NESTING_DEPTH } from './nesting.js';
import { limitProblems, PROBLEM_LIMIT } from './problem.js';
import { LineIndex } from './source-text.js';
import type { DevcontainerConfig, JsonPath, Problem, ProblemCode, Severity, SourceLocation } from './types.js';

export type { Node as JsonNode } from 'jsonc-parser';

export interface ParseOptions {
  /** The file name used in problems (default `devcontainer.json`). */
  file?: string;
}

/** Source positions of every value (and property key) of a parsed document. */
export interface SourcePositions {
  /** Where the value at `path` starts; undefined when there is no such value. */
  get(path: JsonPath): SourceLocation | undefined;
  /** Where the property key of `path` starts (falls back to the value). */
  key(path: JsonPath): SourceLocation | undefined;
  /** The closest existing value at or above `path` (the root when nothing matches). */
  nearest(path: JsonPath): SourceLocation;
  /** 1-based location of an offset. */
  locate(offset: number, length?: number): SourceLocation;
}

export interface ParseResult {
  file: string;
  text: string;
  /** The document as a plain object; undefined when the text has no JSON value at all. */
  config: DevcontainerConfig | undefined;
  /** Syntax problems (never dropped). */
  problems: Problem[];
  positions: SourcePositions;
  /** The jsonc-parser syntax tree (for validators). */
  tree: Node | undefined;
}

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true } as const;

/** Parse a JSONC document, keeping positions and every syntax error. */
export function parseJsonc(text: string, { file = 'devcontainer.json' }: ParseOptions = {}): ParseResult {
  const lines = new LineIndex(text);
  const tooDeep = findExcessiveNesting(text);
  if (tooDeep !== undefined) {
    // Nothing recursive runs on such a text: no tree, one positioned error.
    const problem = mkProblem(
      file,
      lines.locate(tooDeep, 1),
      'error',
      'nesting-too-deep',
      `objects and arrays are nested more than ${MAX_NESTING_DEPTH} levels deep here; the file is not read further`,
    );
    return new LazyParseResult(file, text, [problem], createPositions(undefined, lines), undefined);
  }
  // A UTF-8 byte order mark is not JSON, but editors write it and the devcontainer CLI reads past it: blank it out
  // (same length, so every offset still points into `text`).
  const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const errors: ParseError[] = [];
  const tree = parseTree(source, errors, PARSE_OPTIONS);
  let problems: Problem[] = [];
  for (const e of errors.length > PROBLEM_LIMIT ? errors.slice(0, PROBLEM_LIMIT + 1) : errors) {
    const loc = lines.locate(e.offset, e.length);
    problems.push(mkProblem(file, loc, 'error', 'json-syntax', describeParseError(printParseErrorCode(e.error))));
  }
  if (errors.length > PROBLEM_LIMIT)
    problems = limitProblems(problems, { alreadyHidden: { error: errors.length - PROBLEM_LIMIT - 1, warning: 0 } });
  if (tree === undefined && errors.length === 0)
    problems.push(mkProblem(file, lines.locate(0), 'error', 'empty-file', 'the file has no JSON value'));
  return new LazyParseResult(file, text, problems, createPositions(tree, lines), tree);
}

/** A parse result whose plain value is built on first access (validation works on the tree and does not need it). */
class LazyParseResult implements ParseResult {
  private value: DevcontainerConfig | undefined;
  private built: boolean;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly problems: Problem[],
    readonly positions: SourcePositions,
    readonly tree: Node | undefined,
  ) {
    this.built = tree === undefined;
  }

  get config(): DevcontainerConfig | undefined {
    if (!this.built) {
      this.value = getNodeValue(this.tree as Node) as DevcontainerConfig;
      this.built = true;
    }
    return this.value;
  }

  set config(v: DevcontainerConfig | undefined) {
    this.value = v;
    this.built = true;
  }
}

/** Parse a devcontainer.json (JSONC). The config is undefined when the root is missing or not an object. */
export function parseDevcontainer(text: string, options: ParseOptions = {}): ParseResult {
  const result = parseJsonc(text, options);
  if (result.tree !== undefined && result.tree.type !== 'object') {
    result.problems.push(
      mkProblem(
        result.file,
        result.positions.locate(result.tree.offset),
        'error',
        'root-not-object',
        `the top level must be an object, found ${nodeTypeName(result.tree)}`,
      ),
    );
    result.config = undefined;
  }
  return result;
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'invalid symbol',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'property name expected',
    ValueExpected: 'value expected',
    ColonExpected: 'colon expected',
    CommaExpected: 'comma expected',
    CloseBraceExpected: 'closing brace "}" expected',
    CloseBracketExpected: 'closing bracket "]" expected',
    EndOfFileExpected: 'end of file expected',
    InvalidCommentToken: 'invalid comment',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character',
  };
  return `${words[code] ?? code} (${code})`;
}

export function nodeTypeName(node: Node): string {
  if (node.type === 'number') return Number.isInteger(node.value) ? 'integer' : 'number';
  return node.type;
}

export function mkProblem(file: string, loc: SourceLocation, severity: Severity, code: ProblemCode, message: string): Problem {
  return { code, severity, message, file, line: loc.line, column: loc.column };
}

function createPositions(tree: Node | undefined, lines: LineIndex): SourcePositions {
  const find = (path: JsonPath): Node | undefined =>
    tree === undefined ? undefined : findNodeAtLocation(tree, path as (string | number)[]);
  return {
    get(path) {
      const n = find(path);
      return n === undefined ? undefined : lines.locate(n.offset, n.length);
    },
    key(path) {
      const n = find(path);
      if (n === undefined) return undefined;
      const k = n.parent?.type === 'property' ? n.parent.children?.[0] : undefined;
      return k === undefined ? lines.locate(n.offset, n.length) : lines.locate(k.offset, k.length);
    },
    nearest(path) {
      for (let i = path.length; i >= 0; i--) {
        const n = find(path.slice(0, i));
        if (n !== undefined) return lines.locate(n.offset, n.length);
      }
      return lines.locate(0);
    },
    locate: (offset, length = 0) => lines.locate(offset, length),
  };
}
