import { HashSlots } from './password.service';

/** A task the test finishes by hand. */
function deferred() {
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { promise, finish, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('HashSlots', () => {
  it('runs at most `size` tasks at once and starts the others in arrival order', async () => {
    const slots = new HashSlots(2);
    const tasks = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const results = tasks.map((task, index) =>
      slots.run(() => {
        started.push(index);
        return task.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);

    tasks[1].finish('one');
    await tick();
    expect(started).toEqual([0, 1, 2]);

    // A failing task frees its slot too, and its caller gets the error.
    const failed = expect(results[0]).rejects.toThrow('boom');
    tasks[0].fail(new Error('boom'));
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    await failed;

    tasks[2].finish('two');
    tasks[3].finish('three');
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    tasks[4].finish('four');
    await expect(Promise.all(results.slice(1))).resolves.toEqual(['one', 'two', 'three', 'four']);
  });

  it('frees every slot when all tasks are done (a later burst again runs `size` at once)', async () => {
    const slots = new HashSlots(1);
    await Promise.all([slots.run(async () => 1), slots.run(async () => 2)]);
    const task = deferred();
    const started: string[] = [];
    void slots.run(() => {
      started.push('a');
      return task.promise;
    });
    void slots.run(async () => {
      started.push('b');
      return 'b';
    });
    await tick();
    expect(started).toEqual(['a']);
    task.finish('a');
    await tick();
    expect(started).toEqual(['a', 'b']);
  });
});
