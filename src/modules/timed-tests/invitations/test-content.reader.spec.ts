import { RequestContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { LoadedTestVersion, TestsService } from '../tests/tests.service';
import { TestContentReader } from './test-content.reader';

const TENANT = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const VERSION = '33333333-3333-4333-8333-333333333333';

function reader() {
  const loaded = {
    test: { id: 't' },
    version: { id: VERSION, tenant_id: TENANT },
    questions: [{ id: 'q' }],
  } as unknown as LoadedTestVersion;
  const loadVersion = jest.fn().mockResolvedValue(loaded);
  const tests = { loadVersion } as unknown as TestsService;
  return { reader: new TestContentReader({} as DatabaseService, tests), loadVersion, loaded };
}

describe('TestContentReader.version (attempt versions cached per process)', () => {
  const ctx = {} as RequestContext;

  it('reads a version once, then serves it from the cache to callers of its tenant', async () => {
    const { reader: r, loadVersion, loaded } = reader();
    const first = await r.version(ctx, TENANT, VERSION);
    const second = await r.version(ctx, TENANT, VERSION);
    expect(loadVersion).toHaveBeenCalledTimes(1);
    expect(second).toBe(first);
    expect(first).toEqual({ version: loaded.version, questions: loaded.questions });
    expect(first).not.toHaveProperty('test');
  });

  it('never gives a cached version to another tenant: that caller goes to the database (RLS decides)', async () => {
    const { reader: r, loadVersion } = reader();
    await r.version(ctx, TENANT, VERSION);
    loadVersion.mockRejectedValueOnce(new Error('TEST_NOT_FOUND'));
    await expect(r.version(ctx, OTHER, VERSION)).rejects.toThrow('TEST_NOT_FOUND');
    expect(loadVersion).toHaveBeenCalledTimes(2);
    expect(loadVersion).toHaveBeenLastCalledWith(ctx, VERSION, OTHER);
  });
});
