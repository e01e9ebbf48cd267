/*
 * The bulk invitation CSV (README "Invitations"): UTF-8 (a BOM is allowed), a header row naming
 * applicant_email, applicant_name and optionally scheduled_date (any order, case-insensitive), then one invitee per
 * line. RFC 4180 quoting ("a, b", doubled quotes inside). Blank lines are skipped. Rows are numbered by their line
 * in the file (the header is line 1), which is what the per-row report names.
 */

export const CSV_COLUMNS = ['applicant_email', 'applicant_name', 'scheduled_date'] as const;
const REQUIRED = ['applicant_email', 'applicant_name'];

export interface CsvRow {
  /** line number in the file */
  row: number;
  values: Record<string, string>;
}

export class CsvError extends Error {}

/** Splits CSV text into records of fields, with the line each record starts on. */
function records(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0].trim() === '')) out.push({ line: start, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line += 1;
        field += c;
      }
      i += 1;
      continue;
    }
    if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // handled by the \n
    } else if (c === '\n' || c === '\r') {
      endRecord();
      line += 1;
      start = line;
    } else {
      field += c;
    }
    i += 1;
  }
  if (quoted) throw new CsvError(`Unterminated quoted field starting on line ${start}`);
  endRecord();
  return out;
}

export function parseInvitationCsv(buffer: Buffer): CsvRow[] {
  const text = buffer.toString('utf8').replace(/^\uFEFF/, '');
  if (text.includes('\uFFFD')) throw new CsvError('The file is not valid UTF-8');
  if (text.includes('\u0000')) throw new CsvError('The file contains NUL characters');
  const [header, ...rest] = records(text);
  if (!header) throw new CsvError('The file is empty');
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const unknown = names.filter((name) => !(CSV_COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new CsvError(`Unknown column(s): ${unknown.join(', ')}`);
  const missing = REQUIRED.filter((name) => !names.includes(name));
  if (missing.length > 0) throw new CsvError(`Missing column(s): ${missing.join(', ')}`);
  if (new Set(names).size !== names.length) throw new CsvError('A column is named twice');
  return rest.map(({ line, fields }) => {
    const values: Record<string, string> = {};
    names.forEach((name, index) => {
      const value = fields[index]?.trim();
      if (value) values[name] = value;
    });
    if (fields.length > names.length) values.__extra = 'true';
    return { row: line, values };
  });
}
