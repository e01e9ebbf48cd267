import { MemoryRateLimitStore } from './rate-limit.store';

describe('MemoryRateLimitStore', () => {
  let store: MemoryRateLimitStore;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    store = new MemoryRateLimitStore();
  });
  afterEach(async () => {
    await store.close();
    jest.useRealTimers();
  });

  it('counts hits within a window and reports the time left', async () => {
    expect(await store.hit('k', 60_000)).toEqual({ count: 1, resetMs: 60_000 });
    jest.advanceTimersByTime(10_000);
    expect(await store.hit('k', 60_000)).toEqual({ count: 2, resetMs: 50_000 });
    expect(await store.hit('k', 60_000)).toEqual({ count: 3, resetMs: 50_000 });
  });

  it('keeps keys independent', async () => {
    await store.hit('a', 60_000);
    await store.hit('a', 60_000);
    expect(await store.hit('b', 60_000)).toEqual({ count: 1, resetMs: 60_000 });
  });

  it('refund takes one hit back and never goes below zero', async () => {
    await store.hit('k', 60_000);
    await store.hit('k', 60_000);
    await store.refund('k');
    expect((await store.hit('k', 60_000)).count).toBe(2);
    await store.refund('k');
    await store.refund('k');
    await store.refund('k');
    expect((await store.hit('k', 60_000)).count).toBe(1);
    await expect(store.refund('never-hit')).resolves.toBeUndefined();
  });

  it('starts a new window once the old one has ended (the window is not extended by hits)', async () => {
    await store.hit('k', 1_000);
    jest.advanceTimersByTime(600);
    await store.hit('k', 1_000);
    jest.advanceTimersByTime(399);
    expect(await store.hit('k', 1_000)).toEqual({ count: 3, resetMs: 1 });
    jest.advanceTimersByTime(1);
    expect(await store.hit('k', 1_000)).toEqual({ count: 1, resetMs: 1_000 });
  });

  it('sweeps expired windows', async () => {
    await store.hit('k', 1_000);
    const windows = (store as unknown as { windows: Map<string, unknown> }).windows;
    expect(windows.size).toBe(1);
    jest.advanceTimersByTime(60_000);
    expect(windows.size).toBe(0);
  });
});
