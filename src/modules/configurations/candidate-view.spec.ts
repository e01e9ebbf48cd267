import { ANSWER_KEY_FIELDS, isAnswerKeyField, toCandidateSafe } from './candidate-view';

describe('toCandidateSafe', () => {
  it('removes every listed answer-key field at any depth, in objects and arrays', () => {
    const data = {
      scenarios: [
        {
          id: 1,
          situation: 's',
          question: 'q',
          bestResponseRationale: 'b',
          worstResponseRationale: 'w',
          assessedCompetency: 'c',
        },
        {
          id: 'scenario1',
          options: [{ id: 'A', text: 't' }],
          bestResponse: 'A',
          worstResponse: 'D',
          bestReason: 'r',
          worstReason: 'r',
        },
      ],
      roles: [{ roleName: 'r', questions: [{ id: 1, text: 't', preferredAnswer: 'p', competency: 'c' }] }],
      questions: [{ correct_answer: 'a', correct_answers: ['a'], correctAnswer: 'a', answerKey: { q1: 'a' } }],
      settings: { numberOfQuestions: 5 },
    };
    expect(toCandidateSafe(data)).toEqual({
      scenarios: [
        { id: 1, situation: 's', question: 'q', assessedCompetency: 'c' },
        { id: 'scenario1', options: [{ id: 'A', text: 't' }] },
      ],
      roles: [{ roleName: 'r', questions: [{ id: 1, text: 't', competency: 'c' }] }],
      questions: [{}],
      settings: { numberOfQuestions: 5 },
    });
  });

  it('matches spelling variants: any case, snake_case and kebab-case', () => {
    for (const key of [
      'preferred_answer',
      'PreferredAnswer',
      'best_response_rationale',
      'correct-answer',
      'ANSWER_KEY',
      'correctAnswers',
    ]) {
      expect(isAnswerKeyField(key)).toBe(true);
    }
    for (const key of ANSWER_KEY_FIELDS) expect(isAnswerKeyField(key)).toBe(true);
    for (const key of ['answer', 'bestResponses', 'question', 'competency', 'response', 'private', 'xx_private']) {
      expect(isAnswerKeyField(key)).toBe(false);
    }
  });

  it('removes every key starting with _private', () => {
    expect(
      toCandidateSafe({ _private: 1, _privateNotes: 'n', _PRIVATE_x: 2, nested: [{ _private_key: 3, keep: 4 }] }),
    ).toEqual({
      nested: [{ keep: 4 }],
    });
  });

  it('leaves the input untouched and primitives as they are', () => {
    const data = { a: { preferredAnswer: 'p', b: [1, 'two', null, true] } };
    const copy = JSON.parse(JSON.stringify(data));
    const safe = toCandidateSafe(data);
    expect(data).toEqual(copy);
    expect(safe).toEqual({ a: { b: [1, 'two', null, true] } });
    expect(safe.a).not.toBe(data.a);
    expect(toCandidateSafe(null)).toBeNull();
    expect(toCandidateSafe('text')).toBe('text');
    expect(toCandidateSafe(3)).toBe(3);
  });

  it('keeps a "__proto__" key as plain data (it never becomes a prototype)', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const safe = toCandidateSafe(data) as Record<string, unknown>;
    expect(Object.getPrototypeOf(safe)).toBe(Object.prototype);
    expect((safe as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(safe)).toEqual(['__proto__', 'a']);
  });
});
