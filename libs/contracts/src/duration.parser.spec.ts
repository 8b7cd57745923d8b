import { parseDuration } from './duration.parser';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1s', 1_000],
    ['90s', 90_000],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['30d', 2_592_000_000],
    ['1ms', 1],
  ])('%p is %p ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['0s', '00m', '0ms'])('refuses %p: a duration is longer than 0', (text) => {
    expect(() => parseDuration(text)).toThrow(`invalid duration: must be longer than 0, not '${text}'`);
  });

  it.each(['', '1', 's', '1.5s', '-1s', '1 s', ' 1s', '1S', '1w', '1sec', '1e3ms', '99999999999999999d'])('refuses %p, naming it', (text) => {
    expect(() => parseDuration(text)).toThrow(`invalid duration: must be a whole number and a unit (ms, s, m, h, d) such as '500ms', '1s', '1m', '2h' or '30d', not '${text}'`);
  });

  it('refuses a value that is not text', () => {
    expect(() => parseDuration(60 as unknown as string)).toThrow('not 60');
  });
});
