import { bearer, createTenantWithStaff } from '../setup/factories';
import { binaryParser, filePart, frontendParts, postMedia, webm } from '../setup/media-upload';
import { S3TestServer, startS3TestServer } from '../setup/s3-test-server';
import { createTestApp, TestApp } from '../setup/test-app';
import { pathOf, signedMediaUrl } from '../setup/matchers';

const SJT = {
  scenarios: [
    {
      id: 1726480000000.123,
      situation: 'A customer is angry about a late delivery.',
      question: 'What do you do?',
      bestResponseRationale: 'Acknowledge, own it, fix it.',
      worstResponseRationale: 'Blame the courier.',
      assessedCompetency: 'Customer Focus, Ownership',
      answerTimeSeconds: 90,
    },
  ],
  settings: { timeLimit: 0, numberOfQuestions: 1, followUpCount: 1, followUpPenalty: 10, ttsEnabled: true },
};
const JDT = {
  roles: [
    {
      id: 1,
      roleName: 'Software Engineer',
      jobDescription: 'Builds services.',
      questions: [
        {
          id: 11,
          text: 'Describe a hard bug.',
          preferredAnswer: 'Methodical isolation.',
          competency: 'Problem Solving',
        },
      ],
    },
  ],
  settings: { timeLimit: 0, numberOfQuestions: 1, aiGeneratedQuestions: 0 },
};
const SJT_REPORT = {
  scoresSummary: {
    overallPerformance: 'Good',
    competencyScores: [{ name: 'Customer Focus', score: 6.3, prePenaltyScore: 7, postPenaltyScore: 6.3 }],
    penaltySummary: 'Follow-up penalties applied to 1 scenario(s) with 10% penalty reduction',
  },
  questionwiseDetails: [
    { questionNumber: 1, question: 'What do you do?', prePenaltyScore: 7, postPenaltyScore: 6.3, hasFollowUp: true },
  ],
  strengths: 'Analysis completed.',
  weaknesses: 'Analysis completed.',
  summary: 'COMPREHENSIVE ASSESSMENT SUMMARY: …',
  competencyAnalysis: [{ name: 'Situational Competencies', competencies: [{ name: 'Customer Focus', score: 6.3 }] }],
};
const ANSWER_KEYS = [
  'bestResponseRationale',
  'worstResponseRationale',
  'preferredAnswer',
  'Acknowledge, own it',
  'Methodical isolation',
];

/**
 * The first seed's whole flow, as its frontend drives it: an admin authors SJT and JDT configurations, a candidate
 * reads the safe view, submits its conversation and uploads answer videos, an admin stores the analysis and
 * reviews the media. Run on the embedded defaults (local disk) and on S3 (s3rver).
 */
describe.each([
  ['local disk', false],
  ['S3 (s3rver)', true],
])('Interview flow end to end on %s', (_name, onS3) => {
  let t: TestApp;
  let s3: S3TestServer | undefined;

  beforeAll(async () => {
    s3 = onS3 ? await startS3TestServer() : undefined;
    t = await createTestApp(s3 ? s3.env : {});
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('admin authors → candidate reads safely, submits, uploads → admin analyses and reviews', async () => {
    const { tenant, adminTokens, candidateTokens, candidate } = await createTenantWithStaff(t);

    // 1. The admin saves both configurations through the raw-object routes the frontend uses.
    await t.http().post('/api/v1/configurations/sjt').set(bearer(adminTokens)).send(SJT).expect(201);
    await t.http().post('/api/v1/configurations/jdt').set(bearer(adminTokens)).send(JDT).expect(201);
    const adminView = await t.http().get('/api/v1/configurations/type/sjt').set(bearer(adminTokens)).expect(200);
    expect(adminView.body.config_data.scenarios[0].bestResponseRationale).toBe('Acknowledge, own it, fix it.');

    // 2. The candidate reads them without any answer key.
    const sjt = await t.http().get('/api/v1/configurations/type/sjt').set(bearer(candidateTokens)).expect(200);
    const jdt = await t.http().get('/api/v1/configurations/jdt').set(bearer(candidateTokens)).expect(200);
    for (const body of [sjt.body, jdt.body]) {
      const text = JSON.stringify(body);
      for (const secret of ANSWER_KEYS) expect(text).not.toContain(secret);
    }
    expect(sjt.body.config_data.scenarios[0]).toMatchObject({
      situation: SJT.scenarios[0].situation,
      question: 'What do you do?',
    });

    // 3. It submits its conversation; the submission records the configuration version in force.
    const history = [
      {
        question: `Situation: ${SJT.scenarios[0].situation}\n\nQuestion: What do you do?`,
        answer: 'I apologise and fix it.',
      },
      { question: '1.a) And then?', answer: 'I follow up the next day.' },
    ];
    const created = await t
      .http()
      .post('/api/v1/submissions')
      .set(bearer(candidateTokens))
      .send({
        candidate_name: 'Ada Lovelace',
        candidate_id: 'C-1',
        test_type: 'SJT',
        candidate_language: 'en',
        ui_language: 'en',
        conversation_history: history,
      })
      .expect(201);
    const submission = created.body;
    expect(submission).toMatchObject({
      user_id: candidate.id,
      tenant_id: tenant.id,
      status: 'submitted',
      configuration_id: sjt.body.id,
      configuration_version: 1,
      attempt_number: 1,
      conversation_history: history,
    });

    // 4. One answer video per entry, the frontend's way (file part first, codec parameters in the type).
    const videos = [webm(150_000), webm(90_000)];
    for (const [index, data] of videos.entries()) {
      await postMedia(
        t,
        candidateTokens,
        submission.id,
        frontendParts(filePart(data, 'video/webm;codecs=vp9,opus', `Q${index + 1}_video.webm`), {
          question_index: String(index),
          is_follow_up: index === 1 ? 'true' : 'false',
          follow_up_sequence: String(index),
        }),
      ).expect(201);
    }

    // 5. The admin stores the analysis; it round-trips unchanged and completion is timed.
    const analysed = await t
      .http()
      .put(`/api/v1/submissions/${submission.id}`)
      .set(bearer(adminTokens))
      .send({ analysis_result: SJT_REPORT, analysis_completed: true })
      .expect(200);
    expect(analysed.body).toMatchObject({ status: 'completed', analysis_completed: true, analysis_result: SJT_REPORT });
    expect(analysed.body.analysis_completed_at).toEqual(expect.any(String));

    // 6. The admin reviews the media: listed in question order, each downloadable with the exact bytes.
    const list = await t.http().get(`/api/v1/submissions/${submission.id}/media`).set(bearer(adminTokens)).expect(200);
    expect(
      list.body.map((m: { question_index: number; is_follow_up: boolean }) => [m.question_index, m.is_follow_up]),
    ).toEqual([
      [0, false],
      [1, true],
    ]);
    for (const [index, media] of (list.body as { id: string; storage_url: string; file_size: number }[]).entries()) {
      expect(media.file_size).toBe(videos[index].length);
      let bytes: Buffer;
      if (onS3) {
        expect(media.storage_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
        bytes = Buffer.from(await (await fetch(media.storage_url)).arrayBuffer());
      } else {
        // what a <video src> does: no token, the signed link alone
        expect(media.storage_url).toEqual(signedMediaUrl(media.id));
        const res = await t.http().get(pathOf(media.storage_url)).buffer(true).parse(binaryParser).expect(200);
        expect(res.headers['content-disposition']).toMatch(/^attachment;/);
        bytes = res.body as Buffer;
        const viaToken = await t
          .http()
          .get(`/api/v1/submissions/${submission.id}/media/${media.id}/content`)
          .set(bearer(adminTokens))
          .buffer(true)
          .parse(binaryParser)
          .expect(200);
        expect((viaToken.body as Buffer).equals(bytes)).toBe(true);
      }
      expect(bytes.equals(videos[index])).toBe(true);
    }

    // 7. The tenant's statistics count the submission, and every step left an audit row.
    const stats = await t.http().get(`/api/v1/tenants/${tenant.id}/statistics`).set(bearer(adminTokens)).expect(200);
    expect(stats.body.submissions).toMatchObject({ total: 1, sjt: 1, jdt: 0, last_30_days: 1 });
    const actions = (
      await t.db.query(`SELECT action FROM audit_logs WHERE tenant_id = $1 ORDER BY created_at, id`, [tenant.id])
    ).map((row: { action: string }) => row.action);
    expect(actions).toEqual(
      expect.arrayContaining(['configuration.create', 'submission.create', 'media.upload', 'submission.update']),
    );
    expect(actions.filter((action: string) => action === 'media.upload')).toHaveLength(2);
  });
});
