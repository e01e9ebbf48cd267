import { configSizeBytes, MAX_CONFIG_DEPTH, MAX_REPORTED_ERRORS, validateConfigData } from './config-shape';

/** The shapes the first seed's admin pages save (README, "Interview assessments"). */
const SJT_EXAMPLE = {
  scenarios: [
    {
      id: 1726480000000.123,
      name: '',
      situation: 'A customer is angry about a late delivery.',
      question: 'What do you do?',
      bestResponseRationale: 'Owns the problem and follows up',
      worstResponseRationale: 'Blames the courier',
      assessedCompetency: 'Customer Focus, Ownership',
      prepTimeSeconds: 10,
      answerTimeSeconds: 90,
      reRecordLimit: 1,
      ttsVoice: '',
    },
  ],
  settings: {
    timeLimit: 0,
    numberOfQuestions: 5,
    questionTimeLimit: 120,
    aiGeneratedQuestions: 0,
    followUpCount: 1,
    followUpPenalty: 0,
    prepTimeSeconds: 10,
    autoStartRecording: true,
    answerTimeSeconds: 90,
    reRecordLimit: 1,
    ttsEnabled: true,
    ttsVoice: '',
  },
};

const JDT_EXAMPLE = {
  roles: [
    {
      id: 1726480000001,
      roleName: 'Software Engineer',
      jobDescription: 'Builds things',
      questions: [
        { id: 1726480000002, text: 'Tell me about a bug', preferredAnswer: 'STAR', competency: 'Technical Knowledge' },
      ],
    },
  ],
  settings: { timeLimit: 0, numberOfQuestions: 5, aiGeneratedQuestions: 0 },
};

const GLOBAL_EXAMPLE = {
  replyMode: 'video',
  showReport: true,
  isJdtEnabled: true,
  isSjtEnabled: true,
  languages: ['English', 'French'],
  allow_public_registration: false,
};

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

describe('validateConfigData', () => {
  it('accepts the documented shapes of every type', () => {
    expect(validateConfigData('sjt', SJT_EXAMPLE)).toEqual([]);
    expect(validateConfigData('jdt', JDT_EXAMPLE)).toEqual([]);
    expect(validateConfigData('global', GLOBAL_EXAMPLE)).toEqual([]);
  });

  it('accepts minimal configurations (only the required keys)', () => {
    expect(validateConfigData('sjt', { scenarios: [] })).toEqual([]);
    expect(validateConfigData('sjt', { scenarios: [{ id: 'scenario1', situation: '', question: '' }] })).toEqual([]);
    expect(validateConfigData('jdt', { roles: [{ id: 1, roleName: 'QA', questions: [] }] })).toEqual([]);
    expect(validateConfigData('global', {})).toEqual([]);
  });

  it('keeps unknown keys at every level (they are not errors)', () => {
    const data = clone(SJT_EXAMPLE) as {
      extra?: unknown;
      scenarios: Record<string, unknown>[];
      settings: Record<string, unknown>;
    };
    data.extra = { anything: [1, 'two'] };
    data.scenarios[0].options = [{ id: 'A', text: 'x' }];
    data.settings.instructions = 'Be honest';
    expect(validateConfigData('sjt', data)).toEqual([]);
    expect(data.extra).toEqual({ anything: [1, 'two'] });
  });

  it('requires no key: the original clients save partial shapes, and present keys keep their types', () => {
    // the first seed's backend/test_api.py saves exactly this JDT configuration
    expect(
      validateConfigData('jdt', { timeLimit: 30, numberOfQuestions: 10, competencies: ['Problem Solving'] }),
    ).toEqual([]);
    expect(validateConfigData('sjt', {})).toEqual([]);
    expect(validateConfigData('jdt', { settings: {} })).toEqual([]);
    expect(validateConfigData('sjt', { scenarios: [{ id: 1 }] })).toEqual([]);
    expect(
      validateConfigData('jdt', { roles: [{ id: 1, roleName: 'x', questions: [{ text: 'q' }, { id: 2 }] }] }),
    ).toEqual([]);
    expect(
      fields(validateConfigData('sjt', { scenarios: [{ id: 1, question: 5 }], settings: { timeLimit: 'x' } })),
    ).toEqual(['config_data.scenarios[0].question', 'config_data.settings.timeLimit']);
    expect(fields(validateConfigData('jdt', { roles: [{ questions: [{ text: 1 }] }] }))).toEqual([
      'config_data.roles[0].questions[0].text',
    ]);
  });

  it("accepts the multiple-choice SJT shape of the first seed's setup_test_configs.py", () => {
    const multipleChoice = {
      scenarios: [
        {
          id: 'scenario1',
          situation: 'A colleague takes credit for your work.',
          options: [
            { id: 'A', text: 'Talk to them privately' },
            { id: 'D', text: 'Complain publicly' },
          ],
          competency: 'Integrity',
          bestResponse: 'A',
          worstResponse: 'D',
          bestReason: 'Direct and respectful',
          worstReason: 'Damages the team',
        },
      ],
      settings: { numberOfQuestions: 5, timeLimit: 30, instructions: 'Pick the best and the worst response.' },
    };
    expect(validateConfigData('sjt', multipleChoice)).toEqual([]);
  });

  it('reports a wrong type for every documented key, by path', () => {
    const cases: Array<[Parameters<typeof validateConfigData>[0], unknown, string]> = [
      ['sjt', { scenarios: 'none' }, 'config_data.scenarios'],
      ['sjt', { scenarios: [null] }, 'config_data.scenarios[0]'],
      ['sjt', { scenarios: [{ id: 1, situation: 5, question: 'q' }] }, 'config_data.scenarios[0].situation'],
      ['sjt', { scenarios: [{ id: 1, situation: 's', question: ['q'] }] }, 'config_data.scenarios[0].question'],
      ['sjt', { scenarios: [{ id: true, situation: 's', question: 'q' }] }, 'config_data.scenarios[0].id'],
      ['sjt', { scenarios: [{ id: '  ', situation: 's', question: 'q' }] }, 'config_data.scenarios[0].id'],
      [
        'sjt',
        { scenarios: [{ id: 1, situation: 's', question: 'q', bestResponseRationale: 1 }] },
        'config_data.scenarios[0].bestResponseRationale',
      ],
      [
        'sjt',
        { scenarios: [{ id: 1, situation: 's', question: 'q', prepTimeSeconds: -1 }] },
        'config_data.scenarios[0].prepTimeSeconds',
      ],
      [
        'sjt',
        { scenarios: [{ id: 1, situation: 's', question: 'q', reRecordLimit: 1.5 }] },
        'config_data.scenarios[0].reRecordLimit',
      ],
      [
        'sjt',
        { scenarios: [{ id: 1, situation: 's', question: 'q', ttsVoice: null }] },
        'config_data.scenarios[0].ttsVoice',
      ],
      ['sjt', { scenarios: [], settings: [] }, 'config_data.settings'],
      ['sjt', { scenarios: [], settings: { followUpCount: 6 } }, 'config_data.settings.followUpCount'],
      ['sjt', { scenarios: [], settings: { followUpCount: -1 } }, 'config_data.settings.followUpCount'],
      ['sjt', { scenarios: [], settings: { followUpPenalty: 101 } }, 'config_data.settings.followUpPenalty'],
      ['sjt', { scenarios: [], settings: { numberOfQuestions: '5' } }, 'config_data.settings.numberOfQuestions'],
      ['sjt', { scenarios: [], settings: { timeLimit: -0.5 } }, 'config_data.settings.timeLimit'],
      ['sjt', { scenarios: [], settings: { autoStartRecording: 'yes' } }, 'config_data.settings.autoStartRecording'],
      ['sjt', { scenarios: [], settings: { ttsEnabled: 1 } }, 'config_data.settings.ttsEnabled'],
      ['jdt', { roles: {} }, 'config_data.roles'],
      ['jdt', { roles: [{ id: 1, roleName: 7, questions: [] }] }, 'config_data.roles[0].roleName'],
      ['jdt', { roles: [{ id: 1, roleName: 'r', questions: 'q' }] }, 'config_data.roles[0].questions'],
      [
        'jdt',
        { roles: [{ id: 1, roleName: 'r', jobDescription: {}, questions: [] }] },
        'config_data.roles[0].jobDescription',
      ],
      [
        'jdt',
        { roles: [{ id: 1, roleName: 'r', questions: [{ id: 1, text: 't', preferredAnswer: 2 }] }] },
        'config_data.roles[0].questions[0].preferredAnswer',
      ],
      ['jdt', { roles: [], settings: { aiGeneratedQuestions: -2 } }, 'config_data.settings.aiGeneratedQuestions'],
      ['global', { replyMode: 'telepathy' }, 'config_data.replyMode'],
      ['global', { showReport: 'true' }, 'config_data.showReport'],
      ['global', { isJdtEnabled: 0 }, 'config_data.isJdtEnabled'],
      ['global', { isSjtEnabled: null }, 'config_data.isSjtEnabled'],
      ['global', { languages: 'English' }, 'config_data.languages'],
      ['global', { languages: ['English', 3] }, 'config_data.languages[1]'],
      ['global', { allow_public_registration: 'no' }, 'config_data.allow_public_registration'],
    ];
    for (const [type, data, field] of cases) {
      expect({ type, data, fields: fields(validateConfigData(type, data)) }).toEqual({ type, data, fields: [field] });
    }
  });

  it('rejects NaN-like and infinite numbers (JSON cannot carry them, but callers might)', () => {
    expect(fields(validateConfigData('sjt', { scenarios: [], settings: { timeLimit: Infinity } }))).toEqual([
      'config_data.settings.timeLimit',
    ]);
    expect(fields(validateConfigData('sjt', { scenarios: [{ id: NaN, situation: 's', question: 'q' }] }))).toEqual([
      'config_data.scenarios[0].id',
    ]);
  });

  it('refuses duplicate ids among scenarios, roles and a role\'s questions (1 and "1" are the same id)', () => {
    expect(
      fields(
        validateConfigData('sjt', {
          scenarios: [
            { id: 1, situation: 's', question: 'q' },
            { id: '1', situation: 's', question: 'q' },
          ],
        }),
      ),
    ).toEqual(['config_data.scenarios[1].id']);
    expect(
      fields(
        validateConfigData('jdt', {
          roles: [
            {
              id: 'a',
              roleName: 'r',
              questions: [
                { id: 1, text: 't' },
                { id: 1, text: 't' },
              ],
            },
            { id: 'a', roleName: 'r', questions: [] },
          ],
        }),
      ),
    ).toEqual(['config_data.roles[0].questions[1].id', 'config_data.roles[1].id']);
  });

  it('the root must be an object; the root name is configurable (raw bodies use none)', () => {
    for (const data of [null, [], 'x', 3]) {
      expect(validateConfigData('global', data)).toEqual([{ field: 'config_data', message: 'must be a JSON object' }]);
    }
    expect(validateConfigData('global', [], '')).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    expect(validateConfigData('sjt', { scenarios: [{ id: 1, situation: 7 }] }, '')).toEqual([
      { field: 'scenarios[0].situation', message: 'must be a string' },
    ]);
  });

  it('refuses NUL characters (jsonb cannot store them) and excessive nesting, anywhere', () => {
    expect(validateConfigData('global', { note: 'a\u0000b' })).toEqual([
      { field: 'config_data.note', message: 'must not contain NUL characters' },
    ]);
    expect(fields(validateConfigData('global', { ['k\u0000']: 1 }))).toEqual(['config_data']);
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_CONFIG_DEPTH + 5; i++) deep = { d: deep };
    const errors = validateConfigData('global', { deep });
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/nested more than/);
    let shallow: unknown = 'leaf';
    for (let i = 0; i < MAX_CONFIG_DEPTH - 2; i++) shallow = [shallow];
    expect(validateConfigData('global', { shallow })).toEqual([]);
  });

  it('caps the number of reported problems', () => {
    const scenarios = Array.from({ length: 200 }, () => ({ id: 'x'.repeat(300) }));
    expect(validateConfigData('sjt', { scenarios })).toHaveLength(MAX_REPORTED_ERRORS);
  });

  it('measures size as UTF-8 bytes of the JSON', () => {
    expect(configSizeBytes({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
  });
});
