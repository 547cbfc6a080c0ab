import { signalToPromise } from '@jupyterlab/testing';

import type { StoreFormat } from '../store/format';
import { parseStoreFile } from '../store/format';
import type { ILocalStore } from '../store/local';
import { MemoryLocalStore } from '../store/local';
import { RunStore } from '../store/store';
import type { IRunsSettings } from '../tokens';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  FakeJupyterServer,
  installWebCrypto,
  PersistentLocalStore
} from './store-server';
import { nullTranslator } from '@jupyterlab/translation';

const STORE = 'jupyter-runs';
const NOTEBOOK = 'analysis/train.ipynb';
const trans = nullTranslator.load('jupyterlab_runs');

describe('RunStore', () => {
  let server: FakeJupyterServer;
  let settings: IRunsSettings;
  const stores: RunStore[] = [];
  let warn: jest.SpyInstance;
  let info: jest.SpyInstance;

  beforeAll(() => {
    installWebCrypto();
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
    const store = new RunStore({
      contents: server.contents(),
      settings,
      local,
      debounce: 5,
      runningInterval: 20,
      retryDelay: () => 5
    });
    stores.push(store);
    return store;
  }

  /**
   * A store file read through the format's own checks.
   */
  function read<K extends StoreFormat.Kind>(
    kind: K,
    path: string
  ): Extract<ReturnType<typeof parseStoreFile<K>>, { ok: true }>['value'] {
    const text = server.file(path);
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
   * The one file under the store whose path ends so.
   */
  function storeFile(ending: string): string {
    const found = server.files(STORE).filter(path => path.endsWith(ending));
    expect(found).toHaveLength(1);
    return found[0];
  }

  describe('#addEvents()', () => {
    it('should turn events into files that listRuns reads back', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1', { seed: 69 }),
        kernel.execution('run-1', 1, 'seed = 69'),
        kernel.metric('run-1', 'rmse', [7.5, 6.61]),
        kernel.runEnd('run-1')
      ]);
      await store.flush();

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
          metrics: { rmse: 6.61 }
        }
      ]);
    });

    it('should write every file in format version 1', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'x = 1'),
        kernel.metric('run-1', 'loss', [0.5, 'NaN']),
        kernel.runEnd('run-1')
      ]);
      await store.flush();

      const kinds: [string, Parameters<typeof parseStoreFile>[0]][] = [
        ['/store.json', 'store'],
        ['/index.json', 'index'],
        ['/run.json', 'run'],
        ['/metrics/0.json', 'metrics'],
        ['/sessions/session-1.json', 'session']
      ];
      for (const [ending, kind] of kinds) {
        const parsed = parseStoreFile(
          kind,
          server.file(storeFile(ending))!,
          trans
        );
        expect(parsed).toMatchObject({ ok: true });
      }
      const blobs = server.files(`${STORE}/blobs`);
      expect(blobs).toHaveLength(1);
      expect(parseStoreFile('blob', server.file(blobs[0])!, trans)).toEqual({
        ok: true,
        value: { format: 'jupyterlab-runs/blob', version: 1, data: 'x = 1' }
      });
      expect(server.files(`${STORE}/envs`)).toHaveLength(1);
    });

    it('should keep params with their provenance and the executions in order', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'import numpy'),
        kernel.execution('run-1', 2, 'seed = 69'),
        kernel.param('run-1', 'seed', 69),
        kernel.tag('run-1', 'model', 'ridge')
      ]);
      await store.flush();

      const run = read('run', storeFile('/run.json'));
      expect(run.params.seed).toEqual({
        value: 69,
        source: 'assignment',
        detail: null,
        exec: 1,
        time: 1_700_000_005_000
      });
      expect(run.executions.map(e => e.exec)).toEqual([1, 2]);
      expect(run.tags).toEqual({ model: 'ridge' });
      expect(run.status).toBe('running');
      expect(run.session).toBe('session-1');
      expect(run.lastSeq).toBe(6);
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
      store.addEvents(NOTEBOOK, events);
      await store.flush();
      store.addEvents(NOTEBOOK, events.slice(2));
      await store.flush();

      const run = read('run', storeFile('/run.json'));
      expect(run.executions).toHaveLength(1);
      expect(run.metrics.rmse.count).toBe(3);
      expect(
        server.files(`${STORE}/notebooks`).filter(p => p.includes('/metrics/'))
      ).toHaveLength(1);
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
      before.addEvents(NOTEBOOK, first);
      await before.flush();
      before.dispose();

      // The reloaded page asks where to resume, and the kernel replays
      // from an older point as well as new events.
      const after = storeUnderTest();
      expect(await after.lastStoredSeq(NOTEBOOK, 'session-1')).toBe(4);
      const more = [
        kernel.metric('run-1', 'rmse', [1], 2),
        kernel.runEnd('run-1')
      ];
      after.addEvents(NOTEBOOK, [...first.slice(1), ...more]);
      await after.flush();

      const run = read('run', storeFile('/run.json'));
      expect(run.executions).toHaveLength(1);
      expect(run.metrics.rmse).toMatchObject({ count: 3, last: 1, min: 1 });
      expect(run.metricSegments).toBe(2);
      expect(run.status).toBe('finished');
      expect(await after.lastStoredSeq(NOTEBOOK, 'session-1')).toBe(6);
    });

    it('should append metric segments and never rewrite one', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
      // 100,000 points, sent by the kernel in batches of 5,000.
      for (let batch = 0; batch < 20; batch++) {
        const values = Array.from({ length: 5000 }, (_, i) => batch * 5000 + i);
        store.addEvents(NOTEBOOK, [
          kernel.metric('run-1', 'loss', values, batch * 5000)
        ]);
        await store.flush();
      }
      store.addEvents(NOTEBOOK, [kernel.runEnd('run-1')]);
      await store.flush();

      const segments = server.fileWrites.filter(p => p.includes('/metrics/'));
      expect(new Set(segments).size).toBe(segments.length);
      expect(segments).toHaveLength(20);
      const points = segments
        .map(path => read('metrics', path).series[0].points.length)
        .reduce((a, b) => a + b, 0);
      expect(points).toBe(100_000);
      // Each flush writes a segment, run.json, the session and the index.
      expect(server.fileWrites.length).toBeLessThan(100);
      const run = read('run', storeFile('/run.json'));
      expect(run.metrics.loss).toMatchObject({
        count: 100_000,
        last: 99_999,
        lastStep: 99_999,
        min: 0,
        max: 99_999
      });
    });

    it('should write a segment without waiting when a run holds many points', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const values = Array.from({ length: 10000 }, (_, i) => i);
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        ...Array.from({ length: 5 }, (_, batch) =>
          kernel.metric('run-1', 'loss', values, batch * 10000)
        )
      ]);
      await store.flush();

      const segments = server.fileWrites.filter(p => p.includes('/metrics/'));
      expect(segments.length).toBeGreaterThanOrEqual(2);
    });

    it('should store a source run twice only once', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'model.fit(X, y)'),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2'),
        kernel.execution('run-2', 2, 'model.fit(X, y)'),
        kernel.runEnd('run-2')
      ]);
      await store.flush();

      const blobWrites = server.fileWrites.filter(p => p.includes('/blobs/'));
      expect(blobWrites).toHaveLength(1);
      const sources = server
        .files(STORE)
        .filter(path => path.endsWith('/run.json'))
        .map(path => read('run', path).executions[0].sourceBlob);
      expect(sources).toHaveLength(2);
      expect(sources[0]).toBe(sources[1]);
    });

    it('should not write a blob another page already stored', async () => {
      const kernel = new KernelEvents();
      const first = storeUnderTest();
      first.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'fit()')
      ]);
      await first.flush();

      const second = storeUnderTest();
      second.addEvents('other.ipynb', [
        kernel.runStart('run-2'),
        kernel.execution('run-2', 2, 'fit()')
      ]);
      await second.flush();

      expect(server.fileWrites.filter(p => p.includes('/blobs/'))).toHaveLength(
        1
      );
    });

    it('should refer to inherited executions as ranges of the runs that recorded them', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'df = load()'),
        kernel.execution('run-1', 2, 'model = fit(df)'),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2', {}, [1, 2, 7])
      ]);
      await store.flush();

      const path = server
        .files(STORE)
        .find(p => p.endsWith('/runs/run-2/run.json'))!;
      expect(read('run', path).inherited).toEqual([
        { run: 'run-1', from: 1, to: 2 },
        { run: null, from: 7, to: 7 }
      ]);
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
        store.addEvents(notebookPath, [
          kernel.session_(),
          kernel.runStart('run-1'),
          kernel.execution('run-1', 1, 'x = 1'),
          kernel.runEnd('run-1')
        ]);
        await store.flush();

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
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart(runId),
        kernel.execution(runId, 1, 'x = 1')
      ]);
      await store.flush();

      expect(server.files(STORE).filter(p => p.includes('/runs/'))).toEqual([]);
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
      expect(server.files(STORE).some(p => p.endsWith('/index.json'))).toBe(
        true
      );
    });

    it('should never overwrite a run file it cannot read', async () => {
      const kernel = new KernelEvents();
      const first = storeUnderTest();
      first.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
      await first.flush();
      const path = storeFile('/run.json');
      const future = JSON.stringify({
        format: 'jupyterlab-runs/run',
        version: 2
      });
      server.plant(path, future);

      const second = storeUnderTest();
      second.addEvents(NOTEBOOK, [kernel.runEnd('run-1')]);
      await second.flush();

      expect(server.file(path)).toBe(future);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining('format version 2')
      );
    });
  });

  describe('#addOutputs()', () => {
    it('should store the outputs of an execution as a blob', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const outputs = [{ output_type: 'stream', name: 'stdout', text: 'ok\n' }];
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.execution('run-1', 1, 'print("ok")')
      ]);
      store.addOutputs(NOTEBOOK, { run: 'run-1', exec: 1, outputs });
      await store.flush();

      const digest = read('run', storeFile('/run.json')).outputs['1'];
      const blob = server.file(storeFile(`/${digest}.json`))!;
      expect(JSON.parse(blob).data).toEqual(outputs);
    });
  });

  describe('#saveSnapshot()', () => {
    it('should store the notebook with its cells as shared blobs', async () => {
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
        notebook: {
          nbformat: 4,
          nbformat_minor: 5,
          metadata: { kernelspec: { name: 'python3' } },
          cells: [
            {
              id: 'a',
              cell_type: 'code',
              source: ['seed', ' = 69'],
              metadata: {},
              outputs: [],
              execution_count: 1
            },
            { id: 'b', cell_type: 'markdown', source: '# Notes', metadata: {} }
          ]
        }
      });
      await store.flush();

      const run = read('run', storeFile('/run.json'));
      const snapshot = read('snapshot', storeFile('/snapshots/0.json'));
      expect(run.snapshots).toBe(1);
      expect(snapshot.cells[0].sourceBlob).toBe(run.executions[0].sourceBlob);
      expect(snapshot.cells[1]).toMatchObject({
        id: 'b',
        cellType: 'markdown',
        outputsBlob: null
      });
      expect(
        parseStoreFile('snapshot', JSON.stringify(snapshot), trans).ok
      ).toBe(true);
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
      }
    );
  });

  describe('#lastStoredSeq()', () => {
    it.each([
      ['an unknown session', 'session-9', 0],
      ['an invalid session id', '../session-1', 0],
      ['a stored session', 'session-1', 3]
    ])('should answer for %s', async (_, session, expected) => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.param('run-1', 'alpha', 0.1)
      ]);
      await store.flush();

      expect(await store.lastStoredSeq(NOTEBOOK, session)).toBe(expected);
    });

    it('should attribute the runs that follow to the session asked about', async () => {
      const kernel = new KernelEvents('session-7');
      const first = storeUnderTest();
      first.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
      await first.flush();

      const second = storeUnderTest();
      const after = await second.lastStoredSeq(NOTEBOOK, 'session-7');
      second.addEvents(NOTEBOOK, [
        kernel.runEnd('run-1'),
        kernel.runStart('run-2')
      ]);
      await second.flush();

      expect(after).toBe(2);
      const path = storeFile('/runs/run-2/run.json');
      expect(read('run', path).session).toBe('session-7');
      expect(
        read('session', storeFile('/sessions/session-7.json')).runs
      ).toEqual(['run-1', 'run-2']);
    });
  });

  describe('#listRuns()', () => {
    async function storeTwoRuns(): Promise<{ store: RunStore; index: string }> {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1', { seed: 69 }),
        kernel.runEnd('run-1'),
        kernel.runStart('run-2', { seed: 42 }),
        kernel.runEnd('run-2')
      ]);
      await store.flush();
      return { store, index: storeFile('/index.json') };
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
      // The notebook folder's listing (to learn whether the index exists
      // without a 404), then the index.
      expect(server.requests.length - before).toBe(2);
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
      ]
    ])(
      'should report a row with %s in one line and list the others',
      async (_, spoil, message) => {
        const { store, index } = await storeTwoRuns();
        const file = read('index', index) as {
          -readonly [K in keyof StoreFormat.IndexFile]: unknown;
        } & { runs: unknown[] };
        file.runs[0] = spoil(file.runs[0] as StoreFormat.IndexRow);
        server.plant(index, JSON.stringify(file));

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
          version: 2,
          rows: 'new'
        }),
        'uses format version 2, which this version of jupyterlab-runs cannot read (it reads version 1)'
      ],
      [
        'another kind of file',
        JSON.stringify({ format: 'jupyterlab-runs/run', version: 1 }),
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
        server.plant(index, content);

        const list = await store.listRuns(NOTEBOOK);

        expect(list.runs).toEqual([]);
        expect(list.problems).toEqual([expect.stringContaining(message)]);
        expect(list.problems[0]).toContain(index);
      }
    );

    it('should report a missing index segment and list the rest', async () => {
      const { store, index } = await storeTwoRuns();
      const file = read('index', index) as {
        -readonly [K in keyof StoreFormat.IndexFile]: unknown;
      } & { runs: unknown[] };
      file.segments = [{ segment: 0, count: 1000 }];
      server.plant(index, JSON.stringify(file));

      const list = await store.listRuns(NOTEBOOK);

      expect(list.runs).toHaveLength(2);
      expect(list.problems).toEqual([
        expect.stringMatching(/index\/0\.json is missing; skipped\.$/)
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
      store.addEvents(NOTEBOOK, events);
      await store.flush();
      const before = server.requests.length;

      const list = await store.listRuns(NOTEBOOK);

      expect(list.problems).toEqual([]);
      expect(list.runs).toHaveLength(2500);
      expect(list.runs[0].id).toBe('run-02499');
      // The folder listings plus the index head and its segment files.
      expect(server.requests.length - before).toBeLessThanOrEqual(5);
      expect(
        read('index', storeFile('/index.json')).runs.length
      ).toBeLessThanOrEqual(2000);
    }, 60000);

    it('should keep the runs another tab added to the list', async () => {
      const one = storeUnderTest();
      const two = storeUnderTest();
      const kernelOne = new KernelEvents('session-1');
      const kernelTwo = new KernelEvents('session-2');
      one.addEvents(NOTEBOOK, [
        kernelOne.session_(),
        kernelOne.runStart('run-a')
      ]);
      await one.flush();
      two.addEvents(NOTEBOOK, [
        kernelTwo.session_(),
        kernelTwo.runStart('run-b')
      ]);
      await two.flush();
      one.addEvents(NOTEBOOK, [kernelOne.runEnd('run-a')]);
      await one.flush();

      const list = await two.listRuns(NOTEBOOK);
      expect(list.runs.map(run => [run.id, run.status]).sort()).toEqual([
        ['run-a', 'finished'],
        ['run-b', 'running']
      ]);
    });

    it('should show the runs last read when the server cannot be reached', async () => {
      const { store } = await storeTwoRuns();
      await store.listRuns(NOTEBOOK);
      server.down = true;

      const list = await store.listRuns(NOTEBOOK);

      expect(list.runs).toHaveLength(2);
      expect(list.problems).toEqual([
        expect.stringContaining('The Jupyter server cannot be reached')
      ]);
      expect(await store.cachedRuns(NOTEBOOK)).toMatchObject({
        runs: list.runs
      });
    });
  });

  describe('#flush()', () => {
    it('should retry failed writes and keep their order', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      server.failNext = 7;
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.metric('run-1', 'loss', [1, 0.5])
      ]);
      await store.flush();

      const order = server.fileWrites.map(path =>
        path.split('/').slice(-2).join('/')
      );
      const segment = order.indexOf('metrics/0.json');
      expect(segment).toBeGreaterThanOrEqual(0);
      expect(segment).toBeLessThan(order.indexOf('run-1/run.json'));
      expect(order.indexOf('run-1/run.json')).toBeLessThan(order.length - 1);
      expect(order[order.length - 1]).toMatch(/index\.json$/);
      expect(server.requests.filter(r => r.status === 503)).toHaveLength(7);
      expect((await store.listRuns(NOTEBOOK)).runs).toHaveLength(1);
    });

    it('should keep writing after the server comes back, and say so once', async () => {
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      const problems: (string | null)[] = [];
      store.serverProblem.connect((_, message) => problems.push(message));
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

      expect(problems).toEqual([
        expect.stringContaining('the Jupyter server cannot be reached'),
        null
      ]);
      const runsWarnings = warn.mock.calls.filter(([message]) =>
        String(message).includes('cannot be reached')
      );
      expect(runsWarnings).toHaveLength(1);
      expect((await store.listRuns(NOTEBOOK)).runs).toMatchObject([
        { id: 'run-1', status: 'finished' }
      ]);
    });

    it('should finish the writes of a closed page in the next one', async () => {
      const browser = new PersistentLocalStore();
      const kernel = new KernelEvents();
      const firstLocal = browser.open();
      const first = storeUnderTest(firstLocal);
      first.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
      await first.flush();
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
    });
  });

  describe('store.json', () => {
    it('should refuse to write into a store of a newer format version', async () => {
      server.plant(
        `${STORE}/store.json`,
        JSON.stringify({ format: 'jupyterlab-runs/store', version: 2 })
      );
      const store = storeUnderTest();
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
      await store.flush();

      expect(server.files(STORE)).toEqual([`${STORE}/store.json`]);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining('uses format version 2')
      );
    });
  });
});
