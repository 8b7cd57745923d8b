import type { BuyerResponse } from '@leadrelay/sdk/plugin';
import { classify } from '.';

/** The default reading is `classify(undefined, …)`: what a delivery without `classify` gets. */
const read = (status: number, body = '', headers: Record<string, string> = {}) => classify(undefined, { status, headers, body });

describe('default classifier (no classify given)', () => {
  it('delivers every 2xx, and only a 2xx', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(read(status, 'whatever')).toEqual({ outcome: 'delivered' });
  });

  it('retries 408, 425, 429 and every 5xx with the status line', () => {
    expect(read(408)).toEqual({ outcome: 'retry', reason: 'HTTP 408 Request Timeout' });
    expect(read(425)).toEqual({ outcome: 'retry', reason: 'HTTP 425 Too Early' });
    expect(read(429, 'slow down')).toEqual({ outcome: 'retry', reason: 'HTTP 429 Too Many Requests' });
    expect(read(500, '<h1>oops</h1>')).toEqual({ outcome: 'retry', reason: 'HTTP 500 Internal Server Error' });
    expect(read(503)).toEqual({ outcome: 'retry', reason: 'HTTP 503 Service Unavailable' });
    expect(read(599)).toEqual({ outcome: 'retry', reason: 'HTTP 599' });
  });

  it('retries transport errors with the same reasons as every classifier', () => {
    const failed = (code: string): BuyerResponse => ({ headers: {}, body: '', error: { code, message: 'x' } });
    expect(classify(undefined, failed('timeout'))).toEqual({ outcome: 'retry', reason: 'Timed out' });
    expect(classify(undefined, failed('refused'))).toEqual({ outcome: 'retry', reason: 'Connection refused' });
    expect(classify(undefined, failed('reset'))).toEqual({ outcome: 'retry', reason: 'Connection reset' });
    expect(classify(undefined, failed('dns'))).toEqual({ outcome: 'retry', reason: 'Host name not found' });
    expect(classify(undefined, failed('tls'))).toEqual({ outcome: 'retry', reason: 'TLS failure' });
  });

  it('rejects a redirect with its Location, or says there was none', () => {
    expect(read(301, '', { location: 'https://new.example/leads' })).toEqual({ outcome: 'rejected', reason: 'HTTP 301 redirect to https://new.example/leads (redirects are not followed)' });
    expect(read(302, 'moved', { Location: '/elsewhere' })).toEqual({ outcome: 'rejected', reason: 'HTTP 302 redirect to /elsewhere (redirects are not followed)' });
    expect(read(307)).toEqual({ outcome: 'rejected', reason: 'HTTP 307 Temporary Redirect without a Location' });
    expect(read(304)).toEqual({ outcome: 'rejected', reason: 'HTTP 304 Not Modified without a Location' });
  });

  it('rejects any other 4xx with the status and the start of the body on one line', () => {
    expect(read(404, 'Not Found')).toEqual({ outcome: 'rejected', reason: 'HTTP 404: Not Found' });
    expect(read(401, '  {\n  "error":\t"Invalid API key"\r\n}\n')).toEqual({ outcome: 'rejected', reason: 'HTTP 401: { "error": "Invalid API key" }' });
    expect(read(422, 'bad\u0000\u0001 zip')).toEqual({ outcome: 'rejected', reason: 'HTTP 422: bad zip' });
    expect(read(403, ' \n ')).toEqual({ outcome: 'rejected', reason: 'HTTP 403 Forbidden' });
    expect(read(499)).toEqual({ outcome: 'rejected', reason: 'HTTP 499' });
  });

  it('cuts a long body at 200 characters, never inside a character', () => {
    const long = read(400, `${'word '.repeat(39)}abcd😀${'x'.repeat(5_000)}`).reason!;
    expect(long).toBe(`HTTP 400: ${'word '.repeat(39)}abcd…`);
    const spaced = read(400, `${' \n'.repeat(10_000)}late text`).reason!;
    expect(spaced).toBe('HTTP 400 Bad Request');
    expect(read(400, 'y'.repeat(200)).reason).toBe(`HTTP 400: ${'y'.repeat(200)}`);
    expect(read(400, 'y'.repeat(201)).reason).toBe(`HTTP 400: ${'y'.repeat(200)}…`);
  });

  it('rejects a 1xx or an out-of-range status as unexpected', () => {
    expect(read(102)).toEqual({ outcome: 'rejected', reason: 'Unexpected HTTP 102 Processing' });
    expect(read(600, 'odd')).toEqual({ outcome: 'rejected', reason: 'Unexpected HTTP 600' });
    expect(read(199)).toEqual({ outcome: 'rejected', reason: 'Unexpected HTTP 199' });
  });
});
