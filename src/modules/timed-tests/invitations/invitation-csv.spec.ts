import { CsvError, parseInvitationCsv } from './invitation-csv';

const parse = (text: string) => parseInvitationCsv(Buffer.from(text, 'utf8'));

describe('parseInvitationCsv', () => {
  it('reads the header in any order and case, quoted fields, CRLF, a BOM; numbers rows by line; skips blank lines', () => {
    const rows = parse('\uFEFFApplicant_Name,applicant_email\r\n"Lee, Ann",ann@x.test\r\n\r\n"Say ""hi""",bo@x.test\n');
    expect(rows).toEqual([
      { row: 2, values: { applicant_name: 'Lee, Ann', applicant_email: 'ann@x.test' } },
      { row: 4, values: { applicant_name: 'Say "hi"', applicant_email: 'bo@x.test' } },
    ]);
  });

  it('counts the lines inside a quoted field', () => {
    const rows = parse('applicant_email,applicant_name\na@x.test,"two\nlines"\nb@x.test,B');
    expect(rows.map((r) => r.row)).toEqual([2, 4]);
    expect(rows[0].values.applicant_name).toBe('two\nlines');
  });

  it('flags rows with more fields than the header; leaves empty fields out', () => {
    const rows = parse('applicant_email,applicant_name,scheduled_date\na@x.test,A,\nb@x.test,B,,extra');
    expect(rows[0].values).toEqual({ applicant_email: 'a@x.test', applicant_name: 'A' });
    expect(rows[1].values.__extra).toBe('true');
  });

  it.each([
    ['', /empty/],
    ['email,name\n', /Unknown column/],
    ['applicant_email\n', /Missing column/],
    ['applicant_email,applicant_name,applicant_name\n', /twice/],
    ['applicant_email,applicant_name\n"a@x.test,A\n', /Unterminated/],
    ['applicant_email,applicant_name\na\u0000,b\n', /NUL/],
  ])('refuses %j', (text, message) => {
    expect(() => parse(text)).toThrow(CsvError);
    expect(() => parse(text)).toThrow(message);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => parseInvitationCsv(Buffer.from([0x61, 0xff, 0x0a]))).toThrow(/UTF-8/);
  });
});
