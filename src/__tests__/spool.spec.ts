import type { RunStore } from '../store/store';
import { parseSpool, SPOOL_FORMAT } from '../spool/format';
import { SpoolImporter } from '../spool/importer';
import type { IRunsSettings, Runs } from '../tokens';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  createTestStore,
  FakeJupyterServer,
  installCompression,
  installWebCrypto
} from './store-server';

const NOTEBOOK = 'experiments/headless.ipynb';
const SPOOL = 'jupyter-runs/spool';
const MINUTE = 60 * 1000;

/**
 * A spool file's text as the kernel helper writes it.
 */
function spoolText(
  events: readonly Runs.KernelEvent[],
  options: { closed?: boolean; header?: Record<string, unknown> } = {}
): string {
  const header = {
    format: SPOOL_FORMAT,
    version: 1,
    session: 'session-1',
    notebook: NOTEBOOK,
    frontend: false,
    helper_version: '0.1.0',
    created: 1_700_000_000,
    ...options.header
  };
  const lines: unknown[] = [header, ...events];
  if (options.closed ?? true) {
    lines.push({ closed: true, time: 1_700_000_100 });
  }
  return lines.map(line => JSON.stringify(line) + '\n').join('');
}

/**
 * One headless run: two executions, a parameter, a metric, its end.
 */
function headlessRun(ended = true): Runs.KernelEvent[] {
  const k = new KernelEvents('session-1');
  const events = [
    k.session_(),
    k.runStart('run-1'),
    k.execution('run-1', 1, 'seed = 69'),
    k.param('run-1', 'seed', 69),
    k.execution('run-1', 2, "print('rmse: 1.5')")
  ];
  return ended ? [...events, k.runEnd('run-1')] : events;
}

const NOTEBOOK_FILE = JSON.stringify({
  cells: [
    {
      cell_type: 'code',
      id: 'c1',
      metadata: {},
      source: 'seed = 69',
      outputs: [],
      execution_count: 1
    }
  ],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5
});

describe('parseSpool', () => {
  it('should read the header, the events and the closing line', () => {
    const parsed = parseSpool(spoolText(headlessRun()));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.spool.session).toBe('session-1');
      expect(parsed.spool.notebook).toBe(NOTEBOOK);
      expect(parsed.spool.frontend).toBe(false);
      expect(parsed.spool.events.map(event => event.kind)).toEqual([
        'session',
        'run_start',
        'execution',
        'param',
        'execution',
        'run_end'
      ]);
      expect(parsed.spool.closed).toBe(true);
      expect(parsed.spool.skippedLines).toBe(0);
    }
  });

  it('should count a line torn by a crash and keep the rest', () => {
    const text = spoolText(headlessRun(false), { closed: false });
    const parsed = parseSpool(text + '{"seq": 7, "ti');
    expect(parsed.ok && parsed.spool.events.length).toBe(5);
    expect(parsed.ok && parsed.spool.skippedLines).toBe(1);
    expect(parsed.ok && parsed.spool.closed).toBe(false);
  });

  it.each([
    ['', 'is not a jupyterlab-runs spool file'],
    ['{"format": "something-else"}\n', 'is not a jupyterlab-runs spool file'],
    [
      spoolText([], { header: { version: 2 } }),
      'uses spool version 2, which this version of jupyterlab-runs cannot read (it reads version 1); update jupyterlab-runs to import it'
    ],
    [
      spoolText([], { header: { session: '../x' } }),
      'names no valid kernel session'
    ],
    [
      spoolText([], { header: { notebook: '../outside.ipynb' } }),
      'names the unsafe notebook path "../outside.ipynb"'
    ],
    [
      spoolText([], { header: { notebook: '/etc/x.ipynb' } }),
      'names the unsafe notebook path "/etc/x.ipynb"'
    ],
    [
      spoolText([], { header: { notebook: 'a\\b.ipynb' } }),
      'names the unsafe notebook path "a\\\\b.ipynb"'
    ]
  ])('should refuse %j: %s', (text, problem) => {
    expect(parseSpool(text)).toEqual({ ok: false, problem });
  });
});

describe('SpoolImporter', () => {
  let server: FakeJupyterServer;
  let settings: IRunsSettings;
  let store: RunStore;
  let warn: jest.SpyInstance;

  beforeAll(() => {
    installWebCrypto();
    installCompression();
  });

  beforeEach(async () => {
    server = new FakeJupyterServer();
    settings = await resolveRunsSettings(createSettingRegistry());
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    store = createTestStore(server, settings);
  });

  afterEach(() => {
    store.dispose();
    jest.restoreAllMocks();
  });

  /**
   * An importer whose clock says `minutes` after the fake server's file
   * times (from the start of 2026).
   */
  function importer(minutes = 1): SpoolImporter {
    return new SpoolImporter({
      contents: server.contents(),
      store,
      settings,
      now: () => Date.UTC(2026, 0, 1) + minutes * MINUTE
    });
  }

  it('should import a closed spool, snapshot the notebook and delete the file', async () => {
    server.plant(NOTEBOOK, NOTEBOOK_FILE);
    server.plant(`${SPOOL}/session-1.jsonl`, spoolText(headlessRun()));

    const result = await importer().importAll();

    expect(result).toEqual({
      imported: [`${SPOOL}/session-1.jsonl`],
      left: []
    });
    expect(server.file(`${SPOOL}/session-1.jsonl`)).toBeUndefined();
    const { runs, problems } = await store.listRuns(NOTEBOOK);
    expect(problems).toEqual([]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: 'run-1',
      status: 'finished',
      notebookPath: NOTEBOOK,
      params: { seed: 69 }
    });
    const snapshot = await store.readSnapshot(NOTEBOOK, 'run-1');
    expect(snapshot.value?.notebook).toMatchObject({
      cells: [expect.objectContaining({ id: 'c1', source: 'seed = 69' })]
    });
  });

  it('should leave a spool whose kernel is still running', async () => {
    server.plant(
      `${SPOOL}/session-1.jsonl`,
      spoolText(headlessRun(false), { closed: false })
    );

    const result = await importer(1).importAll();

    expect(result.imported).toEqual([]);
    expect(result.left).toEqual([
      {
        path: `${SPOOL}/session-1.jsonl`,
        reason: 'its kernel is still running'
      }
    ]);
    expect(server.file(`${SPOOL}/session-1.jsonl`)).toBeDefined();
    expect((await store.listRuns(NOTEBOOK)).runs).toEqual([]);
  });

  it('should import the spool of a kernel that died as a crashed run, once seen untouched at two polls', async () => {
    server.plant(
      `${SPOOL}/session-1.jsonl`,
      spoolText(headlessRun(false), { closed: false })
    );
    const spoolImporter = importer();
    server.advance(10 * MINUTE);

    const first = await spoolImporter.importAll();
    server.advance(2 * MINUTE);
    const second = await spoolImporter.importAll();

    expect(first.imported).toEqual([]);
    expect(second.imported).toHaveLength(1);
    const { runs } = await store.listRuns(NOTEBOOK);
    expect(runs.map(run => run.status)).toEqual(['crashed']);
    expect(server.files(SPOOL).filter(path => path.endsWith('.jsonl'))).toEqual(
      []
    );
  });

  it('should judge an open spool by the server clock, never the browser clock', async () => {
    server.plant(
      `${SPOOL}/session-1.jsonl`,
      spoolText(headlessRun(false), { closed: false })
    );
    // The browser's clock is a year ahead of the server's.
    const spoolImporter = importer(365 * 24 * 60);

    await spoolImporter.importAll();
    const result = await spoolImporter.importAll();

    expect(result.imported).toEqual([]);
    expect(server.file(`${SPOOL}/session-1.jsonl`)).toBeDefined();
    expect((await store.listRuns(NOTEBOOK)).runs).toEqual([]);
  });

  it('should never import the open spool of a kernel the server runs, however long untouched', async () => {
    server.plant(
      `${SPOOL}/session-1.jsonl`,
      spoolText(headlessRun(false), {
        closed: false,
        header: { kernel: 'kernel-alive-1' }
      })
    );
    const spoolImporter = new SpoolImporter({
      contents: server.contents(),
      store,
      settings,
      runningKernels: async () => ['other', 'kernel-alive-1']
    });

    for (let poll = 0; poll < 3; poll++) {
      server.advance(60 * MINUTE);
      const result = await spoolImporter.importAll();
      expect(result.imported).toEqual([]);
    }

    expect(server.file(`${SPOOL}/session-1.jsonl`)).toBeDefined();
    expect((await store.listRuns(NOTEBOOK)).runs).toEqual([]);
    spoolImporter.dispose();
  });

  it('should leave the spool of a kernel that touches it again after a laptop woke up', async () => {
    const text = spoolText(headlessRun(false), { closed: false });
    server.plant(`${SPOOL}/session-1.jsonl`, text);
    // Asleep an hour: the server's and the browser's clocks jump, the
    // kernel's does not.
    const spoolImporter = importer(61);
    server.advance(60 * MINUTE);
    const woke = await spoolImporter.importAll();
    // The kernel's next touch, 30 s later.
    server.plant(`${SPOOL}/session-1.jsonl`, text);
    server.advance(70 * 1000);
    const later = await spoolImporter.importAll();

    expect(woke.imported).toEqual([]);
    expect(later.imported).toEqual([]);
    expect(server.file(`${SPOOL}/session-1.jsonl`)).toBe(text);
  });

  it('should import a spool once when two browsers import it at the same moment', async () => {
    server.plant(NOTEBOOK, NOTEBOOK_FILE);
    server.plant(`${SPOOL}/session-1.jsonl`, spoolText(headlessRun()));
    const otherStore = createTestStore(server, settings);
    const other = new SpoolImporter({
      contents: server.contents(),
      store: otherStore,
      settings
    });

    const results = await Promise.all([
      importer().importAll(),
      other.importAll()
    ]);
    await otherStore.flush();

    expect(results.flatMap(result => result.imported)).toHaveLength(1);
    const run = (await store.readRun(NOTEBOOK, 'run-1')).value!;
    expect(run.executions.map(execution => execution.exec)).toEqual([1, 2]);
    expect((await store.readSnapshots(NOTEBOOK, 'run-1')).value).toHaveLength(
      1
    );
    expect(server.files(SPOOL).filter(path => path.endsWith('.jsonl'))).toEqual(
      []
    );
    other.dispose();
    otherStore.dispose();
  });

  it('should store nothing twice when it finishes the import of a page that went away', async () => {
    server.plant(NOTEBOOK, NOTEBOOK_FILE);
    server.plant(`${SPOOL}/session-1.jsonl`, spoolText(headlessRun()));
    await importer().importAll();
    // That page stored the events, then died before deleting its claim.
    server.plant(
      `${SPOOL}/session-1.claimed-k3x9qa01.jsonl`,
      spoolText(headlessRun())
    );
    const spoolImporter = importer();

    const first = await spoolImporter.importAll();
    server.advance(11 * MINUTE);
    const result = await spoolImporter.importAll();

    expect(first.imported).toEqual([]);
    expect(result.imported).toHaveLength(1);
    expect(server.files(SPOOL).filter(path => path.endsWith('.jsonl'))).toEqual(
      []
    );
    const run = (await store.readRun(NOTEBOOK, 'run-1')).value!;
    expect(run.executions.map(execution => execution.exec)).toEqual([1, 2]);
    expect((await store.readSnapshots(NOTEBOOK, 'run-1')).value).toHaveLength(
      1
    );
  });

  it('should finish at the next poll an import of its own that failed half-way', async () => {
    server.plant(NOTEBOOK, NOTEBOOK_FILE);
    server.plant(`${SPOOL}/session-1.jsonl`, spoolText(headlessRun()));
    const contents = server.contents();
    const spoolImporter = new SpoolImporter({
      contents,
      store,
      settings,
      now: () => Date.UTC(2026, 0, 1) + MINUTE
    });
    // The server goes away right after the claim: the delete fails.
    const remove = contents.delete.bind(contents);
    const deleted = jest
      .spyOn(contents, 'delete')
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockImplementation(remove);

    await expect(spoolImporter.importAll()).rejects.toThrow('Failed to fetch');
    const again = await spoolImporter.importAll();
    spoolImporter.dispose();

    expect(deleted).toHaveBeenCalledTimes(2);
    expect(again.imported).toHaveLength(1);
    expect(server.files(SPOOL).filter(path => path.endsWith('.jsonl'))).toEqual(
      []
    );
    const run = (await store.readRun(NOTEBOOK, 'run-1')).value!;
    expect(run.executions.map(execution => execution.exec)).toEqual([1, 2]);
  });

  it('should not record a run twice when the same events come again', async () => {
    server.plant(`${SPOOL}/session-1.jsonl`, spoolText(headlessRun()));
    await importer().importAll();
    server.plant(`${SPOOL}/session-1.jsonl`, spoolText(headlessRun()));

    await importer().importAll();

    const { runs } = await store.listRuns(NOTEBOOK);
    expect(runs).toHaveLength(1);
    expect(server.file(`${SPOOL}/session-1.jsonl`)).toBeUndefined();
  });

  it('should not snapshot the notebook of a kernel a frontend had attached to', async () => {
    server.plant(NOTEBOOK, NOTEBOOK_FILE);
    server.plant(
      `${SPOOL}/session-1.jsonl`,
      spoolText(headlessRun(), { header: { frontend: true } })
    );

    await importer().importAll();

    expect(
      server.requests.some(
        request => request.method === 'GET' && request.path === NOTEBOOK
      )
    ).toBe(false);
    expect((await store.listRuns(NOTEBOOK)).runs).toHaveLength(1);
  });

  it('should leave a file it cannot read, with one warning', async () => {
    server.plant(
      `${SPOOL}/session-2.jsonl`,
      spoolText(headlessRun(), { header: { notebook: '../../etc/x.ipynb' } })
    );

    const spoolImporter = importer();
    const first = await spoolImporter.importAll();
    await spoolImporter.importAll();

    expect(first.left[0].reason).toBe(
      'names the unsafe notebook path "../../etc/x.ipynb"'
    );
    expect(server.file(`${SPOOL}/session-2.jsonl`)).toBeDefined();
    expect(
      warn.mock.calls.filter(call => String(call[0]).includes('session-2'))
    ).toHaveLength(1);
    expect(server.files('')).toEqual([`${SPOOL}/session-2.jsonl`]);
  });

  it('should ask for no missing path when there is no store yet', async () => {
    const result = await importer().importAll();

    expect(result).toEqual({ imported: [], left: [] });
    expect(server.requests.filter(request => request.status === 404)).toEqual(
      []
    );
  });
});
