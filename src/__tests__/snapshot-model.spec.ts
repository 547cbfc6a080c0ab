import type { Contents } from '@jupyterlab/services';
import { ContentsManagerMock } from '@jupyterlab/services/lib/testutils';

import { SnapshotModel } from '../snapshot/model';
import { SnapshotService } from '../snapshot/service';
import type { StoredRun } from '../store/reader';
import { FakeRunStore, runSummary, settle } from './capture-fakes';

const NOTEBOOK = 'analysis/train.ipynb';
const STARTED = new Date(2026, 10, 26, 15, 44).getTime();

function snapshot(time: number, source: string): StoredRun.Snapshot {
  return {
    time,
    notebook: {
      cells: [
        {
          id: 'c1',
          cell_type: 'code',
          metadata: { trusted: true },
          source,
          execution_count: 1,
          outputs: [{ output_type: 'stream', name: 'stdout', text: 'hi\n' }]
        }
      ],
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } },
      nbformat: 4,
      nbformat_minor: 5
    }
  };
}

/** The store holding run-1 of the notebook, and the snapshots given. */
function storeWith(
  snapshots: StoredRun.Snapshot[],
  status: 'running' | 'finished' = 'finished'
): FakeRunStore {
  const store = new FakeRunStore();
  store.lists.set(NOTEBOOK, {
    runs: [
      runSummary({
        id: 'run-1',
        name: 'swift-otter-1',
        notebookPath: NOTEBOOK,
        status,
        startedAt: STARTED
      })
    ],
    problems: []
  });
  store.storedSnapshots.set(`${NOTEBOOK}/run-1`, snapshots);
  return store;
}

/** A contents manager in memory holding the notebook's folder. */
async function contentsWith(...names: string[]): Promise<Contents.IManager> {
  const contents = new ContentsManagerMock();
  await contents.save('analysis', { type: 'directory' });
  for (const name of ['train.ipynb', ...names]) {
    await contents.save(`analysis/${name}`, { type: 'file', content: '' });
  }
  return contents;
}

describe('SnapshotModel', () => {
  let store: FakeRunStore;
  let contents: Contents.IManager;
  let model: SnapshotModel;

  function create(refreshDelay = 1): SnapshotModel {
    model = new SnapshotModel({
      service: new SnapshotService({ store, contents }),
      store,
      notebookPath: NOTEBOOK,
      runId: 'run-1',
      refreshDelay
    });
    return model;
  }

  /** Say the notebook's runs changed, and wait for the read it causes. */
  async function changed(): Promise<void> {
    store.runsChanged.emit(NOTEBOOK);
    await new Promise(resolve => setTimeout(resolve, 20));
    await settle();
  }

  beforeEach(async () => {
    store = storeWith([snapshot(1000, 'x = 1'), snapshot(2000, 'x = 2')]);
    contents = await contentsWith();
  });

  afterEach(() => {
    model.dispose();
  });

  describe('#refresh()', () => {
    it('should read the run and its last snapshot, untrusted', async () => {
      create();
      expect(model.state.kind).toBe('loading');
      await model.refresh();
      const state = model.state as SnapshotModel.Ready;
      expect(state.kind).toBe('ready');
      expect(state.run.name).toBe('swift-otter-1');
      expect(state.snapshot.time).toBe(2000);
      expect(state.snapshot.notebook.cells).toEqual([
        {
          id: 'c1',
          cell_type: 'code',
          metadata: {},
          source: 'x = 2',
          execution_count: 1,
          outputs: [{ output_type: 'stream', name: 'stdout', text: 'hi\n' }]
        }
      ]);
      expect(state.problems).toEqual([]);
    });

    it('should say when the run has no snapshot, with the problems', async () => {
      store.storedSnapshots.clear();
      store.snapshotProblems = ['packs/abc-0.json.gz is missing; skipped.'];
      create();
      await model.refresh();
      expect(model.state).toEqual({
        kind: 'empty',
        run: expect.objectContaining({ id: 'run-1' }),
        problems: ['packs/abc-0.json.gz is missing; skipped.']
      });
    });

    it('should say when the store holds no such run', async () => {
      store.lists.set(NOTEBOOK, {
        runs: [],
        problems: ['index.json.gz uses format version 3; skipped.']
      });
      create();
      await model.refresh();
      expect(model.state).toEqual({
        kind: 'missing',
        problems: ['index.json.gz uses format version 3; skipped.']
      });
    });

    it('should say why a read failed', async () => {
      store.readSnapshots = () => Promise.reject(new Error('server went away'));
      create();
      await model.refresh();
      expect(model.state).toEqual({
        kind: 'error',
        message: 'server went away'
      });
    });
  });

  describe('#stateChanged', () => {
    it('should follow the snapshots of a run that goes on', async () => {
      store = storeWith([snapshot(1000, 'x = 1')], 'running');
      create();
      await model.refresh();
      const first = (model.state as SnapshotModel.Ready).snapshot;
      const states: SnapshotModel.State[] = [];
      model.stateChanged.connect((_, state) => states.push(state));

      // A write without a new snapshot: the same snapshot object stays.
      await changed();
      expect((model.state as SnapshotModel.Ready).snapshot).toBe(first);

      // The notebook was saved: a new snapshot.
      store.storedSnapshots.set(`${NOTEBOOK}/run-1`, [
        snapshot(1000, 'x = 1'),
        snapshot(3000, 'x = 3')
      ]);
      await changed();
      const next = (model.state as SnapshotModel.Ready).snapshot;
      expect(next.time).toBe(3000);
      expect(next.notebook.cells[0].source).toBe('x = 3');
      expect(states).toHaveLength(2);
    });

    it('should read only the run list once the run has ended', async () => {
      create();
      await model.refresh();
      const reads = store.snapshotReads;
      await store.updateRun(NOTEBOOK, 'run-1', { name: 'renamed' });
      await new Promise(resolve => setTimeout(resolve, 20));
      await settle();
      expect(store.snapshotReads).toBe(reads);
      expect((model.state as SnapshotModel.Ready).run.name).toBe('renamed');
    });

    it('should read once per burst of changes, and only of its notebook', async () => {
      store = storeWith([], 'running');
      create();
      await model.refresh();
      const reads = store.snapshotReads;
      store.runsChanged.emit('other.ipynb');
      store.runsChanged.emit(NOTEBOOK);
      await changed();
      expect(store.snapshotReads).toBe(reads + 1);
    });

    it('should stop following the store once disposed', async () => {
      store = storeWith([], 'running');
      create();
      await model.refresh();
      const reads = store.snapshotReads;
      model.dispose();
      model.dispose();
      expect(model.isDisposed).toBe(true);
      await changed();
      expect(store.snapshotReads).toBe(reads);
    });
  });

  describe('#save()', () => {
    it('should write the snapshot shown beside the notebook', async () => {
      contents = await contentsWith(
        'train (swift-otter-1 2026-11-26 15-44).ipynb'
      );
      create();
      await model.refresh();
      const saving: boolean[] = [];
      model.savingChanged.connect((_, value) => saving.push(value));

      const path = await model.save();

      expect(path).toBe(
        'analysis/train (swift-otter-1 2026-11-26 15-44) (2).ipynb'
      );
      expect(saving).toEqual([true, false]);
      expect(model.saving).toBe(false);
      const saved = await contents.get(path, { content: true });
      expect(saved.type).toBe('notebook');
      expect(saved.content.cells[0].source).toBe('x = 2');
      expect(saved.content.cells[0].metadata).toEqual({});
      expect(saved.content.metadata.jupyterlab_runs.restored_from).toEqual({
        notebook: NOTEBOOK,
        run: 'run-1',
        run_name: 'swift-otter-1',
        snapshot_time: new Date(2000).toISOString()
      });
    });

    it('should refuse while there is no snapshot', async () => {
      store.storedSnapshots.clear();
      create();
      await model.refresh();
      await expect(model.save()).rejects.toThrow(
        'There is no snapshot to save.'
      );
    });

    it('should say when the file cannot be written', async () => {
      create();
      await model.refresh();
      contents.save = () => Promise.reject(new Error('disk full'));
      await expect(model.save()).rejects.toThrow('disk full');
      expect(model.saving).toBe(false);
    });
  });
});

describe('SnapshotService', () => {
  describe('#saveAsNotebook()', () => {
    it('should write a notebook at the root beside a notebook there', async () => {
      const contents = new ContentsManagerMock();
      await contents.save('nb.ipynb', { type: 'file', content: '' });
      const service = new SnapshotService({
        store: new FakeRunStore(),
        contents
      });
      const path = await service.saveAsNotebook({
        notebookPath: 'nb.ipynb',
        run: { id: 'run-1', name: 'a/b', startedAt: STARTED },
        snapshot: snapshot(5, 'print(1)')
      });
      expect(path).toBe('nb (a-b 2026-11-26 15-44).ipynb');
      expect((await contents.get(path)).content.nbformat).toBe(4);
    });
  });

  describe('#read()', () => {
    it('should give each problem once', async () => {
      const store = storeWith([]);
      store.snapshotProblems = ['index.json.gz is damaged; skipped.'];
      store.lists.set(NOTEBOOK, {
        ...store.lists.get(NOTEBOOK)!,
        problems: ['index.json.gz is damaged; skipped.']
      });
      const service = new SnapshotService({
        store,
        contents: await contentsWith()
      });
      expect((await service.read(NOTEBOOK, 'run-1')).problems).toEqual([
        'index.json.gz is damaged; skipped.'
      ]);
    });
  });
});
