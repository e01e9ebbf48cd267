import { attemptScores, autoScoreAnswer, ScorableQuestion, ScoredAnswerState } from './scoring';

const mcq: ScorableQuestion = {
  id: 'q-mcq',
  type: 'multiple_choice',
  points: 2,
  correct_answer: '4',
  correct_answers: null,
};
const multi: ScorableQuestion = {
  id: 'q-multi',
  type: 'multi_select',
  points: 3,
  correct_answer: null,
  correct_answers: ['2', '3'],
};
const essay: ScorableQuestion = {
  id: 'q-essay',
  type: 'essay',
  points: 5,
  correct_answer: null,
  correct_answers: null,
};
const coding: ScorableQuestion = {
  id: 'q-code',
  type: 'coding',
  points: 10,
  correct_answer: 'print(1)',
  correct_answers: null,
};

/** The answer state right after submit: auto questions scored, manual ones pending. */
function submitted(questions: ScorableQuestion[], answers: Record<string, string | string[]>): ScoredAnswerState[] {
  return questions
    .filter((q) => answers[q.id] !== undefined)
    .map((q) => ({
      question_id: q.id,
      auto_points: autoScoreAnswer(q, answers[q.id]).auto_points,
      manual_score: null,
    }));
}

const review = (states: ScoredAnswerState[], questionId: string, score: number): ScoredAnswerState[] => {
  const found = states.some((s) => s.question_id === questionId);
  const next = states.map((s) => (s.question_id === questionId ? { ...s, manual_score: score } : s));
  return found ? next : [...next, { question_id: questionId, auto_points: null, manual_score: score }];
};

describe('autoScoreAnswer', () => {
  it('multiple_choice: the exact option (trimmed) earns the points, anything else 0', () => {
    expect(autoScoreAnswer(mcq, '4')).toEqual({ is_correct: true, auto_points: 2, manual_score_status: null });
    expect(autoScoreAnswer(mcq, '  4 ')).toEqual({ is_correct: true, auto_points: 2, manual_score_status: null });
    for (const wrong of ['5', '', '4.0', ['4'], undefined]) {
      expect(autoScoreAnswer(mcq, wrong as string)).toEqual({
        is_correct: false,
        auto_points: 0,
        manual_score_status: null,
      });
    }
  });

  it('multi_select: the exact set, in any order, duplicates ignored; a subset, a superset or a string is wrong', () => {
    expect(autoScoreAnswer(multi, ['3', '2']).auto_points).toBe(3);
    expect(autoScoreAnswer(multi, ['2', '3', '3']).auto_points).toBe(3);
    expect(autoScoreAnswer(multi, [' 2', '3 ']).is_correct).toBe(true);
    for (const wrong of [['2'], ['2', '3', '4'], [], '2,3', undefined, [2, 3]]) {
      expect(autoScoreAnswer(multi, wrong as string[])).toEqual({
        is_correct: false,
        auto_points: 0,
        manual_score_status: null,
      });
    }
  });

  it('essay and coding are left for review, whatever the answer (even the reference solution)', () => {
    for (const q of [essay, coding]) {
      expect(autoScoreAnswer(q, 'print(1)')).toEqual({
        is_correct: null,
        auto_points: null,
        manual_score_status: 'pending',
      });
      expect(autoScoreAnswer(q, undefined)).toEqual({
        is_correct: null,
        auto_points: null,
        manual_score_status: 'pending',
      });
    }
  });
});

describe('attemptScores', () => {
  const mixed = [mcq, multi, essay];

  it('auto-only test: auto_score = final_score = score; no review needed', () => {
    const states = submitted([mcq, multi], { 'q-mcq': '4', 'q-multi': ['2'] });
    expect(attemptScores([mcq, multi], states, null)).toEqual({
      auto_score: 40,
      manual_score: null,
      final_score: 40,
      score: 40,
      scoring_status: 'auto_only',
      needs_manual_review: false,
      passed: null,
    });
  });

  it('mixed test before review: auto_score over auto points only; final_score and score null; needs_review', () => {
    const states = submitted(mixed, { 'q-mcq': '4', 'q-multi': ['2', '4'], 'q-essay': 'text' });
    expect(attemptScores(mixed, states, 50)).toEqual({
      auto_score: 40, // 2 of 5 auto points
      manual_score: null,
      final_score: null,
      score: null,
      scoring_status: 'needs_review',
      needs_manual_review: true,
      passed: null,
    });
  });

  it('mixed test after review: final = (auto points + reviewed points) / all points × 100, then the pass mark', () => {
    const states = review(submitted(mixed, { 'q-mcq': '4', 'q-multi': ['2', '3'], 'q-essay': 'text' }), 'q-essay', 2.5);
    // (2 + 3 + 2.5) / 10 = 75 %
    expect(attemptScores(mixed, states, 75)).toEqual({
      auto_score: 100,
      manual_score: 2.5,
      final_score: 75,
      score: 75,
      scoring_status: 'fully_reviewed',
      needs_manual_review: false,
      passed: true,
    });
    expect(attemptScores(mixed, states, 75.01).passed).toBe(false);
  });

  it('two manual questions: one reviewed is partially_reviewed (no final score), both is fully_reviewed', () => {
    const questions = [mcq, essay, coding];
    const states = submitted(questions, { 'q-mcq': '3', 'q-essay': 'a', 'q-code': 'b' });
    const partial = attemptScores(questions, review(states, 'q-essay', 5), 50);
    expect(partial).toMatchObject({
      auto_score: 0,
      manual_score: 5,
      final_score: null,
      scoring_status: 'partially_reviewed',
      passed: null,
    });
    const full = attemptScores(questions, review(review(states, 'q-essay', 5), 'q-code', 10), 50);
    // (0 + 5 + 10) / 17
    expect(full).toMatchObject({ final_score: 88.24, scoring_status: 'fully_reviewed', passed: true });
  });

  it('manual-only test: auto_score null; unanswered questions still need review (and may be given 0)', () => {
    const questions = [essay, coding];
    expect(attemptScores(questions, [], 60)).toMatchObject({
      auto_score: null,
      final_score: null,
      scoring_status: 'needs_review',
      needs_manual_review: true,
    });
    const reviewed = review(review([], 'q-essay', 0), 'q-code', 6);
    expect(attemptScores(questions, reviewed, 60)).toMatchObject({
      auto_score: null,
      manual_score: 6,
      final_score: 40,
      scoring_status: 'fully_reviewed',
      passed: false,
    });
  });

  it('unanswered auto questions earn 0 and still count in the denominators', () => {
    expect(attemptScores([mcq, multi], submitted([mcq, multi], { 'q-mcq': '4' }), null)).toMatchObject({
      auto_score: 40,
      final_score: 40,
    });
  });

  it('a test whose points are all 0 scores 100 once complete; a 0-point auto part leaves auto_score null', () => {
    const zeroMcq = { ...mcq, points: 0 };
    const zeroEssay = { ...essay, points: 0 };
    expect(attemptScores([zeroMcq], submitted([zeroMcq], { 'q-mcq': '5' }), 50)).toMatchObject({
      auto_score: null,
      final_score: 100,
      scoring_status: 'auto_only',
      passed: true,
    });
    expect(attemptScores([zeroMcq, zeroEssay], review([], 'q-essay', 0), null)).toMatchObject({
      final_score: 100,
      scoring_status: 'fully_reviewed',
    });
  });

  it('answers to questions outside the test are ignored; scores are rounded to 2 decimals', () => {
    const q3 = [mcq, { ...mcq, id: 'q2', points: 1 }, { ...mcq, id: 'q3', points: 0 }];
    const states = [
      ...submitted(q3, { 'q-mcq': '4' }),
      { question_id: 'elsewhere', auto_points: 100, manual_score: 7 },
    ];
    expect(attemptScores(q3, states, null)).toMatchObject({ auto_score: 66.67, final_score: 66.67 });
  });

  it('pass mark 0 passes every complete attempt; pass mark 100 needs every point', () => {
    const states = submitted([mcq, multi], { 'q-mcq': '4', 'q-multi': ['2', '3'] });
    expect(attemptScores([mcq, multi], states, 100).passed).toBe(true);
    expect(attemptScores([mcq, multi], [], 0)).toMatchObject({ final_score: 0, passed: true });
  });
});
