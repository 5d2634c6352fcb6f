import { canonicalStatusLine, parseStatusLine } from '../../src/model/status';

describe('parseStatusLine', () => {
  it.each([
    ['HTTP/1.1 200 OK', 200],
    ['HTTP/1.0 207', 207],
    ['HTTP/1.1 423', 423],
    ['HTTP/1.1 409 (status)', 409],
    ['HTTP/1.1 425 TOO EARLY', 425],
    ['http/2 404 Not Found', 404],
    ['  HTTP/1.1 201 Created\n', 201],
  ])('reads %j as %d and keeps the text', (line, code) => {
    expect(parseStatusLine(line)).toEqual({ code, line });
  });

  it.each(['200 OK', 'HTTP/1.1 OK', 'HTTP/1.1 20 OK', 'HTTP/1.1 2000', '', 'garbage'])('keeps %j unread (code null) instead of throwing', (line) => {
    expect(parseStatusLine(line)).toEqual({ code: null, line });
  });
});

describe('canonicalStatusLine', () => {
  it('uses the standard reason phrase, and none for an unknown code', () => {
    expect(canonicalStatusLine(207)).toBe('HTTP/1.1 207 Multi-Status');
    expect(canonicalStatusLine(424)).toBe('HTTP/1.1 424 Failed Dependency');
    expect(canonicalStatusLine(599)).toBe('HTTP/1.1 599');
  });
});
