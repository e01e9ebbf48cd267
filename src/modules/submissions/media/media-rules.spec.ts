import { decideRange } from './byte-range';
import { MAX_QUESTION_INDEX, parseMediaUploadFields } from './media-fields';

describe('parseMediaUploadFields', () => {
  it('reads the first seed frontend fields, with defaults for the optional ones', () => {
    expect(parseMediaUploadFields({ question_index: '0', file_type: 'video' })).toEqual({
      fields: { question_index: 0, file_type: 'video', scenario_id: null, is_follow_up: false, follow_up_sequence: 0 },
      errors: [],
    });
    expect(
      parseMediaUploadFields({
        question_index: ' 12 ',
        file_type: 'AUDIO',
        scenario_id: ' sc-1 ',
        is_follow_up: 'True',
        follow_up_sequence: '2',
      }).fields,
    ).toEqual({
      question_index: 12,
      file_type: 'audio',
      scenario_id: 'sc-1',
      is_follow_up: true,
      follow_up_sequence: 2,
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
    ['', false],
  ])('is_follow_up %j → %s', (raw, expected) => {
    expect(
      parseMediaUploadFields({ question_index: '1', file_type: 'video', is_follow_up: raw }).fields?.is_follow_up,
    ).toBe(expected);
  });

  it('reports every problem at once', () => {
    const { fields, errors } = parseMediaUploadFields({
      question_index: '-1',
      file_type: 'image',
      scenario_id: 'x'.repeat(101),
      is_follow_up: 'yes',
      follow_up_sequence: '1.5',
    });
    expect(fields).toBeNull();
    expect(errors.map((e) => e.field)).toEqual([
      'question_index',
      'file_type',
      'scenario_id',
      'is_follow_up',
      'follow_up_sequence',
    ]);
  });

  it.each(['', '1.5', '1e3', '0x10', String(MAX_QUESTION_INDEX + 1), '99999999999'])(
    'refuses question_index %j',
    (raw) => {
      const { errors } = parseMediaUploadFields({ question_index: raw, file_type: 'video' });
      expect(errors).toEqual([expect.objectContaining({ field: 'question_index' })]);
    },
  );

  it('requires question_index and file_type; refuses control characters in scenario_id', () => {
    expect(parseMediaUploadFields({}).errors.map((e) => e.field)).toEqual(['question_index', 'file_type']);
    expect(parseMediaUploadFields({ question_index: '0', file_type: 'video', scenario_id: 'a\u0000b' }).errors).toEqual(
      [{ field: 'scenario_id', message: 'scenario_id must not contain control characters' }],
    );
  });
});

describe('decideRange', () => {
  const size = 1000;

  it('serves one range, clamping its end; open and suffix ranges', () => {
    expect(decideRange('bytes=0-99', size)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(decideRange('bytes=900-5000', size)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(decideRange('bytes=990-', size)).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(decideRange('bytes=-10', size)).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(decideRange('bytes=-5000', size)).toEqual({ kind: 'partial', start: 0, end: 999 });
    expect(decideRange('BYTES = 5 - 6', size)).toEqual({ kind: 'partial', start: 5, end: 6 });
  });

  it('416 for a range past the end or an empty suffix', () => {
    expect(decideRange('bytes=1000-', size)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=5000-6000', size)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-0', size)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it.each([undefined, 'items=0-1', 'bytes=0-1,5-6', 'bytes=5-1', 'bytes=-', 'bytes=a-b'])(
    'ignores %j: whole file',
    (header) => {
      expect(decideRange(header, size)).toEqual({ kind: 'full' });
    },
  );

  it('ignores the range when If-Range is sent (no validator can match)', () => {
    expect(decideRange('bytes=0-1', size, '"etag"')).toEqual({ kind: 'full' });
  });
});
