import type { TemplateEscape } from '@leadrelay/sdk/plugin';
import { TemplateError, timeZoneProblem, unknownName } from '@leadrelay/sdk/plugin';
import { BUILT_IN_BLOCK_HELPERS, TEMPLATE_HELPER_NAMES, escapeHelperName } from './template-helper.registry';

type Node = { type: string; loc?: { start: { line: number; column: number } } };
type Path = Node & { type: 'PathExpression'; data: boolean; depth: number; parts: string[]; original: string };
type Hash = { pairs: { key: string; value: Node }[] };
type Call = Node & { path: Node; params: Node[]; hash?: Hash };
type Program = Node & { body: Node[]; blockParams?: string[] };
type Block = Call & { program?: Program; inverse?: Program };
type Mustache = Call & { escaped: boolean };

/** Whether a path is resolved against the lead (the template's top) or against an `each`/`with` item. */
interface Scope {
  top: boolean;
  blockParams: readonly string[];
}

// Prototype access is also off at run time; refusing the names here makes a template that tries
// fail at load, with a position, instead of rendering nothing.
const FORBIDDEN = new Set(['constructor', 'prototype', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toString', 'valueOf', 'toLocaleString']);
const EACH_DATA = new Set(['index', 'key', 'first', 'last']);
const HELPERS = new Set(TEMPLATE_HELPER_NAMES);
const BLOCK_HELPERS = new Set<string>(BUILT_IN_BLOCK_HELPERS);

export interface TemplateCheck {
  name: string;
  escape: TemplateEscape;
  variables: ReadonlySet<string>;
  /** Maps a parsed node's position back to the source the author wrote. */
  position(line: number, column: number): { line: number; column: number };
}

/**
 * Checks a parsed template against what a lead can give it (variables, helpers, no partials) and
 * routes every plain `{{…}}` through the escape helper of the template's language: Handlebars'
 * own escaping is HTML-only and shared by every instance.
 */
export function checkTemplate(program: Program, check: TemplateCheck): void {
  new TemplateChecker(check).program(program, [{ top: true, blockParams: [] }]);
}

class TemplateChecker {
  constructor(private readonly check: TemplateCheck) {}

  program(program: Program, scopes: Scope[]): void {
    for (const statement of program.body) this.statement(statement, scopes);
  }

  private statement(node: Node, scopes: Scope[]): void {
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.mustache(node as Mustache, scopes);
      case 'BlockStatement':
        return this.block(node as Block, scopes);
      case 'PartialStatement':
      case 'PartialBlockStatement':
        throw this.error('partials are not supported', node);
      default:
        throw this.error(`${node.type.replace(/Statement|Block$/, '').toLowerCase() || 'this'} is not supported`, node);
    }
  }

  private mustache(node: Mustache, scopes: Scope[]): void {
    if (node.path.type !== 'PathExpression') node.path = literalAsPath(node.path);
    const path = node.path as Path;
    const hasArguments = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    if (!hasArguments && isSimple(path) && BLOCK_HELPERS.has(path.parts[0])) {
      throw this.error(`'${path.parts[0]}' opens a block: write {{#${path.parts[0]} …}}…{{/${path.parts[0]}}}`, node);
    }
    if (!hasArguments && isSimple(path) && HELPERS.has(path.parts[0]) && this.check.variables.has(path.parts[0])) {
      // A field named like a helper (`date`, `default`): without arguments it means the field.
      path.original = `this.${path.original}`;
    }
    const call = hasArguments || (isSimple(path) && HELPERS.has(path.parts[0]));
    if (call) this.helperCall(node, scopes);
    else this.path(path, scopes);
    if (!node.escaped) return;
    const value: Node = call ? ({ type: 'SubExpression', path, params: node.params, hash: node.hash, loc: node.loc } as Call) : path;
    const helper = escapeHelperName(this.check.escape);
    node.path = { type: 'PathExpression', data: false, depth: 0, parts: [helper], original: helper, loc: node.loc } as Path;
    node.params = [value];
    node.hash = undefined;
    node.escaped = false;
  }

  private block(node: Block, scopes: Scope[]): void {
    const path = node.path as Path;
    const name = path.parts?.[0];
    if (node.path.type !== 'PathExpression' || !isSimple(path) || !BLOCK_HELPERS.has(name)) {
      throw this.error(`'${path.original ?? name}' cannot open a block (use if, unless, each or with)`, node);
    }
    if (node.params.length !== 1) throw this.error(`#${name} takes exactly one value`, node);
    this.arguments(node, scopes);
    const changesContext = name === 'each' || name === 'with';
    if (node.program) {
      this.program(node.program, changesContext ? [...scopes, { top: false, blockParams: node.program.blockParams ?? [] }] : scopes);
    }
    if (node.inverse) this.program(node.inverse, scopes);
  }

  private helperCall(node: Call, scopes: Scope[]): void {
    const path = node.path as Path;
    const name = path.parts?.[0];
    if (node.path.type !== 'PathExpression' || !isSimple(path) || !HELPERS.has(name)) {
      throw this.error(unknownName('helper', path.original ?? name, [...HELPERS]), node);
    }
    this.arguments(node, scopes);
    if (name === 'date') this.dateArguments(node);
  }

  private arguments(node: Call, scopes: Scope[]): void {
    for (const param of node.params) this.expression(param, scopes);
    for (const pair of node.hash?.pairs ?? []) this.expression(pair.value, scopes);
  }

  private expression(node: Node, scopes: Scope[]): void {
    if (node.type === 'PathExpression') this.path(node as Path, scopes);
    else if (node.type === 'SubExpression') this.helperCall(node as Call, scopes);
    // literals need no check
  }

  private dateArguments(node: Call): void {
    const zone = node.params[2] ?? node.hash?.pairs.find((p) => p.key === 'tz')?.value;
    const problem = zone?.type === 'StringLiteral' ? timeZoneProblem((zone as Node & { value: string }).value) : undefined;
    if (problem) throw this.error(problem, zone!);
  }

  private path(path: Path, scopes: Scope[]): void {
    const bad = path.parts.find((part) => FORBIDDEN.has(part) || part.startsWith('__'));
    if (bad !== undefined) throw this.error(`'${bad}' cannot be used in a template`, path);
    if (path.data) return this.dataPath(path, scopes);
    const index = scopes.length - 1 - path.depth;
    if (index < 0) throw this.error(`'${path.original}' goes above the top of the template`, path);
    const scope = scopes[index];
    const head = path.parts[0];
    if (head === undefined) return; // `this` / `.`
    if (path.depth === 0 && !path.original.startsWith('this') && scopes.some((s) => s.blockParams.includes(head))) return;
    if (scope.top && !this.check.variables.has(head)) throw this.error(this.unknownVariable(head), path);
  }

  private dataPath(path: Path, scopes: Scope[]): void {
    const [head, next] = path.parts;
    if (head === 'root') {
      if (next !== undefined && !this.check.variables.has(next)) throw this.error(this.unknownVariable(next), path);
      return;
    }
    if (EACH_DATA.has(head) && scopes.some((s) => !s.top)) return;
    throw this.error(`unknown data variable '@${path.parts.join('.')}'`, path);
  }

  /** Names the variables there are, and the one probably meant. */
  private unknownVariable(name: string): string {
    return unknownName('variable', name, [...this.check.variables]);
  }

  private error(message: string, node: Node): TemplateError {
    if (!node.loc) return new TemplateError(message, this.check.name);
    const { line, column } = this.check.position(node.loc.start.line, node.loc.start.column + 1);
    return new TemplateError(`${message} (line ${line}, column ${column})`, this.check.name, line, column);
  }
}

function isSimple(path: Path): boolean {
  return !path.data && path.depth === 0 && path.parts.length === 1 && !/^(this|\.)/.test(path.original);
}

/** Handlebars reads `{{"first name"}}` as the value named by the literal. */
function literalAsPath(node: Node): Path {
  const name = String((node as Node & { value?: unknown }).value ?? (node as Node & { original?: unknown }).original);
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc: node.loc } as Path;
}
