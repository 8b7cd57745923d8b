import { checkRenderedBody } from '.';

describe('checkRenderedBody', () => {
  it('accepts well-formed bodies', () => {
    expect(checkRenderedBody('json', '{"a": [1, -2.5e3, true, null, "\\u00e9\\n"]}', 't')).toBeNull();
    expect(checkRenderedBody('xml', '<?xml version="1.0"?>\n<a b="1"><![CDATA[<x>]]></a>', 't')).toBeNull();
  });

  it.each([
    ['{"a": }', 1, 7],
    ['{\n  "a": 1,\n}', 3, 1],
    ['{"a": "unterminated', 1, 20],
    ['{"a": 1} trailing', 1, 10],
    ['{"a": "bad \u0001 char"}', 1, 12],
    ['{"a": "\\x"}', 1, 9],
    ['[1, 2', 1, 6],
    ['', 1, 1],
    ['{"a": 01}', 1, 8],
  ])('places the JSON error in %j at line %i, column %i', (body, line, column) => {
    const error = checkRenderedBody('json', body, 'acme body');
    expect(error).toMatchObject({ name: 'TemplateError', template: 'acme body', line, column });
    expect(error!.message).toContain(`template 'acme body' rendered invalid JSON at line ${line}, column ${column}`);
  });

  it('places the XML error', () => {
    expect(checkRenderedBody('xml', '<a>\n  <b>x</c>\n</a>', 'acme body')).toMatchObject({ template: 'acme body', line: 2 });
    expect(checkRenderedBody('xml', '<a>AT&T</a>', 'acme body')!.message).toMatch(/rendered invalid XML at line 1/);
  });
});
