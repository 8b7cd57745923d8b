import { secretValues } from './campaign-definition';

describe('secretValues (which env() values attempts must never show)', () => {
  const at = (path: (string | number)[], value: string) => ({ path, value });

  it('takes passwords, tokens, signing secrets, keys and every header value from env()', () => {
    expect(
      secretValues([
        at(['auth', 'password'], 'pw-1234'),
        at(['auth', 'token'], 'tok-1234'),
        at(['signing', 'secret'], 'whsec_abcd'),
        at(['privateKey'], 'pem-text'),
        at(['passphrase'], 'phrase-1'),
        at(['headers', 'X-Partner'], 'partner-1'),
        at(['headers', 'X-Callback-Url'], 'https://buyer.example/cb'),
        at(['headers', 'username'], 'header-user'),
      ]),
    ).toEqual(['pw-1234', 'tok-1234', 'whsec_abcd', 'pem-text', 'phrase-1', 'partner-1', 'https://buyer.example/cb', 'header-user']);
  });

  it('leaves out a basic-auth user name: it is redacted inside the Authorization header only', () => {
    expect(secretValues([at(['auth', 'username'], 'leadrelay'), at(['auth', 'password'], 'pw-1234')])).toEqual(['pw-1234']);
  });

  it('takes a URL up to its path, the path itself unless short, and its password; never its host alone', () => {
    expect(secretValues([at(['url'], 'https://buyer.example/hooks/k-123/leads?src=x#top')])).toEqual(['https://buyer.example/hooks/k-123/leads', '/hooks/k-123/leads']);
    expect(secretValues([at(['testUrl'], 'https://buyer.example/json')])).toEqual(['https://buyer.example/json']);
    expect(secretValues([at(['smtpUrl'], 'smtps://mailer:p%40ss-9@smtp.example:465')])).toEqual(['p%40ss-9', 'p@ss-9']);
    expect(secretValues([at(['url'], 'https://buyer.example/'), at(['url'], 'https://buyer.example')])).toEqual([]);
  });

  it('keeps values from env() in places that are not secret', () => {
    expect(secretValues([at(['subject'], 'Leads for Acme'), at(['to', 0], 'buyer@example.com')])).toEqual([]);
  });
});
