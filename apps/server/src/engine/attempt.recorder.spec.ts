import { storable, storedAttempt } from './attempt.recorder';
import { credentialValues, redactUrl } from './redaction';

describe('attempt recorder (what an attempt row may hold)', () => {
  it('keeps text PostgreSQL can store: NUL and lone surrogates replaced, long text cut', () => {
    expect(storable('a\u0000b', [], 100)).toBe('a\uFFFDb');
    expect(storable('x\uD800y', [], 100)).toBe('x\uFFFDy');
    // A cut inside a surrogate pair leaves no half character behind.
    expect(storable('ab😀cd', [], 3)).toBe('ab\uFFFD…[cut]');
    expect(storable('abcdef', [], 4)).toBe('abcd…[cut]');
    expect(storable(undefined, [], 4)).toBeUndefined();
    expect(JSON.parse(JSON.stringify(storable('\u0000\uDC00', [], 10)))).toBe('\uFFFD\uFFFD');
  });

  it('finds the credentials a request carried: the header, its token, a basic-auth password', () => {
    const basic = Buffer.from('relay-user:s3cret-pass').toString('base64');
    expect(credentialValues({ authorization: `Basic ${basic}`, 'content-type': 'text/plain' }).sort()).toEqual(
      [`Basic ${basic}`, basic, 'relay-user:s3cret-pass', 's3cret-pass'].sort(),
    );
    expect(credentialValues({ 'x-api-token': 'tok-123456' })).toEqual(['tok-123456']);
    expect(credentialValues({ 'user-agent': 'leadrelay' })).toEqual([]);
  });

  it('removes them from everything stored, even when the buyer echoes them back', () => {
    const basic = Buffer.from('relay-user:s3cret-pass').toString('base64');
    const stored = storedAttempt({
      at: new Date(0),
      durationMs: 12.4,
      outcome: 'rejected',
      secrets: ['partner-token-1'],
      result: {
        outcome: 'rejected',
        reason: 'bad password s3cret-pass',
        request: { method: 'POST', url: 'https://relay-user:s3cret-pass@buyer.example/leads?token=abc', headers: { authorization: `Basic ${basic}`, 'x-partner': 'partner-token-1' }, body: 'a=1' },
        response: { status: 401, headers: { 'x-echo': `Basic ${basic}` }, body: `{"got":"Basic ${basic}","token":"partner-token-1"}` },
      },
    });
    const text = JSON.stringify(stored);
    for (const secret of ['s3cret-pass', basic, 'partner-token-1', 'token=abc']) expect(text).not.toContain(secret);
    expect(stored).toMatchObject({ durationMs: 12, reason: 'bad password [redacted]', response: { status: 401, truncated: false } });
    expect(stored.request!.headers.authorization).toBe('[redacted]');
  });

  it('stores captured values redacted and cut like a reason, and none as null', () => {
    const row = (captured?: Record<string, string>) =>
      storedAttempt({ at: new Date(0), durationMs: 1, outcome: 'delivered', secrets: ['partner-token-1'], result: { outcome: 'delivered', captured } });
    expect(row({ order_id: '123', echo: 'key partner-token-1', long: 'x'.repeat(3_000) }).captured).toEqual({
      order_id: '123',
      echo: 'key [redacted]',
      long: `${'x'.repeat(2_000)}…[cut]`,
    });
    expect(row().captured).toBeNull();
  });

  it('redacts the values of secret query parameters by a list of names, whatever their spelling, and keeps the rest as sent', () => {
    const names = ['key', 'api_key', 'apikey', 'API-Key', 'apiKey', 'x-api-key', 'token', 'access_token', 'auth_token', 'auth', 'sig', 'signature', 'client_secret', 'secret', 'password', 'passwd', 'pass', 'pwd'];
    const url = `https://buyer.example/leads?src=web%20form&${names.map((n, i) => `${n}=v${i}`).join('&')}&flag&name=a+b`;
    expect(redactUrl(url)).toBe(`https://buyer.example/leads?src=web%20form&${names.map((n) => `${n}=[redacted]`).join('&')}&flag&name=a+b`);
    expect(redactUrl('https://buyer.example/leads?keyword=solar&monkey=1&api%5Fkey=x')).toBe('https://buyer.example/leads?keyword=solar&monkey=1&api%5Fkey=[redacted]');
  });

  it('shows a URL whose path came from env() as its origin only, and replaces a user-info password', () => {
    const secret = 'https://buyer.example/hooks/9f2c-path-key/leads';
    expect(redactUrl(`${secret}?src=x&token=t1`, [secret])).toBe('https://buyer.example/[redacted]?src=x&token=[redacted]');
    expect(redactUrl('https://buyer.example/hooks/other', [secret])).toBe('https://buyer.example/hooks/other');
    expect(redactUrl('https://u:p4ss@buyer.example/x?a=1')).toBe('https://u:redacted@buyer.example/x?a=1');
  });

  it('redacts exactly the secrets: a path from env() and secret query values echoed anywhere, a user-agent equal to the user name kept', () => {
    const secret = 'https://buyer.example/hooks/9f2c-path-key/leads';
    const basic = Buffer.from('leadrelay:pw-9f2c-Secr3t').toString('base64');
    const stored = storedAttempt({
      at: new Date(0),
      durationMs: 1,
      outcome: 'rejected',
      // What the loader derives for a basic-auth user from env(): nothing (secretValues).
      secrets: [secret, 'partner-tok-77aa'],
      result: {
        outcome: 'rejected',
        reason: 'query key qk-5150 refused',
        request: {
          method: 'POST',
          url: `${secret}?api_key=qk-5150&src=leadrelay`,
          headers: { authorization: `Basic ${basic}`, 'user-agent': 'leadrelay', 'x-partner': 'partner-tok-77aa' },
          body: 'source=leadrelay',
        },
        response: { status: 401, headers: { 'x-seen-agent': 'leadrelay' }, body: `you sent ${secret}?api_key=qk-5150 as leadrelay:pw-9f2c-Secr3t with partner-tok-77aa` },
      },
    });
    expect(stored.request).toEqual({
      method: 'POST',
      url: 'https://buyer.example/[redacted]?api_key=[redacted]&src=leadrelay',
      headers: { authorization: '[redacted]', 'user-agent': 'leadrelay', 'x-partner': '[redacted]' },
      body: 'source=leadrelay',
    });
    expect(stored.response).toEqual({ status: 401, headers: { 'x-seen-agent': 'leadrelay' }, body: 'you sent [redacted]?api_key=[redacted] as [redacted] with [redacted]', truncated: false });
    expect(stored.reason).toBe('query key [redacted] refused');
  });
});
