import { DOMParser } from '@xmldom/xmldom';
import { TemplateError } from '@leadrelay/sdk/plugin';
import { HandlebarsTemplateEngine, checkRenderedBody } from '.';

const NASTY = [
  'plain',
  'quote " and \'apostrophe\'',
  'back\\slash \\" \\\\',
  'line one\nline two\r\nline three\rend',
  '</x> <![CDATA[ ]]> &amp; <script>alert(1)</script>',
  'tab\there',
  'controls \u0000\u0001\u0008\u000b\u000c\u001f\u007f',
  'emoji 😀 👩‍👩‍👧 and \u2028\u2029\u0085',
  '{{not a template}} }}} {"a":1}',
  '',
];

const engine = new HandlebarsTemplateEngine({ now: () => new Date('2024-03-05T14:07:09.123Z') });
const compile = (source: string, escape: 'json' | 'xml' | 'html' | 'url' | 'text', variables = ['first_name', 'note', 'zip', 'state', 'age']) =>
  engine.compile(source, { name: 'acme-crm body', escape, variables });

describe('HandlebarsTemplateEngine — json', () => {
  it.each(NASTY)('yields JSON that parses to the exact value: %j', (value) => {
    const template = compile('{"quoted": "{{note}}", "literal": {{json note}}, "nested": {"deep": [{{json note}}, "{{note}}"]}}', 'json');
    const body = template.render({ note: value });
    expect(checkRenderedBody('json', body, 'acme-crm body')).toBeNull();
    expect(JSON.parse(body)).toEqual({ quoted: value, literal: value, nested: { deep: [value, value] } });
  });

  it('compiles the docs/campaigns.md example, whose `}}}` ends both a value and the object', () => {
    const template = compile('{"name": {{json first_name}}, "zip": {{json zip}}}', 'json');
    expect(JSON.parse(template.render({ first_name: 'Ann "Jr"', zip: '78701' }))).toEqual({ name: 'Ann "Jr"', zip: '78701' });
    const nested = compile('{"a": {"b": {"c": {{json zip}}}}}', 'json');
    expect(JSON.parse(nested.render({ zip: null }))).toEqual({ a: { b: { c: null } } });
    const braces = compile('{"a": {{json (default zip "}}}")}}}', 'json');
    expect(JSON.parse(braces.render({ zip: '' }))).toEqual({ a: '}}}' });
  });

  it('writes numbers, booleans and missing values as JSON literals with the json helper', () => {
    const template = compile('{"age": {{json age}}, "zip": {{json zip}}, "state": {{json state}}, "note": "{{note}}"}', 'json');
    expect(JSON.parse(template.render({ age: 42, zip: true, note: null }))).toEqual({ age: 42, zip: true, state: null, note: '' });
  });

  it('lets a raw {{{value}}} break the body, and checkRenderedBody says where', () => {
    const template = compile('{\n  "name": "{{{first_name}}}"\n}', 'json');
    const error = checkRenderedBody('json', template.render({ first_name: 'a"b' }), 'acme-crm body');
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({ template: 'acme-crm body', line: 2, column: 14 });
    expect(error!.message).toContain("'acme-crm body'");
    expect(error!.message).toContain('line 2, column 14');
  });
});

describe('HandlebarsTemplateEngine — xml', () => {
  const xmlForbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

  it.each(NASTY)('yields XML whose text and attributes parse back exactly: %j', (value) => {
    const template = compile('<?xml version="1.0"?>\n<lead note="{{note}}"><note>{{note}}</note><again>{{xml note}}</again></lead>', 'xml');
    const body = template.render({ note: value });
    expect(checkRenderedBody('xml', body, 'acme-crm body')).toBeNull();
    const doc = new DOMParser({ onError: (level, message) => { throw new Error(`${level}: ${message}`); } }).parseFromString(body, 'text/xml');
    const lead = doc.documentElement!;
    // XML 1.0 cannot carry most C0 controls at all, not even as references: they are dropped.
    const expected = value.replace(xmlForbidden, '');
    expect(lead.getAttribute('note')).toBe(expected);
    expect(lead.getElementsByTagName('note')[0].textContent).toBe(expected);
    expect(lead.getElementsByTagName('again')[0].textContent).toBe(expected);
  });

  it('reports malformed rendered XML with its position', () => {
    const error = checkRenderedBody('xml', '<lead>\n  <name>x</nam>\n</lead>', 'acme-crm body');
    expect(error).toMatchObject({ template: 'acme-crm body', line: 2 });
    expect(error!.message).toMatch(/acme-crm body.*line 2/);
  });
});

describe('HandlebarsTemplateEngine — other escapes', () => {
  it('escapes for HTML', () => {
    expect(compile('<p title="{{note}}">{{note}}</p>', 'html').render({ note: `<b>"Tom" & 'Jerry'</b>` })).toBe(
      '<p title="&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;">&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;</p>',
    );
  });

  it('percent-encodes URL values, helpers included', () => {
    const template = compile('{{note}}|{{json note}}|{{upper note}}', 'url');
    expect(template.render({ note: 'a b&c=d/é?\uD800' })).toBe(
      `${encodeURIComponent('a b&c=d/é?\uFFFD')}|${encodeURIComponent('"a b&c=d/é?\\ud800"')}|${encodeURIComponent('A B&C=D/É?\uFFFD')}`,
    );
  });

  it('writes text as is', () => {
    expect(compile('Name: {{note}}', 'text').render({ note: '<"&">' })).toBe('Name: <"&">');
  });
});

describe('HandlebarsTemplateEngine — compile-time checks', () => {
  const compileError = (source: string) => {
    try {
      compile(source, 'json');
    } catch (error) {
      return error as TemplateError;
    }
    throw new Error(`compiled: ${source}`);
  };

  it('refuses an unknown variable, naming the template and where it is', () => {
    const error = compileError('{\n  "zip": "{{zipp}}"\n}');
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({ template: 'acme-crm body', line: 2, column: 13 });
    expect(error.message).toBe("unknown variable 'zipp' (variables: first_name, note, zip, state, age); did you mean 'zip'? (line 2, column 13)");
  });

  it('keeps columns right after a `}}}` on the same line', () => {
    expect(compileError('{"a": {"b": {{json zip}}}, "c": {{json zipp}}}')).toMatchObject({ line: 1, column: 40 });
  });

  it('checks variables inside helpers, sub-expressions and blocks, not literal arguments', () => {
    expect(() => compile('{{#if (eq state "TX")}}{{upper (default note "none")}}{{/if}}', 'text')).not.toThrow();
    expect(compileError('{{#if (eq sate "TX")}}x{{/if}}').message).toMatch(/unknown variable 'sate'/);
    expect(compileError('{{default note nope}}').message).toMatch(/unknown variable 'nope'/);
    expect(compileError('{{#unless x}}{{/unless}}').message).toMatch(/unknown variable 'x'/);
    expect(compileError('{{@root.nope}}').message).toMatch(/unknown variable 'nope'/);
  });

  it('refuses unknown helpers, partials and a block opened by a non-block helper', () => {
    expect(compileError('{{shout note}}').message).toMatch(/unknown helper 'shout'/);
    expect(compileError('{{lookup this "constructor"}}').message).toMatch(/unknown helper 'lookup'/);
    expect(compileError('{{log note}}').message).toMatch(/unknown helper 'log'/);
    expect(compileError('{{> header}}').message).toMatch(/partials are not supported/);
    expect(compileError('{{#upper note}}x{{/upper}}').message).toMatch(/cannot open a block/);
    expect(compileError('{{date note "YYYY" "Mars/Olympus"}}').message).toMatch(/unknown time zone/);
  });

  it('reports syntax errors with their line', () => {
    const error = compileError('{\n  "a": {{#if note}}\n}');
    expect(error).toMatchObject({ template: 'acme-crm body', line: 3 });
    expect(error.message).toMatch(/^does not compile/);
  });

  it('blocks prototype access', () => {
    expect(compileError('{{constructor.name}}').message).toMatch(/'constructor' cannot be used/);
    expect(compileError('{{__proto__}}').message).toMatch(/'__proto__' cannot be used/);
    expect(compileError('{{note.constructor}}').message).toMatch(/'constructor' cannot be used/);
    expect(compileError('{{#with note}}{{__proto__.polluted}}{{/with}}').message).toMatch(/'__proto__' cannot be used/);
    expect(compileError('{{#each note}}{{this.constructor.name}}{{/each}}').message).toMatch(/'constructor' cannot be used/);
    // Whatever gets past the check still cannot read inherited properties at run time.
    const inherited = Object.create({ secret: 'from the prototype' }) as object;
    const warn = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(compile('[{{#with note}}{{secret}}{{/with}}]', 'text').render({ note: inherited })).toBe('[]');
    } finally {
      warn.mockRestore();
    }
  });
});

describe('HandlebarsTemplateEngine — helpers', () => {
  const render = (source: string, context: Record<string, unknown>, variables = ['first_name', 'note', 'zip', 'state', 'age', 'received_at', 'date']) =>
    engine.compile(source, { name: 't', escape: 'text', variables }).render(context);

  it('default, upper, lower', () => {
    expect(render('{{default note "n/a"}}|{{default zip "n/a"}}|{{default age 0}}', { note: '', zip: null, age: 7 })).toBe('n/a|n/a|7');
    expect(render('{{upper first_name}} {{lower state}} {{upper zip}}', { first_name: 'ann', state: 'TX', zip: null })).toBe('ANN tx ');
  });

  it('date, in UTC by default or in a named time zone', () => {
    const received_at = new Date('2024-07-04T03:05:09Z');
    expect(render('{{date received_at "YYYY-MM-DD"}}', { received_at })).toBe('2024-07-04');
    expect(render('{{date received_at "MM/DD/YYYY HH:mm:ss"}}', { received_at })).toBe('07/04/2024 03:05:09');
    expect(render('{{date received_at "MM/DD/YYYY h:mm A Z" "America/Chicago"}}', { received_at })).toBe('07/03/2024 10:05 PM -05:00');
    expect(render('{{date received_at "YYYY-MM-DD" tz="Asia/Tokyo"}}', { received_at })).toBe('2024-07-04');
    expect(render('{{date received_at "[on] D/M/YY"}}', { received_at: '2024-01-02T10:00:00+02:00' })).toBe('on 2/1/24');
    // A calendar date has no time of day to move between zones.
    expect(render('{{date note "MM/DD/YYYY" "America/Los_Angeles"}}', { note: '1990-12-31' })).toBe('12/31/1990');
    expect(render('{{date "now" "YYYY-MM-DDTHH:mm:ss.SSS"}}', {})).toBe('2024-03-05T14:07:09.123');
    expect(render('[{{date note "YYYY"}}]', { note: null })).toBe('[]');
    expect(render('{{date note "YYYY"}}', { note: 'not a date' })).toBe('not a date');
  });

  it('eq, ne, and, or, not with if / unless / each / with', () => {
    const source = '{{#if (eq state "TX")}}tx{{else if (and zip (not age))}}zip{{else}}other{{/if}}|{{#unless (or note zip)}}empty{{/unless}}|{{#if (ne age 5)}}not5{{/if}}';
    expect(render(source, { state: 'TX', age: 5 })).toBe('tx|empty|');
    expect(render(source, { state: 'CA', zip: '1', age: 0 })).toBe('zip||not5');
    expect(render(source, { state: 'CA', age: '5', note: 'x' })).toBe('other||');
    expect(render('{{#each note}}{{@index}}={{this}};{{/each}}', { note: ['a', 'b'] })).toBe('0=a;1=b;');
    expect(render('{{#each note as |item|}}{{item}}{{/each}}', { note: ['x', 'y'] })).toBe('xy');
    expect(render('{{#with note}}{{city}} {{../zip}}{{/with}}', { note: { city: 'Austin' }, zip: '78701' })).toBe('Austin 78701');
  });

  it('reads a field named like a helper as the field', () => {
    expect(render('{{date}} / {{date date "MM/DD/YYYY"}}', { date: '2024-02-01' })).toBe('2024-02-01 / 02/01/2024');
  });

  it('keeps instances apart: helpers do not leak into the global Handlebars', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Handlebars = require('handlebars');
    expect(Handlebars.helpers.upper).toBeUndefined();
    expect(Handlebars.helpers.lookup).toBeDefined();
  });
});
