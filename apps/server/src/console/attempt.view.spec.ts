import { attemptView, attemptViews, bodyView, indentXml, nextAttemptView, statusText, type AttemptJson, type BatchFacts } from './attempt.view';
import { renderPage } from './console.views';
import { storedAttempt } from '../engine/attempt.recorder';

const http = (over: Partial<AttemptJson> = {}): AttemptJson => ({
  at: '2026-12-11T09:30:00.000Z',
  durationMs: 42,
  request: { method: 'POST', url: 'https://buyer.example/leads', headers: { 'content-type': 'application/json' }, body: '{"contact":{"email":"ann@example.com"}}' },
  response: { status: 503, headers: { 'content-type': 'text/plain' }, body: 'try later', truncated: false },
  outcome: 'retry',
  reason: 'Server error',
  error: null,
  captured: null,
  ...over,
});

describe('attempt view (what the lead page shows of an attempt)', () => {
  it('indents JSON by its content type, with no escaped quotes left', () => {
    expect(bodyView('{"contact":{"email":"ann@example.com","tags":[1,2]}}', 'application/json; charset=utf-8')).toEqual({
      kind: 'json',
      label: 'JSON',
      text: '{\n  "contact": {\n    "email": "ann@example.com",\n    "tags": [\n      1,\n      2\n    ]\n  }\n}',
    });
    expect(bodyView('[1]', 'application/vnd.api+json')).toMatchObject({ kind: 'json', text: '[\n  1\n]' });
  });

  it('indents XML, keeping text, attributes, CDATA, comments and mixed content as they were', () => {
    const xml = '<?xml version="1.0"?><response status="ok" note="a &amp; b &lt; c"><!-- from the buyer --><id>4711</id><msg>Tom &amp; Jerry</msg><raw><![CDATA[<b>x</b>]]></raw><p>mixed <b>bold</b> text</p><empty/></response>';
    expect(bodyView(xml, 'text/xml')).toEqual({
      kind: 'xml',
      label: 'XML',
      text: [
        '<?xml version="1.0"?>',
        '<response status="ok" note="a &amp; b &lt; c">',
        '  <!-- from the buyer -->',
        '  <id>4711</id>',
        '  <msg>Tom &amp; Jerry</msg>',
        '  <raw><![CDATA[<b>x</b>]]></raw>',
        '  <p>mixed <b>bold</b> text</p>',
        '  <empty/>',
        '</response>',
      ].join('\n'),
    });
    // Already indented: the same indentation again, prefixes kept.
    expect(indentXml('<a:r xmlns:a="urn:x">\n    <a:b>1</a:b>\n</a:r>')).toBe('<a:r xmlns:a="urn:x">\n  <a:b>1</a:b>\n</a:r>');
    // Entities, a `>` in an attribute and a DOCTYPE with its subset stay exactly as written.
    expect(indentXml('<!DOCTYPE r [<!ENTITY e "x">]><r><n q="a>b">Ann &quot;Annie&quot; &#233;</n><m>  kept  </m></r>')).toBe(
      '<!DOCTYPE r [<!ENTITY e "x">]>\n<r>\n  <n q="a>b">Ann &quot;Annie&quot; &#233;</n>\n  <m>  kept  </m>\n</r>',
    );
  });

  it('shows a form body as name/value pairs, decoded, repeated names kept, a bad escape as written', () => {
    expect(bodyView('email=ann%40example.com&name=Ann+Lee&tag=a&tag=b&odd=100%', 'application/x-www-form-urlencoded')).toEqual({
      kind: 'form',
      label: 'form',
      pairs: [
        { name: 'email', value: 'ann@example.com' },
        { name: 'name', value: 'Ann Lee' },
        { name: 'tag', value: 'a' },
        { name: 'tag', value: 'b' },
        { name: 'odd', value: '100%' },
      ],
    });
  });

  it('shows any other type as text, and recognises JSON or XML only when no type is given', () => {
    expect(bodyView('{"a":1}', 'text/plain')).toEqual({ kind: 'text', label: 'text', text: '{"a":1}' });
    expect(bodyView('{"a":1}', undefined)).toMatchObject({ kind: 'json', text: '{\n  "a": 1\n}' });
    expect(bodyView('<a><b/></a>', undefined)).toMatchObject({ kind: 'xml', text: '<a>\n  <b/>\n</a>' });
    expect(bodyView('<p>Hi</p> there', 'text/html')).toEqual({ kind: 'text', label: 'text', text: '<p>Hi</p> there' });
    expect(bodyView('', 'application/json')).toBeUndefined();
    expect(bodyView(undefined, 'application/json')).toBeUndefined();
  });

  it('never throws on a malformed body: text, with a note saying it is not its type', () => {
    const cut = '{"contact":{"email":"ann@exa…[cut]';
    expect(bodyView(cut, 'application/json')).toEqual({ kind: 'text', label: 'text', text: cut, note: 'not valid JSON: shown as it is' });
    for (const bad of ['<a><b></a>', '<a>', '<a></a><b></b>', 'plain words', '<a x="1" x="2"/>', '<a>&</a>']) {
      expect(bodyView(bad, 'application/xml')).toEqual({ kind: 'text', label: 'text', text: bad, note: 'not well-formed XML: shown as it is' });
    }
    // Without a type, what only looks like JSON or XML is plain text, with no note.
    expect(bodyView('{not json', undefined)).toEqual({ kind: 'text', label: 'text', text: '{not json' });
    expect(bodyView('<oops', undefined)).toEqual({ kind: 'text', label: 'text', text: '<oops' });
  });

  it('marks a redacted header, as the recorder stores it, without its value', () => {
    const stored = storedAttempt({
      at: new Date(0),
      durationMs: 5,
      outcome: 'delivered',
      secrets: [],
      result: {
        outcome: 'delivered',
        request: { method: 'POST', url: 'https://buyer.example/in', headers: { Authorization: 'Bearer tok-abcdef', 'X-Source': 'web' } },
        response: { status: 200, headers: { 'set-cookie': 'sid=1', 'content-type': 'application/json' }, body: '{}' },
      },
    });
    const view = attemptView(JSON.parse(JSON.stringify(stored)), 0);
    expect(view.request!.headers).toEqual([
      { name: 'Authorization', value: '', redacted: true },
      { name: 'X-Source', value: 'web', redacted: false },
    ]);
    expect(view.response!.headers).toEqual([
      { name: 'set-cookie', value: '', redacted: true },
      { name: 'content-type', value: 'application/json', redacted: false },
    ]);
  });

  it('puts the status code and its text, the duration and the outcome in the heading', () => {
    const view = attemptView(http(), 1);
    expect(view).toMatchObject({ number: 2, at: '2026-12-11T09:30:00.000Z', answer: '503 Service Unavailable', duration: '42 ms', outcome: 'retry', reason: 'Server error', error: null });
    expect(view.request).toMatchObject({ line: 'POST https://buyer.example/leads', body: { kind: 'json' }, cut: false });
    expect(view.response).toMatchObject({ line: '503 Service Unavailable', body: { kind: 'text', text: 'try later' }, cut: false });
    expect(statusText(418, 'http://x')).toBe("418 I'm a Teapot");
    expect(statusText(299, 'http://x')).toBe('299');
    // Another protocol's code is not given HTTP's words: an SMTP 250 is not "250 undefined".
    expect(statusText(250, 'mailto:ops@example.com')).toBe('250');
    expect(attemptView(http({ response: { status: 200, headers: {}, body: 'x'.repeat(10), truncated: true } }), 0).response!.cut).toBe(true);
  });

  it('shows the transport error when there was no response: in the heading, in full below when long', () => {
    const refused = attemptView(http({ response: null, outcome: 'retry', reason: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9', error: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' }), 0);
    expect(refused).toMatchObject({ answer: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9', error: null, reason: null });
    expect(refused.response).toBeUndefined();
    const long = `tls: ${'certificate chain problem '.repeat(10)}`;
    const view = attemptView(http({ response: null, error: long, reason: null }), 0);
    expect(view.answer).toBe(`${long.slice(0, 100)}…`);
    expect(view.error).toBe(long);
  });

  it('says what a batch attempt was: a manual download, or a batch send through its plugin', () => {
    const batch: BatchFacts = { id: 'b-1', campaign: 'files test', mode: 'on-demand', leadCount: 2, plugin: 'manual-file' };
    const download = attemptView(http({ request: null, response: null, outcome: 'delivered', reason: 'manual delivery of 2 lead(s)', durationMs: 0, batch: 'b-1' }), 0, batch);
    expect(download).toMatchObject({ batch: { id: 'b-1', href: '/console/campaigns/files%20test/batches', sentence: 'Manual download: 2 leads in batch' }, reason: null, duration: null });
    const mailed = attemptView(
      http({ request: { method: 'EMAIL', url: 'mailto:ops@example.com', headers: {}, body: 'Batch b-2' }, response: { status: 250, headers: {}, body: '250 OK' }, outcome: 'delivered', reason: null, batch: 'b-2' }),
      0,
      { id: 'b-2', campaign: 'c', mode: 'scheduled', leadCount: 1, plugin: 'email' },
    );
    expect(mailed).toMatchObject({ answer: '250', batch: { sentence: 'Scheduled send (email): 1 lead in batch' }, duration: '42 ms' });
    const views = attemptViews([http(), http({ batch: 'b-1' })], new Map([['b-1', batch]]));
    expect(views.map((v) => [v.number, v.last, v.batch?.id])).toEqual([
      [1, false, undefined],
      [2, true, 'b-1'],
    ]);
  });

  it('says when a pending dispatch tries next and what holds it, and nothing once it is final', () => {
    const at = '2026-12-11T10:00:00.000Z';
    const pending = (heldBy: string | null, nextAttemptAt: string | null = at, batch: string | null = null) => ({ status: 'pending', heldBy, nextAttemptAt, batch });
    expect(nextAttemptView(pending('retry'), 'realtime')).toEqual({ at, when: 'when the hold ends', heldBy: 'retry', why: expect.stringContaining('retry delay') });
    for (const [by, words] of [['cap', 'cap'], ['hours', 'delivery hours'], ['rate', 'rate limit'], ['breaker', 'breaker'], ['paused', 'paused']]) {
      expect(nextAttemptView(pending(by), 'realtime')!.why).toContain(words);
    }
    expect(nextAttemptView(pending('paused', null), 'realtime')).toMatchObject({ at: null, when: 'when the hold ends' });
    expect(nextAttemptView(pending(null, null), 'realtime')).toEqual({ at: null, when: 'now (it is queued)', heldBy: null });
    expect(nextAttemptView(pending(null, null), 'scheduled')!.when).toBe('with the next scheduled batch');
    expect(nextAttemptView(pending(null, null), 'on-demand')!.when).toBe('with the next manual delivery');
    expect(nextAttemptView(pending(null, null, 'b-1'), 'scheduled')!.when).toBe('when its batch is sent');
    expect(nextAttemptView({ status: 'delivered', heldBy: null, nextAttemptAt: null, batch: null }, 'realtime')).toBeUndefined();
  });

  it('escapes every value of a body, header and line on the page', () => {
    const evil = '<script>alert(1)</script>';
    const view = attemptView(
      http({
        request: { method: 'POST', url: `https://buyer.example/?q=${evil}`, headers: { 'x-note': evil, 'content-type': 'application/x-www-form-urlencoded' }, body: `name=${encodeURIComponent(evil)}` },
        response: { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: evil }) },
      }),
      0,
      undefined,
      true,
    );
    const html = renderPage('lead', 'Lead', {
      lead: { id: 'l-1', campaign: 'c', dispatches: [{ delivery: 'buyer', status: 'pending', attempts: [view], next: nextAttemptView({ status: 'pending', heldBy: 'retry', nextAttemptAt: '2026-12-11T10:00:00.000Z', batch: null }, 'realtime') }] },
      campaign: { name: 'C' },
      fields: [],
      summary: 'Lead',
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(/Next attempt at .*? — held by <strong>retry<\/strong>: the last attempt asked for another try/);
    expect(html).toContain('<span class="answer">400 Bad Request</span>');
  });
});
