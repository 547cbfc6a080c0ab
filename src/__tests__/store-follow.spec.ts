import { PromiseDelegate } from '@lumino/coreutils';

import { RunsFollower } from '../store/follow';
import { FakeRunStore } from './capture-fakes';

describe('RunsFollower', () => {
  it('should read one at a time, the latest read asked for meanwhile next', async () => {
    const store = new FakeRunStore();
    const follower = new RunsFollower({
      store,
      notebookPath: 'nb.ipynb',
      delay: 1,
      readOnChange: () => async () => undefined
    });
    const done: string[] = [];
    const first = new PromiseDelegate<void>();
    const read = (name: string, gate?: Promise<void>) => async () => {
      await gate;
      done.push(name);
    };
    const running = follower.schedule(read('first', first.promise));
    void follower.schedule(read('skipped'));
    void follower.schedule(read('latest'));
    first.resolve();
    await running;
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(done).toEqual(['first', 'latest']);
    follower.dispose();
  });

  it("should read once after a burst of changes to its notebook's runs, and not after disposal", async () => {
    const store = new FakeRunStore();
    let reads = 0;
    const follower = new RunsFollower({
      store,
      notebookPath: 'nb.ipynb',
      delay: 20,
      readOnChange: () => async () => void (reads += 1)
    });
    store.runsChanged.emit('nb.ipynb');
    store.runsChanged.emit('other.ipynb');
    store.runsChanged.emit('nb.ipynb');
    await new Promise(resolve => setTimeout(resolve, 60));
    expect(reads).toBe(1);
    follower.dispose();
    store.runsChanged.emit('nb.ipynb');
    await new Promise(resolve => setTimeout(resolve, 60));
    expect(reads).toBe(1);
  });
});
