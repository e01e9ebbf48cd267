import { csvCell, csvLine } from './result.view';
import { resultFilters } from './results.service';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['=1+1', "'=1+1"],
    ['+33 1 23', "'+33 1 23"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
    ['line\nbreak', '"line\nbreak"'],
  ])('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('numbers, booleans, null and dates', () => {
    expect(csvLine([1.5, true, null, undefined, new Date('2026-01-02T03:04:05.678Z')])).toBe(
      '1.5,true,,,2026-01-02T03:04:05.678Z\r\n',
    );
  });
});

describe('resultFilters', () => {
  it('a date-only range covers whole UTC days; a date-time is taken as is (inclusive)', () => {
    expect(resultFilters({ start_date: '2026-01-02', end_date: '2026-01-03' })).toEqual({
      testId: undefined,
      from: new Date('2026-01-02T00:00:00Z'),
      until: new Date('2026-01-04T00:00:00Z'),
    });
    expect(resultFilters({ from: '2026-01-02T10:00:00Z', to: '2026-01-02T11:00:00Z' })).toEqual({
      testId: undefined,
      from: new Date('2026-01-02T10:00:00Z'),
      until: new Date('2026-01-02T11:00:00.001Z'),
    });
  });

  it('start_date/end_date win over from/to', () => {
    expect(resultFilters({ start_date: '2026-01-05', from: '2026-01-01', test_id: 'x' })).toEqual({
      testId: 'x',
      from: new Date('2026-01-05T00:00:00Z'),
    });
  });
});
