import { normaliseLead } from './normalise-lead';
import { field } from './index';
import { unstorableFields, unstorableText } from './storable-text';

describe('text that cannot be stored (docs/api.md › Intake)', () => {
  it.each(['a\u0000b', '\u0000', 'x\ud800', '\udfffy', '\ud83d\ud83d\ude00', 'ok\udc00\ud800'])('refuses %j', (text) => {
    expect(unstorableText(text)).toMatch(/NUL|unpaired UTF-16 surrogate \(U\+D[89A-F][0-9A-F]{2}\)/);
  });

  it.each(['', 'Ana', 'Zoë 🌞', 'שלום', '\u202eevil', '\ud83d\ude00', '\ufffd', 'tab\tand\u0001'])('keeps %j', (text) => {
    expect(unstorableText(text)).toBeUndefined();
  });

  it('names the top-level field, and the path to the bad text inside it', () => {
    const errors = unstorableFields({
      ok: 'fine',
      first_name: 'A\u0000',
      ['bad\u0000name']: 'x',
      address: { lines: ['one', 'two\ud800'] },
      nested: { ['k\udc00']: 1 },
    });
    expect(errors).toEqual([
      { field: 'first_name', message: 'contains a NUL character (U+0000), which cannot be stored' },
      { field: 'bad\u0000name', message: 'the name contains a NUL character (U+0000), which cannot be stored' },
      { field: 'address', message: 'at lines[1]: contains an unpaired UTF-16 surrogate (U+D800), which is not valid Unicode' },
      { field: 'nested', message: 'at k\udc00: the name contains an unpaired UTF-16 surrogate (U+DC00), which is not valid Unicode' },
    ]);
  });

  it('walks a value nested as deep as a 64 KiB body can, past what the call stack allows', () => {
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 40_000; i++) deep = [deep];
    expect(unstorableFields({ deep })).toEqual([{ field: 'deep', message: expect.stringMatching(/^at \[0\]\[0\].*: contains a NUL/) }]);
  });

  it('is one of the problems normaliseLead lists', () => {
    const { errors } = normaliseLead([field.text('first_name', { required: true })], { first_name: 'Ana\u0000', utm: 'x\ud800' });
    expect(errors.map((e) => e.field)).toEqual(['first_name', 'utm']);
  });
});
