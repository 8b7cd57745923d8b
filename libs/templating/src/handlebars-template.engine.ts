import { checkRenderedBody } from './rendered-body.check';
import Handlebars from 'handlebars';
import { TemplateError, type CompiledTemplate, type TemplateEngine, type TemplateEscape } from '@leadrelay/sdk/plugin';
import { checkTemplate } from './template-ast.check';
import { prepareTemplateSource, type PreparedSource } from './template-source.prepare';
import { BUILT_IN_BLOCK_HELPERS, escapeHelpers, templateHelpers } from './template-helper.registry';

const RUNTIME_OPTIONS = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
} as const;

/**
 * The project's one template renderer. Each engine has its own Handlebars instance, so the helpers
 * registered here never leak into (or from) other code using Handlebars. Templates see only the
 * lead's values: prototype access is off, and the compile-time check refuses anything else.
 */
export class HandlebarsTemplateEngine implements TemplateEngine {
  readonly checkBody = checkRenderedBody;
  private readonly handlebars = Handlebars.create();
  private readonly knownHelpers: Record<string, boolean>;

  /** @param clock the time `{{date "now" …}}` writes */
  constructor(clock: { now(): Date } = { now: () => new Date() }) {
    // `lookup` reads any property by a computed name and `log` writes to the console: neither
    // has a place in a buyer's body.
    this.handlebars.unregisterHelper('lookup');
    this.handlebars.unregisterHelper('log');
    const helpers = { ...templateHelpers(clock), ...escapeHelpers() };
    this.handlebars.registerHelper(helpers);
    this.knownHelpers = {
      ...Object.fromEntries([...Object.keys(helpers), ...BUILT_IN_BLOCK_HELPERS].map((name) => [name, true])),
      lookup: false,
      log: false,
    };
  }

  compile(source: string, options: { name: string; escape: TemplateEscape; variables: readonly string[] }): CompiledTemplate {
    const { name, escape, variables } = options;
    const prepared = prepareTemplateSource(source);
    let program: hbs.AST.Program;
    try {
      program = this.handlebars.parse(prepared.source);
    } catch (error) {
      throw syntaxError(error, name, prepared);
    }
    checkTemplate(program as never, { name, escape, variables: new Set(variables), position: prepared.original });

    let template: HandlebarsTemplateDelegate;
    try {
      template = this.handlebars.compile(program, {
        knownHelpers: this.knownHelpers,
        knownHelpersOnly: true,
        strict: false,
        preventIndent: true,
        data: true,
      });
      // Handlebars compiles on first use; one render with every value missing does it now, so a
      // template that cannot work fails at load time rather than on the first lead.
      template(Object.fromEntries(variables.map((v) => [v, null])), RUNTIME_OPTIONS);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      throw syntaxError(error, name, prepared);
    }
    return { render: (context) => template(context, RUNTIME_OPTIONS) };
  }
}

/** Handlebars' messages span several lines (an excerpt and a caret); keep what says what is wrong. */
function syntaxError(error: { message?: string; lineNumber?: number; column?: number }, name: string, prepared: PreparedSource): TemplateError {
  const message = String(error.message ?? error);
  const lines = message.split('\n').filter((l) => l.trim() !== '' && !/^-*\^$/.test(l));
  const line = error.lineNumber ?? Number(/on line (\d+)/.exec(message)?.[1] ?? NaN);
  const column = error.column !== undefined && error.lineNumber !== undefined ? prepared.original(error.lineNumber, error.column + 1).column : undefined;
  const first = lines[0].replace(/ on line \d+[:.]?/, '').replace(/ - \d+:\d+$/, '');
  // The parser lists every token it could take; what it got says more to a template's author.
  const got = /got '([^']+)'$/.exec(lines.find((l) => l.startsWith('Expecting')) ?? '')?.[1];
  const what = got === undefined ? first : got === 'EOF' ? 'the template ends inside an expression or block' : `unexpected ${got.toLowerCase().replace(/_/g, ' ')}`;
  const where = Number.isNaN(line) ? '' : column !== undefined ? ` (line ${line}, column ${column})` : ` (line ${line})`;
  return new TemplateError(
    `does not compile: ${what}${where}`,
    name,
    Number.isNaN(line) ? undefined : line,
    column,
  );
}
