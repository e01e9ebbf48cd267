import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { webm } from '../setup/media-upload';
import { createTestApp, TestApp } from '../setup/test-app';

const run = promisify(execFile);

/** The `bash` blocks of the README's "First steps" section, in order. */
function firstStepsScript(): string {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('\n## First steps\n');
  if (start < 0) throw new Error('README.md has no "## First steps" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (blocks.length < 3) throw new Error('the "First steps" section lost its bash blocks');
  return blocks.join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The README's first steps, copied and pasted by a new user: the commands run unchanged (only the documented
 * http://localhost:8000 becomes this app's address) against an app started as `npm start` does in development,
 * and what they did is then checked in the database and on disk.
 */
describe('README: first steps', () => {
  let t: TestApp;
  let base: string;
  let work: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // development: the first start creates the documented superadmin, as a fresh `npm start` does
    t = await createTestApp({ ENVIRONMENT: 'development', PUBLIC_BASE_URL: base });
    await t.app.listen(port, '127.0.0.1');
    work = mkdtempSync(join(tmpdir(), 'trajectorie-readme-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('every command of the section succeeds, and does what the text says', async () => {
    const recording = webm(20_000);
    writeFileSync(join(work, 'answer.webm'), recording);
    const script = firstStepsScript();
    expect(script).toContain('http://localhost:8000');
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script.replaceAll('http://localhost:8000', base)], {
      cwd: work,
      timeout: 60_000,
    });

    const [tenant] = await t.db.query(`SELECT id FROM tenants WHERE name = 'Acme Corp'`);
    expect(tenant).toBeDefined();
    const users = await t.db.query(`SELECT email, role FROM users WHERE tenant_id = $1 ORDER BY email`, [tenant.id]);
    expect(users).toEqual([
      { email: 'hr@acme.test', role: 'admin' },
      { email: 'jane@acme.test', role: 'candidate' },
    ]);
    const [config] = await t.db.query(
      `SELECT config_data, version FROM configurations WHERE tenant_id = $1 AND config_type = 'sjt'`,
      [tenant.id],
    );
    expect(config).toMatchObject({
      version: 1,
      config_data: { scenarios: [{ id: 's1', question: 'What do you do?' }] },
    });
    // the admin's save echoes the whole configuration; the candidate's read the same scenario without its answer key
    const configLines = stdout.split('\n').filter((line) => line.includes('"config_type":"sjt"'));
    expect(configLines).toHaveLength(2);
    expect(configLines[0]).toContain('Owns the problem');
    expect(JSON.parse(configLines[1]).config_data.scenarios).toEqual([
      { id: 's1', situation: 'A customer is angry about a late delivery.', question: 'What do you do?' },
    ]);
    const submissions = await t.db.query(
      `SELECT s.id, s.candidate_id, u.email FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.tenant_id = $1`,
      [tenant.id],
    );
    expect(submissions).toEqual([{ id: expect.any(String), candidate_id: 'ACME-001', email: 'jane@acme.test' }]);
    const media = await t.db.query(
      `SELECT file_size::int AS file_size, question_index FROM media_files WHERE submission_id = $1`,
      [submissions[0].id],
    );
    expect(media).toEqual([{ file_size: recording.length, question_index: 0 }]);
    expect(readFileSync(join(work, 'downloaded.webm')).equals(recording)).toBe(true);
  });
});
