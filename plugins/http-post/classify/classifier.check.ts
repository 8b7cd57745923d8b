import { load } from 'cheerio';
import type { Classifier, ClassifierRule, LeadConduitOptions, OptionProblem, ValueSource } from '@leadrelay/sdk/plugin';
import { asPattern, toPattern } from './search.pattern';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const xpath = require('xpath') as { parse(expression: string): unknown };

type Path = (string | number)[];
type SelectorKind = 'json' | 'xml' | 'html' | 'text';

/**
 * What a classifier's selectors and expressions would do wrong at run time, found at load: an
 * XPath, CSS selector, dot path or regular expression that does not parse selects or matches
 * nothing, silently (docs/campaigns.md › Checking campaign files). `capture` and
 * `cookie_search_term` are checked beside them (leadconduit.capture.ts). Paths are relative to `classify`.
 */
export function selectorProblems(classifier: Classifier): OptionProblem[] {
  switch (classifier.kind) {
    case 'leadconduit':
      return leadConduitProblems(classifier.options);
    case 'rules':
      return classifier.rules.flatMap((rule, i) => ruleProblems(rule, ['rules', i]));
    case 'function':
      return [];
  }
}

const PATH_OPTIONS = ['outcome_search_path', 'reason_path', 'price_path', 'reference_path'] as const;

function leadConduitProblems(options: LeadConduitOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  // A path's language is the answer's content type, known here only when it is overridden. An
  // expression that starts like an XPath is checked as one, unless it is a regular expression: the
  // answer may be text, where LeadConduit reads a path as one (`/cost=([0-9].[0-9])/`, case text-04).
  const kind = kindOf(options.response_content_type_override);
  for (const name of PATH_OPTIONS) {
    const path = options[name]?.trim();
    if (!path) continue;
    const problem = selectorProblem(path, kind ?? (looksLikeXPath(path) && !isPattern(path) ? 'xml' : undefined));
    if (problem) problems.push({ path: [name], message: problem });
  }
  // An `outcome_search_term` that is no valid expression is LeadConduit's own setting, meaning
  // "matches nothing" (case json-07): accepted, so such a buyer moves over as it is.
  return problems;
}

function ruleProblems(rule: ClassifierRule, at: Path): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const add = (path: Path, problem: string | undefined) => problem && problems.push({ path: [...at, ...path], message: problem });
  add(['json', 'path'], rule.json && selectorProblem(rule.json.path, 'json'));
  add(['xpath', 'path'], rule.xpath && selectorProblem(rule.xpath.path, 'xml'));
  add(['body'], rule.body !== undefined ? patternProblem(rule.body) : undefined);
  add(['header', 'matches'], rule.header ? patternProblem(rule.header.matches) : undefined);
  add(['json', 'matches'], rule.json?.matches !== undefined ? patternProblem(rule.json.matches) : undefined);
  add(['xpath', 'matches'], rule.xpath?.matches !== undefined ? patternProblem(rule.xpath.matches) : undefined);
  for (const key of ['reason', 'price', 'reference'] as const) add([key], sourceProblem(rule[key]));
  return problems;
}

function sourceProblem(source: ValueSource | undefined): string | undefined {
  if (source === undefined || typeof source === 'string') return undefined;
  if ('json' in source) return selectorProblem(source.json, 'json');
  if ('xpath' in source) return selectorProblem(source.xpath, 'xml');
  if ('body' in source) return patternProblem(source.body);
  return undefined;
}

function patternProblem(pattern: RegExp | string): string | undefined {
  return asPattern(pattern) === null ? `'${String(pattern)}' is not a valid regular expression` : undefined;
}

/** Why `path` does not parse in the selector language of `kind` (undefined: fine, or not knowable). */
function selectorProblem(path: string, kind: SelectorKind | undefined): string | undefined {
  switch (kind) {
    case 'xml':
      return parses(() => xpath.parse(path.trim())) ? undefined : `'${path}' is not a valid XPath`;
    case 'html': {
      const selector = path.replace(/\s*@[a-z_:][-a-z0-9_:.]*\s*$/i, '').trim();
      return parses(() => load('')(selector)) ? undefined : `'${path}' is not a valid CSS selector`;
    }
    case 'json':
      return /(^|[^\\])\.\.|^\.|(^|[^\\])\.$/.test(path.trim()) ? `'${path}' is not a valid dot path (an empty segment)` : undefined;
    case 'text':
      return toPattern(path.trim(), { ignoreCase: false }) === null ? `'${path}' is not a valid regular expression` : undefined;
    default:
      return undefined;
  }
}

function isPattern(path: string): boolean {
  return toPattern(path, { ignoreCase: false }) !== null;
}

function looksLikeXPath(path: string): boolean {
  return path.startsWith('/') || path.startsWith('(') || path.includes('::');
}

function kindOf(contentType: string | undefined): SelectorKind | undefined {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!mime) return undefined;
  if (mime.endsWith('json')) return 'json';
  if (mime.endsWith('xml')) return 'xml';
  if (mime === 'text/html') return 'html';
  if (mime === 'application/x-www-form-urlencoded') return 'json';
  return 'text';
}

function parses(attempt: () => unknown): boolean {
  try {
    attempt();
    return true;
  } catch {
    return false;
  }
}
