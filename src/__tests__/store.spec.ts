import { signalToPromise } from '@jupyterlab/testing';
import { nullTranslator } from '@jupyterlab/translation';
import { gzipSync } from 'zlib';

import type { StoreFormat } from '../store/format';
import { checkRunBlock, parseStoreFile } from '../store/format';
import type { ILocalStore } from '../store/local';
import { MemoryLocalStore } from '../store/local';
import { OVERVIEW_POINTS } from '../store/overview';
import { notebookKey } from '../store/paths';
import type { StoredRun } from '../store/reader';
import { RunStore } from '../store/store';
import type { IRunsSettings, Runs } from '../tokens';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  createTestStore,
  FakeJupyterServer,
  installCompression,
  installWebCrypto,
  PersistentLocalStore
} from './store-server';

const STORE = 'jupyter-runs';
const NOTEBOOK = 'analysis/train.ipynb';
const trans = nullTranslator.load('jupyterlab_runs');

/**
 * A notebook as `NotebookModel.toJSON()` gives it: `cells` of
 * `[id, type, source, count, outputs]`.
 */
function notebookOf(
  cells: [string, string, string, number | null, unknown[] | null][]
): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3' } },
    cells: cells.map(([id, type, source, count, outputs]) => ({
      id,
      cell_type: type,
      metadata: {},
      source,
      ...(type === 'code' ? { execution_count: count, outputs } : {})
    }))
  };
}

describe('RunStore', () => {
  let server: FakeJupyterServer;
  let settings: IRunsSettings;
  const stores: RunStore[] = [];
  let warn: jest.SpyInstance;
  let info: jest.SpyInstance;

  beforeAll(() => {
    installWebCrypto();
    installCompression();
  });

  beforeEach(async () => {
    server = new FakeJupyterServer();
    settings = await resolveRunsSettings(createSettingRegistry());
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    stores.splice(0).forEach(store => store.dispose());
    warn.mockRestore();
    info.mockRestore();
  });

  /**
   * A store over the fake server, disposed after the test.
   */
  function storeUnderTest(
    local: ILocalStore = new MemoryLocalStore()
  ): RunStore {
    const store = createTestStore(server, settings, local);
    stores.push(store);
    return store;
  }

  /**
   * A store whose clock is `now`, disposed after the test.
   */
  function storeAt(now: () => number): RunStore {
    const store = new RunStore({
      contents: server.contents(),
      settings,
      local: new MemoryLocalStore(),
      debounce: 5,
      runningInterval: 20,
      retryDelay: () => 5,
      settle: 5,
      now
    });
    stores.push(store);
    return store;
  }

  /**
   * Give a store what a kernel sent for a notebook and wait until it is
   * written.
   */
  async function record(
    store: RunStore,
    events: Runs.KernelEvent[],
    notebookPath = NOTEBOOK
  ): Promise<RunStore> {
    store.addEvents(notebookPath, events);
    await store.flush();
    return store;
  }

  /**
   * A store over the fake server that has written the events `sent` makes
   * of `kernel`; the kernel is given back to send more.
   */
  async function recorded(
    sent: (kernel: KernelEvents) => Runs.KernelEvent[],
    kernel = new KernelEvents()
  ): Promise<{ store: RunStore; kernel: KernelEvents }> {
    return { store: await record(storeUnderTest(), sent(kernel)), kernel };
  }

  /**
   * A store file read through the format's own checks.
   */
  function read<K extends StoreFormat.Kind>(
    kind: K,
    path: string
  ): Extract<ReturnType<typeof parseStoreFile<K>>, { ok: true }>['value'] {
    const text = server.storeText(path);
    if (text === undefined) {
      throw new Error(`no file ${path}`);
    }
    const parsed = parseStoreFile(kind, text, trans);
    if (!parsed.ok) {
      throw new Error(`${path} ${parsed.problem}`);
    }
    return parsed.value;
  }

  /**
   * The store files whose path ends so.
   */
  function storeFiles(ending: string): string[] {
    return server.storeFiles(STORE).filter(path => path.endsWith(ending));
  }

  /**
   * The one store file whose path ends so.
   */
  function storeFile(ending: string): string {
    const found = storeFiles(ending);
    expect(found).toHaveLength(1);
    return found[0];
  }

  /**
   * The packs of the notebook, read.
   */
  function packs(): StoreFormat.PackFile[] {
    return storeFiles('.json.gz')
      .filter(path => path.includes('/packs/'))
      .map(path => read('pack', path));
  }

  /**
   * A run as the store reads it back, without problems.
   */
  async function readRun(
    store: RunStore,
    runId: string,
    notebookPath = NOTEBOOK,
    options: StoredRun.ReadOptions = {}
  ) {
    const { value, problems } = await store.readRun(
      notebookPath,
      runId,
      options
    );
    expect(problems).toEqual([]);
    expect(value).not.toBeNull();
    return value!;
  }

  describe('#addEvents()', () => {
    it('should turn events into files that listRuns reads back', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1', { seed: 69 }),
        kernel.execution('run-1', 1, 'seed = 69'),
        kernel.metric('run-1', 'rmse', [7.5, 6.61]),
        kernel.runEnd('run-1')
      ]);

      const list = await store.listRuns(NOTEBOOK);
      expect(list.problems).toEqual([]);
      expect(list.runs).toEqual([
        {
          id: 'run-1',
          name: 'run run-1',
          notebookPath: NOTEBOOK,
          status: 'finished',
          startedAt: 1_700_000_002_000,
          endedAt: 1_700_000_005_000,
          params: { seed: 69 },
          metrics: { rmse: 6.61 },
          tags: {},
          note: null,
          pinned: false,
          archived: false
        }
      ]);
    });

    it('should write a store.json, an index and one pack, in format version 2', async () => {
      await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'x = 1'),
        kernel.metric('run-1', 'loss', [0.5, 'NaN']),
        kernel.runEnd('run-1')
      ]);

      const files = server.storeFiles(STORE);
      expect(files).toEqual([
        `${STORE}/notebooks/${files[1].split('/')[2]}/index.json.gz`,
        expect.stringMatching(/\/packs\/[a-z0-9]{8}-0\.json\.gz$/),
        `${STORE}/store.json`
      ]);
      expect(read('store', `${STORE}/store.json`).version).toBe(2);
      expect(read('index', storeFile('/index.json.gz')).version).toBe(2);
      const [pack] = packs();
      expect(pack.blobs).toEqual([{ python: '3.11.4' }, 'x = 1']);
      expect(pack.sessions).toEqual([
        {
          id: 'session-1',
          startedAt: 1_700_000_001_000,
          env: 0,
          seq: 1
        }
      ]);
      expect(pack.runs).toHaveLength(1);
      expect(
        checkRunBlock(pack.runs[0], 'runs[0]', pack.blobs.length, trans)
      ).toMatchObject({ ok: true });
    });

    it('should keep files compressed in one slot and the other emptied', async () => {
      const { store, kernel } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1')
      ]);
      await record(store, [kernel.runEnd('run-1')]);

      const pack = storeFile('-0.json.gz').replace(/\.json\.gz$/, '');
      const [a, b] = [`${pack}.a.json.gz`, `${pack}.b.json.gz`];
      expect(server.files(STORE)).toEqual(expect.arrayContaining([a, b]));
      const sizes = [a, b].map(slot => server.file(slot)!.length);
      expect(sizes.filter(size => size === 0)).toHaveLength(1);
      expect(read('pack', `${pack}.json.gz`).runs[0].status).toBe('finished');
    });

    it('should keep params with their provenance and the executions in order', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'import numpy'),
        kernel.execution('run-1', 2, 'seed = 69'),
        kernel.param('run-1', 'seed', 69),
        kernel.tag('run-1', 'model', 'ridge')
      ]);

      const run = await readRun(store, 'run-1');
      expect(run.params.seed).toEqual({
        value: 69,
        source: 'assignment',
        detail: null,
        exec: 1,
        time: 1_700_000_005_000
      });
      expect(run.executions.map(e => [e.exec, e.source])).toEqual([
        [1, 'import numpy'],
        [2, 'seed = 69']
      ]);
      expect(run.tags).toEqual({ model: 'ridge' });
      expect(run.status).toBe('running');
      expect(run.session).toBe('session-1');
      expect(run.reason).toBe('kernel-start');
      expect(run.env).toEqual({ python: '3.11.4' });
      expect(run.seq).toBe(6);
    });

    it('should file each run under the session that names it when two kernels record one notebook', async () => {
      const store = storeUnderTest();
      const notebookKernel = new KernelEvents('session-a');
      const rerunKernel = new KernelEvents('session-b');
      // The notebook's kernel starts; a re-run's kernel starts beside it;
      // then the notebook's kernel begins a run, its run_start named by the
      // frontend (capture/events.ts).
      await record(store, [notebookKernel.session_()]);
      await record(store, [rerunKernel.session_()]);
      await record(store, [
        { ...notebookKernel.runStart('run-a'), session: 'session-a' }
      ]);
      await record(store, [rerunKernel.runStart('run-b')]);

      expect((await readRun(store, 'run-a')).session).toBe('session-a');
      expect((await readRun(store, 'run-b')).session).toBe('session-b');
    });

    it('should not duplicate events replayed in the same page', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const events = [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'train()'),
        kernel.metric('run-1', 'rmse', [3, 2, 1])
      ];
      store.addEvents(NOTEBOOK, events);
      await record(store, events);
      store.addEvents(NOTEBOOK, events.slice(2));
      await store.flush();

      const run = await readRun(store, 'run-1');
      expect(run.executions).toHaveLength(1);
      expect(run.metrics).toMatchObject([{ name: 'rmse', count: 3 }]);
      expect(packs()).toHaveLength(1);
    });

    it('should not duplicate events replayed after a reload', async () => {
      const kernel = new KernelEvents();
      const first = [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'train()'),
        kernel.metric('run-1', 'rmse', [3, 2])
      ];
      const before = storeUnderTest();
      await record(before, first);
      before.dispose();

      // The reloaded page asks where to resume, and the kernel replays
      // from an older point as well as new events.
      const after = storeUnderTest();
      expect(await after.lastStoredSeq(NOTEBOOK, 'session-1')).toBe(4);
      const more = [
        kernel.metric('run-1', 'rmse', [1], 2),
        kernel.runEnd('run-1')
      ];
      await record(after, [...first.slice(1), ...more]);

      const run = await readRun(after, 'run-1');
      expect(run.executions).toHaveLength(1);
      expect(run.metrics).toMatchObject([
        { name: 'rmse', count: 3, last: 1, min: 1, max: 3 }
      ]);
      expect(run.metrics[0].points.map(point => point[1])).toEqual([0, 1, 2]);
      expect(run.status).toBe('finished');
      // Each page writes its own pack.
      expect(packs()).toHaveLength(2);
      expect(await after.lastStoredSeq(NOTEBOOK, 'session-1')).toBe(6);
    });

    it('should recover what a page wrote to its pack before dying without writing the index', async () => {
      const kernel = new KernelEvents();
      const events = [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'x = 1')
      ];
      const before = storeUnderTest();
      await record(before, events);
      const index = storeFile('/index.json.gz');
      const lost = server.storeText(index)!;
      const more = [
        kernel.metric('run-1', 'rmse', [2, 1]),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2'),
        kernel.execution('run-2', 2, 'y = 2')
      ];
      await record(before, more);
      // The index write never landed, and the browser's log is gone.
      server.plantStore(index, lost);
      before.dispose();

      const after = storeUnderTest();
      expect(await after.lastStoredSeq(NOTEBOOK, 'session-1')).toBe(7);
      await record(after, [
        ...events,
        ...more,
        kernel.metric('run-2', 'loss', [0.5])
      ]);

      const list = await after.listRuns(NOTEBOOK);
      expect(list.runs.map(run => [run.id, run.status])).toEqual([
        ['run-2', 'running'],
        ['run-1', 'finished']
      ]);
      const first = await readRun(after, 'run-1');
      expect(first.metrics).toMatchObject([{ name: 'rmse', count: 2 }]);
      expect(first.executions).toHaveLength(1);
      const second = await readRun(after, 'run-2');
      expect(second.executions.map(e => e.source)).toEqual(['y = 2']);
      expect(second.metrics).toMatchObject([{ name: 'loss', count: 1 }]);
    });

    it('should not rewrite a run on every point of 100,000', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
      // 100,000 points, sent by the kernel in batches of 5,000.
      for (let batch = 0; batch < 20; batch++) {
        const values = Array.from({ length: 5000 }, (_, i) => batch * 5000 + i);
        await record(store, [
          kernel.metric('run-1', 'loss', values, batch * 5000)
        ]);
      }
      await record(store, [kernel.runEnd('run-1')]);

      // Each flush writes the points, the pack and the index, each to a
      // slot, and empties the other slot.
      expect(
        server.fileWrites.filter(path => path.includes('/packs/')).length
      ).toBeLessThan(50);
      const summary = {
        name: 'loss',
        count: 100_000,
        last: 99_999,
        lastStep: 99_999,
        min: 0,
        max: 99_999
      };
      const run = await readRun(store, 'run-1', NOTEBOOK, {
        allPoints: true
      });
      expect(run.metrics).toMatchObject([{ ...summary, sampled: false }]);
      const steps = run.metrics[0].points.map(point => point[1]);
      expect(steps.every((step, i) => step === i)).toBe(true);
    }, 60000);

    it('should start a new pack when the open one is full', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
      for (let batch = 0; batch < 10; batch++) {
        const values = Array.from(
          { length: 10000 },
          (_, i) => Math.sin(batch * 10000 + i) * 1000
        );
        await record(store, [
          kernel.metric('run-1', 'loss', values, batch * 10000)
        ]);
      }

      expect(packs().length).toBeGreaterThan(1);
      const run = await readRun(store, 'run-1', NOTEBOOK, {
        allPoints: true
      });
      expect(run.metrics[0].count).toBe(100_000);
      expect(run.metrics[0].points[99_999][1]).toBe(99_999);
    }, 60000);

    it('should read long series as overviews unless all points are asked for', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
      // A loss curve with one spike up and one down, and a NaN.
      const values: (number | string)[] = Array.from(
        { length: 50_000 },
        (_, i) => 1 + Math.exp(-i / 10_000) + 0.01 * Math.sin(i)
      );
      values[12_345] = 99;
      values[33_333] = -5;
      values[40_000] = 'NaN';
      for (let from = 0; from < values.length; from += 10_000) {
        await record(store, [
          kernel.metric(
            'run-1',
            'loss',
            values.slice(from, from + 10_000),
            from
          )
        ]);
      }
      await record(store, [kernel.runEnd('run-1')]);

      const overview = (await readRun(store, 'run-1')).metrics[0];
      const all = (await readRun(store, 'run-1', NOTEBOOK, { allPoints: true }))
        .metrics[0];
      const summary = {
        count: 50_000,
        min: -5,
        max: 99,
        last: values[49_999],
        lastStep: 49_999
      };
      expect(all).toMatchObject({ ...summary, sampled: false });
      expect(all.points).toHaveLength(50_000);
      expect(overview).toMatchObject({ ...summary, sampled: true });
      expect(overview.points.length).toBeLessThanOrEqual(
        OVERVIEW_POINTS * packs().length
      );
      const kept = (step: number) =>
        overview.points.find(point => point[1] === step)?.[0];
      expect(kept(0)).toBe(values[0]);
      expect(kept(12_345)).toBe(99);
      expect(kept(33_333)).toBe(-5);
      expect(kept(40_000)).toBe('NaN');
      // Every point of the overview is a point logged, in step order.
      overview.points.forEach(point =>
        expect(point[0]).toBe(values[point[1] as number])
      );
      const steps = overview.points.map(point => point[1] as number);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
    }, 60000);

    it('should say when the points of a long series are missing', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const values = Array.from({ length: 5000 }, (_, i) => i);
      await record(store, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.metric('run-1', 'loss', values, 0),
        kernel.runEnd('run-1')
      ]);
      for (const path of server.files(STORE)) {
        if (path.includes('/points/')) {
          server.entries.delete(path);
        }
      }

      const { value, problems } = await store.readRun(NOTEBOOK, 'run-1', {
        allPoints: true
      });
      expect(problems).toEqual([
        expect.stringMatching(/points\/.*\.json\.gz is missing; skipped\./)
      ]);
      // The overview stands in, with the summary of every point.
      expect(value?.metrics[0]).toMatchObject({
        sampled: true,
        count: 5000,
        min: 0,
        max: 4999,
        last: 4999
      });
    });

    it('should write without waiting when a run holds many points', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const values = Array.from({ length: 10000 }, (_, i) => i);
      await record(store, [
        kernel.session_(),
        kernel.runStart('run-1'),
        ...Array.from({ length: 5 }, (_, batch) =>
          kernel.metric('run-1', 'loss', values, batch * 10000)
        )
      ]);

      // Two writes of the long series' points file: one to each slot (the
      // queue sends only the newer of two waiting versions of the pack).
      expect(
        new Set(server.fileWrites.filter(p => p.includes('/points/'))).size
      ).toBe(2);
    });

    it('should store a source run twice only once', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'model.fit(X, y)'),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2'),
        kernel.execution('run-2', 2, 'model.fit(X, y)'),
        kernel.runEnd('run-2')
      ]);

      const [pack] = packs();
      expect(
        pack.blobs.filter(blob => blob === 'model.fit(X, y)')
      ).toHaveLength(1);
      const sources = pack.runs.map(block => block.executions.source);
      expect(sources).toEqual([[1], [1]]);
      for (const id of ['run-1', 'run-2']) {
        const run = await readRun(store, id);
        expect(run.executions[0].source).toBe('model.fit(X, y)');
      }
    });

    it('should refer to a blob another page already stored', async () => {
      const kernel = new KernelEvents();
      await record(storeUnderTest(), [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'fit()')
      ]);

      const second = await record(storeUnderTest(), [
        kernel.runStart('run-2'),
        kernel.execution('run-2', 2, 'fit()')
      ]);

      const [older, newer] = packs().sort((a, b) =>
        a.runs[0].run.localeCompare(b.runs[0].run)
      );
      expect(newer.blobs).toEqual([]);
      expect(newer.runs[0].executions.source).toEqual([`${older.pack}/1`]);
      expect((await readRun(second, 'run-2')).executions[0].source).toBe(
        'fit()'
      );
    });

    it('should keep a notebook whose runs are in packs of several pages apart from others', async () => {
      const kernel = new KernelEvents();
      await record(storeUnderTest(), [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'fit()')
      ]);
      await record(
        storeUnderTest(),
        [kernel.runStart('run-2'), kernel.execution('run-2', 2, 'fit()')],
        'other.ipynb'
      );

      expect(packs()).toHaveLength(2);
      expect(
        packs()
          .map(pack => pack.notebookPath)
          .sort()
      ).toEqual([NOTEBOOK, 'other.ipynb']);
    });

    it('should refer to inherited executions as ranges of the session', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'df = load()'),
        kernel.execution('run-1', 2, 'model = fit(df)'),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2', {}, [1, 2, 7])
      ]);

      const block = packs()[0].runs.find(item => item.run === 'run-2')!;
      expect(block.inherited).toEqual([
        [1, 2],
        [7, 7]
      ]);
      const run = await readRun(store, 'run-2');
      expect(run.inherited.map(e => [e.exec, e.run, e.source])).toEqual([
        [1, 'run-1', 'df = load()'],
        [2, 'run-1', 'model = fit(df)']
      ]);
      expect(run.unknownInherited).toEqual([[7, 7]]);

      // A comparison of many runs reads each without its inheritance.
      const alone = await store.readRun(NOTEBOOK, 'run-2', {
        inherited: false
      });
      expect(alone.value?.inherited).toEqual([]);
      expect(alone.value?.unknownInherited).toEqual([]);
    });

    it.each([
      ['a parent folder', '../x.ipynb'],
      ['an absolute path', '/abs.ipynb'],
      ['a NUL character', 'nul\u0000.ipynb'],
      ['a right-to-left mark', 'evil\u202Egnp.ipynb'],
      ['emoji', '🚀 experiments/📈.ipynb'],
      ['1,000 characters', `${'long-name/'.repeat(99)}x.ipynb`],
      ['a hidden folder', '.hidden/../../x.ipynb'],
      ['backslashes', '..\\..\\x.ipynb']
    ])(
      'should write only inside the store folder for a notebook path with %s',
      async (_, notebookPath) => {
        const store = storeUnderTest();
        const kernel = new KernelEvents();
        await record(
          store,
          [
            kernel.session_(),
            kernel.runStart('run-1'),
            kernel.execution('run-1', 1, 'x = 1'),
            kernel.runEnd('run-1')
          ],
          notebookPath
        );

        const puts = server.requests.filter(r => r.method === 'PUT');
        expect(puts.length).toBeGreaterThan(0);
        for (const { path } of puts) {
          expect(path === STORE || path.startsWith(`${STORE}/`)).toBe(true);
          expect(path.split('/')).not.toContain('..');
          expect(path).toMatch(/^[A-Za-z0-9/._-]+$/);
        }
        const list = await store.listRuns(notebookPath);
        expect(list.runs.map(run => [run.id, run.notebookPath])).toEqual([
          ['run-1', notebookPath]
        ]);
        expect((await readRun(store, 'run-1', notebookPath)).notebookPath).toBe(
          notebookPath
        );
      }
    );

    it.each([
      ['../escape'],
      ['/etc/passwd'],
      ['a/b'],
      ['.hidden'],
      ['CON'],
      ['']
    ])('should refuse the run id %j and write nothing for it', async runId => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart(runId),
        kernel.execution(runId, 1, 'x = 1')
      ]);

      expect(packs().flatMap(pack => pack.runs)).toEqual([]);
      expect((await store.listRuns(NOTEBOOK)).runs).toEqual([]);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining('invalid run id')
      );
    });

    it('should emit runsChanged once the files landed', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const changed = signalToPromise(store.runsChanged);
      store.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);

      const [, path] = await changed;
      expect(path).toBe(NOTEBOOK);
      expect(storeFiles('/index.json.gz')).toHaveLength(1);
    });

    it('should never rewrite an index row it cannot read', async () => {
      const kernel = new KernelEvents();
      await record(storeUnderTest(), [
        kernel.session_(),
        kernel.runStart('run-1')
      ]);
      const path = storeFile('/index.json.gz');
      const head = read('index', path);
      const future = { ...head.runs[0], status: 'paused', planets: 3 };
      server.plantStore(path, JSON.stringify({ ...head, runs: [future] }));

      await record(storeUnderTest(), [
        kernel.runEnd('run-1'),
        kernel.runStart('run-2')
      ]);

      expect(read('index', path).runs).toEqual([
        expect.objectContaining({ id: 'run-2' }),
        future
      ]);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining('"runs[0].status" must be one of')
      );
    });
  });

  describe('#addOutputs()', () => {
    it('should store the outputs of an execution, read back with it', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const outputs = [{ output_type: 'stream', name: 'stdout', text: 'ok\n' }];
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'print("ok")'),
        kernel.execution('run-1', 2, 'x = 1')
      ]);
      store.addOutputs(NOTEBOOK, { run: 'run-1', exec: 1, outputs });
      await store.flush();

      const { value, problems } = await store.readExecutions(NOTEBOOK, 'run-1');
      expect(problems).toEqual([]);
      expect(value!.executions.map(e => [e.exec, e.outputs])).toEqual([
        [1, outputs],
        [2, null]
      ]);
    });

    it('should store a result the same whatever its execution count', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const result = (count: number) => [
        {
          output_type: 'execute_result',
          execution_count: count,
          metadata: {},
          data: { 'text/plain': '42' }
        }
      ];
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, '6 * 7'),
        kernel.execution('run-1', 2, '6 * 7')
      ]);
      store.addOutputs(NOTEBOOK, { run: 'run-1', exec: 1, outputs: result(1) });
      store.addOutputs(NOTEBOOK, { run: 'run-1', exec: 2, outputs: result(2) });
      await store.flush();

      const [pack] = packs();
      expect(
        pack.blobs.filter(blob => JSON.stringify(blob).includes('"="'))
      ).toHaveLength(1);
      const { value } = await store.readExecutions(NOTEBOOK, 'run-1');
      expect(value!.executions.map(e => e.outputs)).toEqual([
        result(1),
        result(2)
      ]);
    });
  });

  describe('#saveSnapshot()', () => {
    /**
     * A notebook whose seed cell and `fit()` cell, with its result, ran as
     * executions `count` and `count + 1`.
     */
    const seededFit = (count: number) =>
      notebookOf([
        ['a', 'code', 'seed = 69', count, []],
        ['b', 'markdown', '# Notes', null, null],
        [
          'c',
          'code',
          'fit()',
          count + 1,
          [
            {
              output_type: 'execute_result',
              execution_count: count + 1,
              metadata: {},
              data: { 'text/plain': '0.5' }
            }
          ]
        ]
      ]);
    const first = seededFit(1);

    it('should store the notebook and give it back whole', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'seed = 69')
      ]);
      store.saveSnapshot(NOTEBOOK, {
        run: 'run-1',
        time: 1_700_000_100_000,
        notebook: first
      });
      await store.flush();

      const { value, problems } = await store.readSnapshots(NOTEBOOK, 'run-1');
      expect(problems).toEqual([]);
      expect(value).toEqual([{ time: 1_700_000_100_000, notebook: first }]);
      expect((await store.readSnapshot(NOTEBOOK, 'run-1')).value).toEqual({
        time: 1_700_000_100_000,
        notebook: first
      });
      const [pack] = packs();
      // The executed source and the snapshot's cell share their blob.
      expect(pack.blobs.filter(blob => blob === 'seed = 69')).toHaveLength(1);
      expect((await readRun(store, 'run-1')).snapshots).toEqual([
        1_700_000_100_000
      ]);
    });

    it('should store later snapshots as changes to the one before', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2'),
        kernel.runEnd('run-2'),
        kernel.runStart('run-3')
      ]);
      // Run All again in the same kernel: every count moves by 2; then the
      // seed changes and a cell is added.
      const second = seededFit(3);
      const third = notebookOf([
        ['a', 'code', 'seed = 7', 5, []],
        ['b', 'markdown', '# Notes', null, null],
        [
          'n',
          'code',
          'print(seed)',
          6,
          [{ output_type: 'stream', name: 'stdout', text: '7\n' }]
        ],
        [
          'c',
          'code',
          'fit()',
          7,
          [{ output_type: 'stream', name: 'stdout', text: '0.4\n' }]
        ]
      ]);
      const notebooks = [first, second, third];
      notebooks.forEach((notebook, i) =>
        store.saveSnapshot(NOTEBOOK, {
          run: `run-${i + 1}`,
          time: 1_700_000_100_000 + i,
          notebook
        })
      );
      await store.flush();

      const snapshots = packs()[0].snapshots;
      expect(snapshots[0].base).toBeUndefined();
      expect(snapshots[1]).toEqual({
        run: 'run-2',
        time: 1_700_000_100_001,
        base: 0,
        cells: [[0, 2, 2]]
      });
      expect(snapshots[2]).toMatchObject({
        base: 1,
        cells: [
          { from: 0, source: expect.any(Number), shift: 2 },
          [1, 1],
          { id: 'n', source: expect.any(Number), count: 6 },
          { from: 2, outputs: expect.any(Number), shift: 3 }
        ]
      });
      for (const [i, notebook] of notebooks.entries()) {
        const { value } = await store.readSnapshots(NOTEBOOK, `run-${i + 1}`);
        expect(value.map(snapshot => snapshot.notebook)).toEqual([notebook]);
      }
    });

    it('should store a whole snapshot every 16', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
      for (let i = 0; i < 40; i++) {
        store.saveSnapshot(NOTEBOOK, {
          run: 'run-1',
          time: 1_700_000_100_000 + i,
          notebook: notebookOf([['a', 'code', `seed = ${i}`, i, []]])
        });
      }
      await store.flush();

      const whole = packs()[0]
        .snapshots.map((snapshot, i) => (snapshot.base === undefined ? i : -1))
        .filter(i => i >= 0);
      expect(whole).toEqual([0, 16, 32]);
      const { value } = await store.readSnapshots(NOTEBOOK, 'run-1');
      expect(value).toHaveLength(40);
      expect(value[39].notebook).toEqual(
        notebookOf([['a', 'code', 'seed = 39', 39, []]])
      );
    });
  });

  describe('#readRun()', () => {
    it('should give back everything recorded of a run', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_({ python: '3.12', packages: { numpy: '2.0' } }),
        kernel.runStart('run-1', { seed: 69 }),
        kernel.execution('run-1', 1, 'seed = 69'),
        kernel.metric('run-1', 'rmse', [7, 'NaN', 6]),
        kernel.tag('run-1', 'model', 'ridge'),
        {
          seq: 6,
          time: 1_700_000_010,
          kind: 'file',
          run: 'run-1',
          path: 'model.pkl',
          mode: 'write',
          size: 10,
          mtime: 1_700_000_009.5,
          sha256: 'a'.repeat(64),
          exec: 1,
          artifact: true
        },
        { seq: 7, time: 1_700_000_011, kind: 'note', run: 'run-1', text: 'ok' },
        {
          seq: 8,
          time: 1_700_000_012,
          kind: 'execution',
          run: 'run-1',
          exec: 2,
          cell_id: null,
          execution_count: null,
          source: 'raise ValueError("x")',
          started: 1_700_000_011.25,
          ended: 1_700_000_011.75,
          outcome: 'error',
          error: { name: 'ValueError', value: 'x', traceback: ['line 1'] }
        },
        {
          seq: 9,
          time: 1_700_000_013,
          kind: 'run_end',
          run: 'run-1',
          status: 'failed'
        }
      ]);

      const run = await readRun(store, 'run-1');
      expect(run).toMatchObject({
        id: 'run-1',
        name: 'run run-1',
        notebookPath: NOTEBOOK,
        status: 'failed',
        reason: 'kernel-start',
        startedAt: 1_700_000_002_000,
        endedAt: 1_700_000_013_000,
        session: 'session-1',
        env: { python: '3.12', packages: { numpy: '2.0' } },
        seq: 9,
        tags: { model: 'ridge' },
        note: 'ok',
        files: [
          {
            path: 'model.pkl',
            mode: 'write',
            size: 10,
            mtime: 1_700_000_009_500,
            sha256: 'a'.repeat(64),
            exec: 1,
            artifact: true
          }
        ]
      });
      expect(run.params.seed).toEqual({
        value: 69,
        source: 'assignment',
        detail: null,
        exec: 1,
        time: 1_700_000_002_000
      });
      expect(run.executions).toEqual([
        {
          exec: 1,
          cellId: 'cell-1',
          executionCount: 1,
          source: 'seed = 69',
          startedAt: 1_700_000_002_000,
          endedAt: 1_700_000_002_500,
          duration: 500,
          outcome: 'ok',
          error: null,
          outputs: null,
          run: 'run-1'
        },
        {
          exec: 2,
          cellId: null,
          executionCount: null,
          source: 'raise ValueError("x")',
          startedAt: 1_700_000_011_250,
          endedAt: 1_700_000_011_750,
          duration: 500,
          outcome: 'error',
          error: { name: 'ValueError', value: 'x', traceback: ['line 1'] },
          outputs: null,
          run: 'run-1'
        }
      ]);
      expect(run.metrics).toEqual([
        {
          name: 'rmse',
          source: 'explicit',
          sampled: false,
          points: [
            [7, 0, 1_700_000_003_000, 1],
            ['NaN', 1, 1_700_000_003_000, 1],
            [6, 2, 1_700_000_003_000, 1]
          ],
          count: 3,
          last: 6,
          lastStep: 2,
          min: 6,
          max: 7
        }
      ]);
    });

    it('should answer null for a run the notebook does not have', async () => {
      const store = storeUnderTest();
      expect(await store.readRun(NOTEBOOK, 'run-9')).toEqual({
        value: null,
        problems: []
      });
    });

    it('should report a damaged pack and still list the runs', async () => {
      await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'x = 1'),
        kernel.runEnd('run-1')
      ]);
      const pack = storeFile('-0.json.gz');
      const whole = gzipSync(Buffer.from(server.storeText(pack)!));
      server.plantInBothSlots(pack, whole.subarray(0, whole.length - 9));

      const reader = storeUnderTest();
      const { value, problems } = await reader.readRun(NOTEBOOK, 'run-1');
      expect(value).toMatchObject({ id: 'run-1', executions: [] });
      expect(problems).toEqual([
        expect.stringMatching(/-0\.json\.gz is damaged and cannot be read/)
      ]);
      expect((await reader.listRuns(NOTEBOOK)).runs).toHaveLength(1);
    });
  });

  describe('#endRun()', () => {
    it.each(['finished', 'crashed'] as const)(
      'should end a running run as %s, and leave an ended one',
      async status => {
        const store = storeUnderTest();
        const kernel = new KernelEvents();
        store.addEvents(NOTEBOOK, [
          kernel.session_(),
          kernel.runStart('run-1'),
          kernel.runEnd('run-1'),
          kernel.runStart('run-2')
        ]);
        store.endRun(NOTEBOOK, 'run-1', status);
        store.endRun(NOTEBOOK, 'run-2', status);
        await store.flush();

        const list = await store.listRuns(NOTEBOOK);
        expect(list.runs.map(run => [run.id, run.status])).toEqual([
          ['run-2', status],
          ['run-1', 'finished']
        ]);
        expect((await readRun(store, 'run-2')).status).toBe(status);
      }
    );

    it('should end a run recorded by a page that is gone', async () => {
      const kernel = new KernelEvents();
      const first = await record(storeUnderTest(), [
        kernel.session_(),
        kernel.runStart('run-1')
      ]);
      first.dispose();

      const second = storeUnderTest();
      second.endRun(NOTEBOOK, 'run-1', 'crashed');
      await second.flush();

      const run = await readRun(second, 'run-1');
      expect(run).toMatchObject({ status: 'crashed', reason: 'kernel-start' });
      expect(packs()).toHaveLength(2);
    });
  });

  describe('#lastStoredSeq()', () => {
    it.each([
      ['an unknown session', 'session-9', 0],
      ['an invalid session id', '../session-1', 0],
      ['a stored session', 'session-1', 3]
    ])('should answer for %s', async (_, session, expected) => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.param('run-1', 'alpha', 0.1)
      ]);

      expect(await store.lastStoredSeq(NOTEBOOK, session)).toBe(expected);
    });

    it('should know a session that has no run yet', async () => {
      await recorded(kernel => [kernel.session_()]);

      expect(read('index', storeFile('/index.json.gz')).sessions).toEqual([
        { id: 'session-1', seq: 1, env: expect.stringMatching(/-0\/0$/) }
      ]);
      expect(await storeUnderTest().lastStoredSeq(NOTEBOOK, 'session-1')).toBe(
        1
      );
    });

    it('should attribute the runs that follow to the session asked about', async () => {
      const kernel = new KernelEvents('session-7');
      await record(storeUnderTest(), [
        kernel.session_(),
        kernel.runStart('run-1')
      ]);

      const second = storeUnderTest();
      const after = await second.lastStoredSeq(NOTEBOOK, 'session-7');
      await record(second, [kernel.runEnd('run-1'), kernel.runStart('run-2')]);

      expect(after).toBe(2);
      const run = await readRun(second, 'run-2');
      expect(run.session).toBe('session-7');
      expect(run.env).toEqual({ python: '3.11.4' });
      expect(await second.lastStoredSeq(NOTEBOOK, 'session-7')).toBe(4);
    });
  });

  describe('#listRuns()', () => {
    async function storeTwoRuns(): Promise<{ store: RunStore; index: string }> {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1', { seed: 69 }),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2', { seed: 42 }),
        kernel.runEnd('run-2')
      ]);
      return { store, index: storeFile('/index.json.gz') };
    }

    /**
     * An index file as another program may write it: any field, anything.
     */
    type LooseIndex = {
      -readonly [K in keyof StoreFormat.IndexFile]: unknown;
    } & { runs: unknown[] };

    /**
     * Rewrite an index as another program might.
     */
    function editIndex(index: string, edit: (file: LooseIndex) => void): void {
      const file = read('index', index) as LooseIndex;
      edit(file);
      server.plantStore(index, JSON.stringify(file));
    }

    it('should list nothing, without problems, for a notebook without runs', async () => {
      const store = storeUnderTest();
      expect(await store.listRuns('new.ipynb')).toEqual({
        runs: [],
        problems: []
      });
    });

    it('should list the runs newest first from the index alone', async () => {
      const { store } = await storeTwoRuns();
      const before = server.requests.length;

      const list = await store.listRuns(NOTEBOOK);

      expect(list.runs.map(run => run.params.seed)).toEqual([42, 69]);
      // The index, and at most the notebook folder's listings (to find the
      // slot that holds the index without a 404, and to see there is no
      // annotations file).
      const asked = server.requests.slice(before).map(r => r.path);
      expect(asked.length).toBeLessThanOrEqual(3);
      expect(asked.filter(path => path.endsWith('.json.gz'))).toEqual([
        expect.stringMatching(/\/index\.[ab]\.json\.gz$/)
      ]);
    });

    it.each([
      [
        'a wrong type',
        (row: StoreFormat.IndexRow) => ({ ...row, startedAt: 'yesterday' }),
        '"runs[0].startedAt" must be a number; got "yesterday"'
      ],
      [
        'a path-like id',
        (row: StoreFormat.IndexRow) => ({ ...row, id: '../../etc' }),
        '"runs[0].id" must be an id'
      ],
      [
        'an unknown status',
        (row: StoreFormat.IndexRow) => ({ ...row, status: 'paused' }),
        '"runs[0].status" must be one of running, finished'
      ],
      [
        'a missing field',
        ({ params, ...row }: StoreFormat.IndexRow) => row,
        '"runs[0].params" must be an object; got missing'
      ],
      [
        'a bad pack name',
        (row: StoreFormat.IndexRow) => ({ ...row, packs: ['../x'] }),
        '"runs[0].packs[0]" must be a pack name'
      ]
    ])(
      'should report a row with %s in one line and list the others',
      async (_, spoil, message) => {
        const { store, index } = await storeTwoRuns();
        editIndex(index, file => {
          file.runs[0] = spoil(file.runs[0] as StoreFormat.IndexRow);
        });

        const list = await store.listRuns(NOTEBOOK);

        expect(list.runs.map(run => run.id)).toEqual(['run-1']);
        expect(list.problems).toHaveLength(1);
        expect(list.problems[0]).toContain(index);
        expect(list.problems[0]).toContain(message);
      }
    );

    it.each([
      [
        'corrupt JSON',
        '{"format": "jupyterlab-runs/index", "ver',
        'is not valid JSON'
      ],
      [
        'a newer version',
        JSON.stringify({
          format: 'jupyterlab-runs/index',
          version: 3,
          rows: 'new'
        }),
        'uses format version 3, which this version of jupyterlab-runs cannot read (it reads version 2)'
      ],
      [
        'version 1',
        JSON.stringify({ format: 'jupyterlab-runs/index', version: 1 }),
        'uses format version 1, written by an unreleased development version of jupyterlab-runs'
      ],
      [
        'another kind of file',
        JSON.stringify({ format: 'jupyterlab-runs/pack', version: 2 }),
        'is not a "jupyterlab-runs/index" file'
      ],
      [
        'no version',
        JSON.stringify({ format: 'jupyterlab-runs/index' }),
        'has no valid "version" number'
      ],
      ['a list', '[]', 'is not a JSON object']
    ])(
      'should report an index with %s in one line, never misread it',
      async (_, content, message) => {
        const { store, index } = await storeTwoRuns();
        server.plantStore(index, content);

        const list = await store.listRuns(NOTEBOOK);

        expect(list.runs).toEqual([]);
        expect(list.problems).toEqual([expect.stringContaining(message)]);
        expect(list.problems[0]).toContain(index);
      }
    );

    it('should read the other slot of an index cut short by a killed server', async () => {
      const { store, index } = await storeTwoRuns();
      const kernel = new KernelEvents('session-2');
      kernel.time = 1_700_000_100;
      // The next write of the index lands half, then the server dies.
      server.tearNext = 2;
      store.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-3')]);
      await new Promise(resolve => setTimeout(resolve, 50));

      const other = storeUnderTest();
      const during = await other.listRuns(NOTEBOOK);
      expect(during.problems).toEqual([]);
      expect(during.runs.map(run => run.id)).toEqual(
        expect.arrayContaining(['run-1', 'run-2'])
      );

      await store.flush();
      expect(read('index', index).runs.map(row => row.id)).toEqual([
        'run-3',
        'run-2',
        'run-1'
      ]);
      expect((await other.listRuns(NOTEBOOK)).runs).toHaveLength(3);
    });

    it('should report an index damaged in both slots', async () => {
      const { store, index } = await storeTwoRuns();
      const torn = gzipSync(Buffer.from('{"format": "jupyterlab-runs/index"}'));
      // Damaged an hour later: the runs' packs are too old to be listed
      // from (only those written about the index's last write are).
      server.advance(60 * 60 * 1000);
      server.plantInBothSlots(index, torn.subarray(0, 12));

      const list = await storeUnderTest().listRuns(NOTEBOOK);

      expect(list.runs).toEqual([]);
      expect(list.problems).toEqual([
        expect.stringContaining(`${index} is damaged and cannot be read`)
      ]);
      expect(store.isDisposed).toBe(false);
    });

    it('should report a missing index segment and list the rest', async () => {
      const { store, index } = await storeTwoRuns();
      editIndex(index, file => {
        file.segments = [{ segment: 0, count: 1000 }];
      });

      const list = await store.listRuns(NOTEBOOK);

      expect(list.runs).toHaveLength(2);
      expect(list.problems).toEqual([
        expect.stringMatching(/index\/0\.json\.gz is missing; skipped\.$/)
      ]);
    });

    it('should list thousands of runs in a few requests', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const events = [kernel.session_()];
      for (let i = 0; i < 2500; i++) {
        const id = `run-${String(i).padStart(5, '0')}`;
        events.push(kernel.runStart(id, { i }), kernel.runEnd(id));
      }
      await record(store, events);
      const before = server.requests.length;

      const list = await store.listRuns(NOTEBOOK);

      expect(list.problems).toEqual([]);
      expect(list.runs).toHaveLength(2500);
      expect(list.runs[0].id).toBe('run-02499');
      // The folder listings plus the index head and its segment files.
      expect(server.requests.length - before).toBeLessThanOrEqual(5);
      expect(
        read('index', storeFile('/index.json.gz')).runs.length
      ).toBeLessThanOrEqual(2000);
    }, 60000);

    it('should keep the runs another tab added to the list', async () => {
      const one = storeUnderTest();
      const two = storeUnderTest();
      const kernelOne = new KernelEvents('session-1');
      const kernelTwo = new KernelEvents('session-2');
      await record(one, [kernelOne.session_(), kernelOne.runStart('run-a')]);
      await record(two, [kernelTwo.session_(), kernelTwo.runStart('run-b')]);
      await record(one, [kernelOne.runEnd('run-a')]);

      const list = await two.listRuns(NOTEBOOK);
      expect(list.runs.map(run => [run.id, run.status]).sort()).toEqual([
        ['run-a', 'finished'],
        ['run-b', 'running']
      ]);
      expect((await readRun(two, 'run-a')).status).toBe('finished');
      expect((await readRun(one, 'run-b')).session).toBe('session-2');
    });

    it('should fail, not fall back, when the server answers with an error', async () => {
      const { store } = await storeTwoRuns();
      await store.listRuns(NOTEBOOK);
      server.failNext = 100;

      await expect(store.listRuns(NOTEBOOK)).rejects.toThrow();
      server.failNext = 0;
    });

    it('should show the runs last read when the server cannot be reached', async () => {
      const { store } = await storeTwoRuns();
      await store.listRuns(NOTEBOOK);
      server.down = true;

      const list = await store.listRuns(NOTEBOOK);

      expect(list.runs).toHaveLength(2);
      expect(list.problems).toEqual([]);
      expect(list.offline).toEqual(expect.any(String));
      expect(await store.cachedRuns(NOTEBOOK)).toMatchObject({
        runs: list.runs
      });
    });
  });

  describe('#readRun() after the user changed a run', () => {
    it('should give the run as the list shows it: renamed, noted, tagged; deleted runs gone', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1', { seed: 69 }),
        kernel.tag('run-1', 'model', 'ridge'),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2'),
        kernel.runEnd('run-2')
      ]);
      await store.updateRun(NOTEBOOK, 'run-1', {
        name: 'baseline',
        note: 'lr too high',
        tags: { model: null, stage: 'prod' }
      });
      await store.deleteRun(NOTEBOOK, 'run-2');

      expect(await readRun(store, 'run-1')).toMatchObject({
        name: 'baseline',
        note: 'lr too high',
        tags: { stage: 'prod' }
      });
      expect((await readRun(store, 'run-1')).tags).not.toHaveProperty('model');
      expect((await store.readRun(NOTEBOOK, 'run-2')).value).toBeNull();
    });
  });

  describe('#updateRun()', () => {
    /**
     * A store that recorded two finished runs and a running one, listed.
     */
    async function storeThreeRuns(): Promise<RunStore> {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1', { seed: 69 }),
        kernel.tag('run-1', 'model', 'ridge'),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2', { seed: 42 }),
        kernel.runEnd('run-2'),
        kernel.runStart('run-3')
      ]);
      await store.listRuns(NOTEBOOK);
      return store;
    }

    /**
     * A run as a store lists it.
     */
    async function listed(
      store: RunStore,
      runId: string
    ): Promise<Runs.RunSummary | undefined> {
      const list = await store.listRuns(NOTEBOOK);
      expect(list.problems).toEqual([]);
      return list.runs.find(run => run.id === runId);
    }

    it.each<[string, Runs.RunChange, Partial<Runs.RunSummary>]>([
      [
        'a new name',
        { name: 'baseline  <b>x</b>' },
        { name: 'baseline  <b>x</b>' }
      ],
      [
        'a note',
        { note: 'lr too high\n\nsee #12' },
        { note: 'lr too high\n\nsee #12' }
      ],
      [
        'tags, over those of runs.set_tag',
        { tags: { stage: 'prod', model: null } },
        { tags: { stage: 'prod' } }
      ],
      ['a pin', { pinned: true }, { pinned: true }],
      ['archiving', { archived: true }, { archived: true }],
      [
        'several fields at once',
        { name: 'b', note: null, tags: { model: 'lasso' }, pinned: false },
        { name: 'b', note: null, tags: { model: 'lasso' }, pinned: false }
      ]
    ])(
      'should list %s at once, and in another page once written',
      async (_, change, expected) => {
        const store = await storeThreeRuns();
        const changed = signalToPromise(store.runsChanged);

        await store.updateRun(NOTEBOOK, 'run-1', change);

        expect((await changed)[1]).toBe(NOTEBOOK);
        expect(await listed(store, 'run-1')).toMatchObject(expected);
        expect(await listed(store, 'run-2')).toMatchObject({
          name: 'run run-2',
          tags: {},
          note: null,
          pinned: false,
          archived: false
        });
        await store.flush();
        expect(await listed(storeUnderTest(), 'run-1')).toMatchObject(expected);
        read('annotations', storeFile('/annotations.json.gz'));
      }
    );

    it('should keep what two pages changed, the later change of a field winning', async () => {
      await storeThreeRuns();
      let clock = 1_800_000_000_000;
      const now = () => clock;
      const one = storeAt(now);
      const two = storeAt(now);
      await one.listRuns(NOTEBOOK);
      await two.listRuns(NOTEBOOK);

      await one.updateRun(NOTEBOOK, 'run-1', {
        name: 'first',
        tags: { a: '1' },
        pinned: true
      });
      clock += 10;
      await two.updateRun(NOTEBOOK, 'run-2', { archived: true });
      await two.updateRun(NOTEBOOK, 'run-1', {
        name: 'second',
        tags: { b: '2' }
      });
      clock -= 5;
      // Written last, set earlier: loses to the page that set it later.
      await one.updateRun(NOTEBOOK, 'run-1', { note: 'n' });
      await Promise.all([one.flush(), two.flush()]);

      for (const store of [one, two, storeUnderTest()]) {
        const list = await store.listRuns(NOTEBOOK);
        expect(list.runs.find(run => run.id === 'run-1')).toMatchObject({
          name: 'second',
          note: 'n',
          tags: { model: 'ridge', a: '1', b: '2' },
          pinned: true,
          archived: false
        });
        expect(list.runs.find(run => run.id === 'run-2')).toMatchObject({
          archived: true
        });
      }
    });

    it('should keep the user text as given and tags named like object fields', async () => {
      const store = await storeThreeRuns();
      const name = '<img src=x onerror=alert(1)> \u202e\u0000 😀';
      await store.updateRun(NOTEBOOK, 'run-1', {
        name,
        tags: JSON.parse('{"__proto__": "p", "constructor": "c"}')
      });
      await store.flush();

      const run = await listed(storeUnderTest(), 'run-1');
      expect(run?.name).toBe(name);
      expect(Object.keys(run?.tags ?? {}).sort()).toEqual([
        '__proto__',
        'constructor',
        'model'
      ]);
    });

    it.each<[string, unknown, RegExp]>([
      ['not an object', 'rename', /^A run change must be an object\.$/],
      ['an unknown field', { title: 'x' }, /has no field "title"/],
      ['a name that is not text', { name: 3 }, /^The run name must be text\.$/],
      ['an empty name', { name: '  ' }, /^The run name must not be empty\.$/],
      [
        'a name too long',
        { name: 'é'.repeat(201) },
        /^The run name is 201 characters long; the most is 200\.$/
      ],
      [
        'a note too long',
        { note: 'x'.repeat(10_001) },
        /^The note is 10001 characters long; the most is 10000\.$/
      ],
      ['a note that is not text', { note: 1 }, /^The note must be text/],
      ['tags that are a list', { tags: ['a'] }, /^The tags must be an object/],
      [
        'an empty tag key',
        { tags: { '': 'x' } },
        /^A tag key must not be empty/
      ],
      [
        'a tag value too long',
        { tags: { k: 'v'.repeat(201) } },
        /^The value of the tag "k" is 201 characters long/
      ],
      [
        'a tag that is a number',
        { tags: { k: 1 } },
        /^The tag "k" must be text/
      ],
      [
        '101 tags',
        {
          tags: Object.fromEntries(
            [...Array(101).keys()].map(i => [`t${i}`, 'x'])
          )
        },
        /^A change can set at most 100 tags; this one has 101\.$/
      ],
      [
        'a pin that is not a boolean',
        { pinned: 'yes' },
        /^"pinned" must be true or false\.$/
      ]
    ])('should refuse %s, and write nothing', async (_, change, message) => {
      const store = await storeThreeRuns();

      await expect(
        store.updateRun(NOTEBOOK, 'run-1', change as Runs.RunChange)
      ).rejects.toThrow(message);

      await store.flush();
      expect(storeFiles('/annotations.json.gz')).toEqual([]);
    });

    it.each([
      ['an invalid run id', '../x', /^"..\/x" is not a run id\.$/],
      [
        'a run the notebook does not have',
        'run-9',
        /^The notebook "analysis\/train.ipynb" has no run "run-9"\.$/
      ]
    ])('should refuse %s', async (_, runId, message) => {
      const store = await storeThreeRuns();
      await expect(
        store.updateRun(NOTEBOOK, runId, { pinned: true })
      ).rejects.toThrow(message);
    });

    it('should refuse a change that gives a run more than 100 tags', async () => {
      const store = await storeThreeRuns();
      const tags = (from: number, count: number) =>
        Object.fromEntries(
          [...Array(count).keys()].map(i => [`t${from + i}`, 'x'])
        );
      await store.updateRun(NOTEBOOK, 'run-1', { tags: tags(0, 60) });
      await store.updateRun(NOTEBOOK, 'run-1', {
        tags: { ...tags(60, 40), t0: null }
      });

      await expect(
        store.updateRun(NOTEBOOK, 'run-1', { tags: tags(100, 2) })
      ).rejects.toThrow(
        'A run can have at most 100 tags set by the user; this change would give it 101.'
      );
      expect(Object.keys((await listed(store, 'run-1'))!.tags)).toHaveLength(
        100
      );
    });

    it('should not rewrite an annotations file of a newer version', async () => {
      const store = await storeThreeRuns();
      await store.updateRun(NOTEBOOK, 'run-1', { pinned: true });
      await store.flush();
      const file = storeFile('/annotations.json.gz');
      const newer = JSON.stringify({
        format: 'jupyterlab-runs/annotations',
        version: 3
      });
      server.plantStore(file, newer);
      const other = storeUnderTest();

      const list = await other.listRuns(NOTEBOOK);
      await expect(
        other.updateRun(NOTEBOOK, 'run-2', { pinned: true })
      ).rejects.toThrow('uses format version 3');

      expect(list.runs).toHaveLength(3);
      expect(list.problems).toEqual([
        expect.stringContaining(`${file} uses format version 3`)
      ]);
      await other.flush();
      expect(server.storeText(file)).toBe(newer);
    });

    it('should report a bad entry in one line and keep it when writing', async () => {
      const store = await storeThreeRuns();
      await store.updateRun(NOTEBOOK, 'run-1', { pinned: true });
      await store.flush();
      const file = storeFile('/annotations.json.gz');
      const content = read('annotations', file);
      const bad = { name: { value: 7, at: 1 } };
      server.plantStore(
        file,
        JSON.stringify({ ...content, runs: { ...content.runs, 'run-2': bad } })
      );
      const other = storeUnderTest();

      const list = await other.listRuns(NOTEBOOK);
      expect(list.problems).toEqual([
        expect.stringContaining('"runs["run-2"].name.value" must be a string')
      ]);
      expect(list.runs.find(run => run.id === 'run-1')?.pinned).toBe(true);
      await other.updateRun(NOTEBOOK, 'run-3', { note: 'x' });
      await other.flush();
      expect(read('annotations', file).runs['run-2']).toEqual(bad);
    });

    it('should list 10,000 annotated runs with one more request', async () => {
      await storeThreeRuns();
      const file = storeFile('/index.json.gz').replace(
        /index\.json\.gz$/,
        'annotations.json.gz'
      );
      const runs: Record<string, StoreFormat.RunAnnotation> = {};
      for (let i = 0; i < 10_000; i++) {
        runs[`old-${i}`] = { pinned: { value: true, at: i } };
      }
      runs['run-1'] = { name: { value: 'renamed', at: 1 } };
      server.plantStore(
        file,
        JSON.stringify({
          format: 'jupyterlab-runs/annotations',
          version: 2,
          notebookPath: NOTEBOOK,
          updatedAt: 1,
          runs
        })
      );
      const other = storeUnderTest();
      await other.listRuns('other.ipynb');
      const before = server.requests.length;

      const list = await other.listRuns(NOTEBOOK);

      expect(list.runs.find(run => run.id === 'run-1')?.name).toBe('renamed');
      // The notebook folder's listing, the index and the annotations; the
      // packs folder's listing and the pack written with the index (a row
      // another page's index write replaced would be there).
      expect(server.requests.length - before).toBeLessThanOrEqual(5);
    });
  });

  describe('#deleteRun()', () => {
    it('should take the run out of every list at once, and keep its blocks', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2'),
        kernel.runEnd('run-2')
      ]);
      const other = storeUnderTest();
      await other.listRuns(NOTEBOOK);
      const packsBefore = packs();

      await store.deleteRun(NOTEBOOK, 'run-1');

      expect((await store.listRuns(NOTEBOOK)).runs.map(run => run.id)).toEqual([
        'run-2'
      ]);
      await store.flush();
      for (const each of [other, storeUnderTest()]) {
        const list = await each.listRuns(NOTEBOOK);
        expect(list).toEqual({
          runs: [expect.objectContaining({ id: 'run-2' })],
          problems: []
        });
      }
      expect(packs()).toEqual(packsBefore);
      await expect(
        store.updateRun(NOTEBOOK, 'run-1', { pinned: true })
      ).rejects.toThrow(
        'The run "run-1" of "analysis/train.ipynb" was deleted.'
      );
      // A page that renames it meanwhile does not bring it back.
      await other.updateRun(NOTEBOOK, 'run-2', { name: 'kept' });
      await other.flush();
      expect(
        (await storeUnderTest().listRuns(NOTEBOOK)).runs.map(run => run.name)
      ).toEqual(['kept']);
    });

    it('should delete a run whose row is in a sealed index segment', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.runEnd('run-1')
      ]);
      const index = storeFile('/index.json.gz');
      const head = read('index', index);
      const old: StoreFormat.IndexRow = {
        ...head.runs[0],
        id: 'run-0',
        name: 'old',
        startedAt: head.runs[0].startedAt - 1000
      };
      const segment = index.replace(/index\.json\.gz$/, 'index/0.json.gz');
      const segmentText = JSON.stringify({
        format: 'jupyterlab-runs/index-segment',
        version: 2,
        notebookPath: NOTEBOOK,
        segment: 0,
        runs: [old]
      });
      server.plantStore(segment, segmentText);
      server.plantStore(
        index,
        JSON.stringify({ ...head, segments: [{ segment: 0, count: 1 }] })
      );
      store.dispose();
      const page = storeUnderTest();

      await page.deleteRun(NOTEBOOK, 'run-0');
      await page.flush();

      for (const each of [page, storeUnderTest()]) {
        const list = await each.listRuns(NOTEBOOK);
        expect(list.problems).toEqual([]);
        expect(list.runs.map(run => run.id)).toEqual(['run-1']);
      }
      expect(server.storeText(segment)).toBe(segmentText);
    });

    it('should refuse to delete a running run', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1')
      ]);

      await expect(store.deleteRun(NOTEBOOK, 'run-1')).rejects.toThrow(
        'The run "run-1" is still running: stop it'
      );
      expect((await storeUnderTest().listRuns(NOTEBOOK)).runs).toHaveLength(1);
    });

    it('should refuse while the server cannot be reached', async () => {
      const { store } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.runEnd('run-1')
      ]);
      server.down = true;

      await expect(store.deleteRun(NOTEBOOK, 'run-1')).rejects.toThrow(
        /^The Jupyter server cannot be reached \(.*\); nothing was changed\.$/
      );
      server.down = false;
      expect((await store.listRuns(NOTEBOOK)).runs).toHaveLength(1);
    });
  });

  describe('#listNotebooks()', () => {
    it('should list the notebooks that have runs, and skip folders it cannot read', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      await record(store, [kernel.session_(), kernel.runStart('run-1')]);
      await record(
        store,
        [kernel.runStart('run-2'), kernel.runEnd('run-2')],
        'b/ünï côdé.ipynb'
      );
      await record(store, [kernel.runStart('run-3')], 'c.ipynb');
      server.plantStore(
        `${STORE}/notebooks/${await notebookKey('c.ipynb')}/index.json.gz`,
        '{"format": "jupyterlab-runs/index", "ver'
      );
      server.plantStore(
        `${STORE}/notebooks/${await notebookKey('d.ipynb')}/index.json.gz`,
        JSON.stringify({
          ...read(
            'index',
            storeFile(`${await notebookKey(NOTEBOOK)}/index.json.gz`)
          ),
          notebookPath: NOTEBOOK
        })
      );
      server.plant(`${STORE}/notebooks/notes.txt`, 'hello');
      const page = storeUnderTest();

      expect(await page.listNotebooks()).toEqual([
        NOTEBOOK,
        'b/ünï côdé.ipynb'
      ]);

      // One warning per folder skipped (a slow machine may add a note
      // about pending writes, which is not this test's business).
      const skipped = warn.mock.calls
        .map(call => String(call[0]))
        .filter(message => message.includes('notebooks/'));
      expect(skipped).toHaveLength(3);
      expect(skipped).toEqual(
        expect.arrayContaining([
          expect.stringContaining('is not valid JSON'),
          expect.stringContaining('notes.txt is not a notebook folder'),
          expect.stringContaining(
            `lists the runs of "${NOTEBOOK}", whose folder is another`
          )
        ])
      );
      const before = server.requests.length;
      await new Promise(resolve => setTimeout(resolve, 2100));
      expect(await page.listNotebooks()).toEqual([
        NOTEBOOK,
        'b/ünï côdé.ipynb'
      ]);
      // Listings, and the indexes of the two folders it could not read.
      expect(
        server.requests
          .slice(before)
          .filter(request => request.path.endsWith('.json.gz'))
          .map(request => request.path.replace(/-[0-9a-f]{12}\//, '/'))
          .sort()
      ).toEqual([
        `${STORE}/notebooks/c-ipynb/index.a.json.gz`,
        `${STORE}/notebooks/d-ipynb/index.a.json.gz`
      ]);
    });

    it('should list nothing for a store without runs', async () => {
      expect(await storeUnderTest().listNotebooks()).toEqual([]);
    });
  });

  describe('#flush()', () => {
    it('should retry failed writes and keep their order', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      server.failNext = 7;
      await record(store, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.metric('run-1', 'loss', [1, 0.5])
      ]);

      const order = server.fileWrites.map(path => path.split('/').pop()!);
      const pack = order.findIndex(name => /-0\.[ab]\.json\.gz$/.test(name));
      const index = order.findIndex(name =>
        /^index\.[ab]\.json\.gz$/.test(name)
      );
      expect(pack).toBeGreaterThanOrEqual(0);
      expect(pack).toBeLessThan(index);
      expect(order[order.length - 1]).toMatch(/^index\.[ab]\.json\.gz$/);
      expect(server.requests.filter(r => r.status === 503)).toHaveLength(7);
      expect((await store.listRuns(NOTEBOOK)).runs).toHaveLength(1);
    });

    it('should keep writing after the server comes back, and say so once', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const problems: (string | null)[] = [];
      store.healthChanged.connect((_, health) =>
        problems.push(health.writes === 'saving' ? null : health.writes)
      );
      server.down = true;
      store.addEvents(NOTEBOOK, [kernel.session_()]);
      await new Promise(resolve => setTimeout(resolve, 50));
      store.addEvents(NOTEBOOK, [
        kernel.runStart('run-1'),
        kernel.runEnd('run-1')
      ]);
      await new Promise(resolve => setTimeout(resolve, 50));
      server.down = false;
      await store.flush();

      expect(problems).toEqual(['offline', null]);
      const runsWarnings = warn.mock.calls.filter(([message]) =>
        String(message).includes('cannot be reached')
      );
      expect(runsWarnings).toHaveLength(1);
      expect((await store.listRuns(NOTEBOOK)).runs).toMatchObject([
        { id: 'run-1', status: 'finished' }
      ]);
    });

    it('should pause saving while the server refuses writes, say which file and why, and save everything once it can', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      await record(store, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.metric('run-1', 'loss', [3, 2]),
        kernel.runEnd('run-1')
      ]);
      const before = new Map(
        [...server.entries].map(([path, entry]) => [
          path,
          entry.type === 'file' ? entry.bytes.toString('base64') : 'folder'
        ])
      );
      const healths: Runs.StoreHealth[] = [];
      store.healthChanged.connect((_, health) => healths.push(health));

      server.readOnly = true;
      store.addEvents(NOTEBOOK, [
        kernel.runStart('run-2'),
        kernel.metric('run-2', 'loss', [1, 0.5, 0.25]),
        kernel.runEnd('run-2')
      ]);
      await signalToPromise(store.healthChanged);
      const refused = store.health;
      expect(refused.reason).toMatch(/^Permission denied: jupyter-runs\//);
      expect(refused.path).toMatch(/^jupyter-runs\/notebooks\//);
      expect(refused.since).toEqual(expect.any(Number));
      // Nothing recorded before was touched.
      for (const [path, bytes] of before) {
        const entry = server.entries.get(path)!;
        expect(
          entry.type === 'file' ? entry.bytes.toString('base64') : 'folder'
        ).toBe(bytes);
      }

      server.readOnly = false;
      store.retryNow();
      await store.flush();
      expect(store.health.writes).toBe('saving');
      expect(healths.map(health => health.writes)).toEqual([
        'refused',
        'saving'
      ]);
      const runs = (await store.listRuns(NOTEBOOK)).runs;
      expect(runs.map(run => [run.id, run.status])).toEqual([
        ['run-2', 'finished'],
        ['run-1', 'finished']
      ]);
      const run2 = (await store.readRun(NOTEBOOK, 'run-2')).value!;
      expect(run2.metrics[0].points.map(point => point[0])).toEqual([
        1, 0.5, 0.25
      ]);
    });

    it('should say once that the browser store fails, and still save to the server', async () => {
      const full = new MemoryLocalStore();
      full.appendPending = async () => {
        throw new DOMException(
          'The quota has been exceeded.',
          'QuotaExceededError'
        );
      };
      const store = storeUnderTest(full);
      const kernel = new KernelEvents();
      const problems: (string | null)[] = [];
      store.healthChanged.connect((_, health) =>
        problems.push(health.localProblem)
      );
      await record(store, [kernel.session_(), kernel.runStart('run-1')]);
      await record(store, [
        kernel.metric('run-1', 'loss', [1, 2]),
        kernel.runEnd('run-1')
      ]);

      expect(problems).toEqual(['The quota has been exceeded.']);
      expect(
        warn.mock.calls.filter(([message]) =>
          String(message).includes('IndexedDB')
        )
      ).toHaveLength(1);
      expect((await store.listRuns(NOTEBOOK)).runs).toMatchObject([
        { id: 'run-1', status: 'finished' }
      ]);
    });

    it('should finish the writes of a closed page in the next one', async () => {
      const browser = new PersistentLocalStore();
      const kernel = new KernelEvents();
      const firstLocal = browser.open();
      const first = storeUnderTest(firstLocal);
      await record(first, [kernel.session_(), kernel.runStart('run-1')]);
      server.down = true;
      first.addEvents(NOTEBOOK, [
        kernel.execution('run-1', 1, 'train()'),
        kernel.runEnd('run-1')
      ]);
      // Wait until the writes are logged and failing, then close the tab.
      await new Promise(resolve => setTimeout(resolve, 100));
      expect(browser.pending.size).toBeGreaterThan(0);
      first.dispose();
      firstLocal.close();

      server.down = false;
      const second = storeUnderTest(browser.open());
      await second.flush();

      expect(browser.pending.size).toBe(0);
      expect((await second.listRuns(NOTEBOOK)).runs).toMatchObject([
        { id: 'run-1', status: 'finished' }
      ]);
      expect(await second.lastStoredSeq(NOTEBOOK, 'session-1')).toBe(4);
      const run = await readRun(second, 'run-1');
      expect(run.executions.map(e => e.source)).toEqual(['train()']);
    });

    it('should rewrite a pack cut short by a killed server', async () => {
      const { store, kernel } = await recorded(kernel => [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'x = 1')
      ]);
      server.tearNext = 1;
      await record(store, [
        kernel.execution('run-1', 2, 'y = 2'),
        kernel.runEnd('run-1')
      ]);

      expect(server.requests.filter(r => r.status === null)).toHaveLength(1);
      const run = await readRun(storeUnderTest(), 'run-1');
      expect(run.executions.map(e => e.source)).toEqual(['x = 1', 'y = 2']);
      expect(run.status).toBe('finished');
    });
  });

  describe('store.json', () => {
    it.each([
      [3, 'uses format version 3'],
      [1, 'uses format version 1, written by an unreleased development version']
    ])(
      'should refuse to write into or list a store of format version %s',
      async (version, message) => {
        server.plant(
          `${STORE}/store.json`,
          JSON.stringify({ format: 'jupyterlab-runs/store', version })
        );
        const { store } = await recorded(kernel => [
          kernel.session_(),
          kernel.runStart('run-1')
        ]);

        expect(server.files(STORE)).toEqual([`${STORE}/store.json`]);
        expect(warn).toHaveBeenCalledWith(expect.stringContaining(message));
        const list: Runs.RunList = await store.listRuns(NOTEBOOK);
        expect(list).toEqual({
          runs: [],
          problems: [expect.stringContaining(`${STORE}/store.json ${message}`)]
        });
      }
    );
  });
});
