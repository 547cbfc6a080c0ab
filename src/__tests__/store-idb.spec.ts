import type { PendingWrite } from '../store/local';

/**
 * IndexedDB is missing from jsdom; `fake-indexeddb` provides it to tests.
 * Until it is a devDependency these tests are skipped (and say so), and the
 * in-memory local store stands in for IndexedDB in the RunStore tests.
 */
const FAKE_INDEXEDDB = 'fake-indexeddb/auto';

function hasFakeIndexedDB(): boolean {
  try {
    require.resolve(FAKE_INDEXEDDB);
    return true;
  } catch {
    return false;
  }
}

const describeWithIndexedDB = hasFakeIndexedDB() ? describe : describe.skip;

const SERVER = 'http://localhost:8888/\n/home/a/project';

function pending(path: string, server = SERVER): PendingWrite {
  return { folder: 's', path, text: path, once: false, notify: null, server };
}

describeWithIndexedDB(
  'IdbLocalStore (skipped without the fake-indexeddb devDependency)',
  () => {
    beforeAll(async () => {
      await import(FAKE_INDEXEDDB);
      if (typeof structuredClone === 'undefined') {
        // fake-indexeddb clones values as IndexedDB does; jsdom lacks it.
        Object.defineProperty(globalThis, 'structuredClone', {
          value: (value: unknown) => JSON.parse(JSON.stringify(value)),
          configurable: true
        });
      }
    });

    describe('#adoptPending()', () => {
      it('should hand the writes of a closed page to the next one, in order', async () => {
        const { IdbLocalStore } = await import('../store/idb');
        const closed = await IdbLocalStore.open();
        const keys = await closed.appendPending([
          pending('s/a'),
          pending('s/b'),
          pending('s/c')
        ]);
        await closed.removePending([keys[1]]);

        const next = await IdbLocalStore.open();
        const adopted = await next.adoptPending(SERVER);

        expect(adopted.map(item => item.write.path)).toEqual(['s/a', 's/c']);
        expect(await next.adoptPending(SERVER)).toEqual([]);
      });
    });

    describe('#adoptPending() of another server', () => {
      it('should leave the writes of another server logged, for that server', async () => {
        const { IdbLocalStore } = await import('../store/idb');
        const other = 'http://localhost:8888/\n/home/b/other-project';
        const closed = await IdbLocalStore.open();
        await closed.appendPending([
          pending('s/mine'),
          pending('s/theirs', other)
        ]);

        const next = await IdbLocalStore.open();
        const elsewhere = await next.pendingElsewhere(SERVER);
        const adopted = await next.adoptPending(SERVER);

        // The writes of the test before are this server's too.
        expect(adopted.map(item => item.write.path)).toContain('s/mine');
        expect(adopted.map(item => item.write.path)).not.toContain('s/theirs');
        expect(elsewhere.map(write => write.path)).toEqual(['s/theirs']);
        const later = await IdbLocalStore.open();
        expect(
          (await later.adoptPending(other)).map(item => item.write.path)
        ).toEqual(['s/theirs']);
      });
    });

    describe('#setRunList()', () => {
      it('should keep the last run list of a notebook', async () => {
        const { IdbLocalStore } = await import('../store/idb');
        const local = await IdbLocalStore.open();
        const list = { runs: [], problems: ['x'] };
        await local.setRunList('jupyter-runs\nnb.ipynb', list);

        expect(await local.getRunList('jupyter-runs\nnb.ipynb')).toEqual(list);
        expect(await local.getRunList('other')).toBeNull();
      });
    });
  }
);
