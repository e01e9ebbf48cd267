import { FixedWindowThrottlerStorage } from './fixed-window.storage';

describe('FixedWindowThrottlerStorage', () => {
  let now = 1_000_000;
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
  afterEach(() => jest.restoreAllMocks());

  it('counts hits in a fixed window, blocks past the limit for blockDuration, then starts over', async () => {
    const storage = new FixedWindowThrottlerStorage();
    const hit = () => storage.increment('k', 10_000, 3, 10_000, 'burst');
    for (let i = 1; i <= 3; i++)
      expect(await hit()).toEqual({ totalHits: i, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
    now += 4_000;
    expect(await hit()).toEqual({ totalHits: 4, timeToExpire: 6, isBlocked: true, timeToBlockExpire: 10 });
    now += 7_000; // the window has ended, the block has not
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 3 });
    now += 3_000;
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('keeps keys and tiers apart', async () => {
    const storage = new FixedWindowThrottlerStorage();
    await storage.increment('a', 1000, 1, 1000, 'burst');
    expect((await storage.increment('a', 1000, 1, 1000, 'burst')).isBlocked).toBe(true);
    expect((await storage.increment('a', 1000, 1, 1000, 'upload')).isBlocked).toBe(false);
    expect((await storage.increment('b', 1000, 1, 1000, 'burst')).isBlocked).toBe(false);
  });
});
