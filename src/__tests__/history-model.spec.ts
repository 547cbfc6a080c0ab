import type { NotebookPanel, NotebookTracker } from '@jupyterlab/notebook';
import { signalToPromise } from '@jupyterlab/testing';
import { PromiseDelegate } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';

import { ServerConnection } from '@jupyterlab/services';

import { RunsPanelModel } from '../history/model';
import { isServerUnreachable } from '../store/unreachable';
import type { IActiveRuns, IRunsSettings, Runs } from '../tokens';
import { FakeRunStore, runSummary, settle } from './capture-fakes';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { TrackedNotebooks } from './notebooks';

/**
 * The active runs as run capture would report them.
 */
class FakeActiveRuns implements IActiveRuns {
  readonly changed: Signal<IActiveRuns, string> = new Signal(this);
  readonly runs = new Map<string, Runs.ActiveRun>();

  get(notebookPath: string): Runs.ActiveRun | null {
    return this.runs.get(notebookPath) ?? null;
  }

  set(notebookPath: string, run: Runs.ActiveRun): void {
    this.runs.set(notebookPath, run);
    this.changed.emit(notebookPath);
  }
}

const TRAIN_RUNS: Runs.RunList = {
  runs: [
    runSummary({ id: 'r2', name: 'calm-heron-2', status: 'running' }),
    runSummary({ id: 'r1', name: 'brave-otter-1' })
  ],
  problems: []
};

/**
 * What `fetch` rejects with when no answer comes, as the Jupyter services
 * rethrow it.
 */
function networkError(): Error {
  return new ServerConnection.NetworkError(new TypeError('Failed to fetch'));
}

describe('RunsPanelModel (runs)', () => {
  let settings: IRunsSettings;
  let notebooks: NotebookTracker;
  let store: FakeRunStore;
  let activeRuns: FakeActiveRuns;
  let model: RunsPanelModel;
  let opened: TrackedNotebooks;

  function openNotebook(path: string): Promise<NotebookPanel> {
    return opened.open(path);
  }

  beforeEach(async () => {
    settings = await resolveRunsSettings(createSettingRegistry());
    opened = new TrackedNotebooks();
    notebooks = opened.tracker;
    store = new FakeRunStore();
    store.lists.set('train.ipynb', TRAIN_RUNS);
    activeRuns = new FakeActiveRuns();
    model = new RunsPanelModel({ settings, notebooks, store, activeRuns });
  });

  afterEach(() => {
    model.dispose();
    opened.dispose();
  });

  describe('#runs', () => {
    it("should list the active notebook's runs as the store gives them", async () => {
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
      expect(model.runs).toBe(TRAIN_RUNS.runs);
      expect(model.isLoading).toBe(false);
    });

    it('should not read the store while hidden, and catch up when shown', async () => {
      await openNotebook('train.ipynb');
      store.setRuns('train.ipynb', TRAIN_RUNS);
      await settle();
      expect(store.listCalls.get('train.ipynb')).toBeUndefined();

      model.isVisible = true;
      await settle();
      expect(store.listCalls.get('train.ipynb')).toBe(1);
      expect(model.runs).toHaveLength(2);
    });

    it("should read again when the store changes that notebook's runs only", async () => {
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();

      store.setRuns('other.ipynb', { runs: [], problems: [] });
      await settle();
      expect(store.listCalls.get('train.ipynb')).toBe(1);

      const changed = signalToPromise(model.stateChanged);
      store.setRuns('train.ipynb', {
        runs: [runSummary({ id: 'r3' }), ...TRAIN_RUNS.runs],
        problems: []
      });
      await changed;
      expect(model.runs.map(run => run.id)).toEqual(['r3', 'r2', 'r1']);
    });

    it('should keep the answer for the notebook shown, not an older one', async () => {
      model.isVisible = true;
      const slow = new PromiseDelegate<void>();
      store.listGates.set('train.ipynb', slow);
      await openNotebook('train.ipynb');
      await openNotebook('eval.ipynb');
      await settle();
      expect(store.listCalls.get('train.ipynb')).toBe(1);

      slow.resolve();
      await settle();
      expect(model.notebook?.path).toBe('eval.ipynb');
      expect(model.runs).toEqual([]);
      expect(model.isLoading).toBe(false);
    });
  });

  describe('the browser cache', () => {
    it('should show the runs last read here while the server answers', async () => {
      model.isVisible = true;
      const slow = new PromiseDelegate<void>();
      store.listGates.set('train.ipynb', slow);
      store.cached.set('train.ipynb', {
        runs: [runSummary({ id: 'cached' })],
        problems: []
      });
      await openNotebook('train.ipynb');
      await settle();
      expect(model.runs.map(run => run.id)).toEqual(['cached']);
      expect(model.isLoading).toBe(false);

      slow.resolve();
      await settle();
      expect(model.runs.map(run => run.id)).toEqual(['r2', 'r1']);
    });
  });

  describe('#problems', () => {
    it('should pass on what the store could not read', async () => {
      store.lists.set('train.ipynb', {
        runs: [],
        problems: ['Run r9: its record is not valid JSON.']
      });
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
      expect(model.problems).toEqual(['Run r9: its record is not valid JSON.']);
    });
  });

  describe('#readError', () => {
    it('should say why nothing could be read', async () => {
      store.listError = new Error('Forbidden');
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
      expect(model.readError).toBe('Forbidden');
      expect(model.runs).toEqual([]);
      expect(model.isLoading).toBe(false);
    });
  });

  describe('#offline', () => {
    it('should keep the runs shown when the server cannot be reached, and say when they were read', async () => {
      let now = 1_000_000;
      const clocked = new RunsPanelModel({
        settings,
        notebooks,
        store,
        clock: () => now
      });
      clocked.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
      expect(clocked.offline).toBeNull();

      now += 60_000;
      store.listError = networkError();
      await clocked.refresh();

      expect(clocked.runs.map(run => run.id)).toEqual(['r2', 'r1']);
      expect(clocked.offline).toEqual({
        reason: 'Failed to fetch',
        readAt: 1_000_000
      });
      expect(clocked.readError).toBeNull();
      expect(clocked.isLoading).toBe(false);
      clocked.dispose();
    });

    it("should be offline when the store answers with this browser's copy", async () => {
      // RunStore.listRuns answers so when the server cannot be reached.
      store.lists.set('train.ipynb', {
        runs: [runSummary({ id: 'kept' })],
        problems: [],
        offline: 'Failed to fetch'
      });
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();

      expect(model.runs.map(run => run.id)).toEqual(['kept']);
      expect(model.offline).toMatchObject({ reason: 'Failed to fetch' });
      expect(model.problems).toEqual([]);
    });

    it('should show the copy this browser kept of runs not read by this page', async () => {
      store.listError = networkError();
      store.cached.set('train.ipynb', {
        runs: [runSummary({ id: 'cached' })],
        problems: []
      });
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();

      expect(model.runs.map(run => run.id)).toEqual(['cached']);
      expect(model.offline).toEqual({
        reason: 'Failed to fetch',
        readAt: null
      });
    });

    it('should show no runs, still offline, when this browser kept none', async () => {
      store.listError = new TypeError('Failed to fetch');
      model.isVisible = true;
      await openNotebook('eval.ipynb');
      await settle();

      expect(model.runs).toEqual([]);
      expect(model.offline?.reason).toBe('Failed to fetch');
      expect(model.isLoading).toBe(false);
    });

    it('should keep a read error that is not about the network as one', async () => {
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();

      store.listError = new Error('Forbidden');
      await model.refresh();

      expect(model.offline).toBeNull();
      expect(model.readError).toBe('Forbidden');
      expect(model.runs).toEqual([]);
    });

    it('should show the kept runs of the notebooks listed last when all notebooks cannot be listed', async () => {
      store.lists.set('eval.ipynb', {
        runs: [runSummary({ id: 'e1', notebookPath: 'eval.ipynb' })],
        problems: []
      });
      model.isVisible = true;
      model.allNotebooks = true;
      await settle();
      model.allNotebooks = false;
      await settle();
      store.cached.set('train.ipynb', TRAIN_RUNS);
      store.cached.set('eval.ipynb', store.lists.get('eval.ipynb')!);

      store.listNotebooksError = networkError();
      model.allNotebooks = true;
      await settle();

      expect(model.runs.map(run => run.id).sort()).toEqual(['e1', 'r1', 'r2']);
      expect(model.offline).not.toBeNull();
    });

    it('should ask again every few seconds while visible, and be online once answered', async () => {
      jest.useFakeTimers();
      try {
        store.listError = networkError();
        model.isVisible = true;
        await openNotebook('train.ipynb');
        await jest.advanceTimersByTimeAsync(0);
        expect(model.offline).not.toBeNull();
        expect(store.listCalls.get('train.ipynb')).toBe(1);

        await jest.advanceTimersByTimeAsync(5000);
        expect(store.listCalls.get('train.ipynb')).toBe(2);
        expect(model.offline).not.toBeNull();

        store.listError = null;
        await jest.advanceTimersByTimeAsync(5000);
        expect(store.listCalls.get('train.ipynb')).toBe(3);
        expect(model.offline).toBeNull();
        expect(model.runs.map(run => run.id)).toEqual(['r2', 'r1']);

        // Online, the store says when to read again: no more asking.
        await jest.advanceTimersByTimeAsync(30_000);
        expect(store.listCalls.get('train.ipynb')).toBe(3);
      } finally {
        jest.useRealTimers();
      }
    });

    it('should not ask while hidden or once disposed, and ask at once when shown', async () => {
      jest.useFakeTimers();
      try {
        store.listError = networkError();
        model.isVisible = true;
        await openNotebook('train.ipynb');
        await jest.advanceTimersByTimeAsync(0);
        expect(store.listCalls.get('train.ipynb')).toBe(1);

        model.isVisible = false;
        await jest.advanceTimersByTimeAsync(20_000);
        expect(store.listCalls.get('train.ipynb')).toBe(1);

        model.isVisible = true;
        await jest.advanceTimersByTimeAsync(0);
        expect(store.listCalls.get('train.ipynb')).toBe(2);

        model.dispose();
        await jest.advanceTimersByTimeAsync(20_000);
        expect(store.listCalls.get('train.ipynb')).toBe(2);
      } finally {
        jest.useRealTimers();
      }
    });

    it('should not redraw the runs when asking again fails again', async () => {
      jest.useFakeTimers();
      try {
        store.listError = networkError();
        model.isVisible = true;
        await openNotebook('train.ipynb');
        await jest.advanceTimersByTimeAsync(0);
        const rows = model.rows;

        await jest.advanceTimersByTimeAsync(5000);
        expect(store.listCalls.get('train.ipynb')).toBe(2);
        expect(model.rows).toBe(rows);
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('store health', () => {
    /**
     * Change the fake store's health as RunStore does: the new state, then
     * the signal.
     */
    function setHealth(change: Partial<Runs.StoreHealth>): void {
      store.health = { ...store.health, ...change };
      store.healthChanged.emit(store.health);
    }

    it('should be offline at once when writes cannot reach the server, and read the runs again', async () => {
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
      expect(store.listCalls.get('train.ipynb')).toBe(1);
      const changed = signalToPromise(model.stateChanged);

      setHealth({ writes: 'offline', reason: 'Failed to fetch', since: 1 });

      await changed;
      expect(model.offline).toMatchObject({ reason: 'Failed to fetch' });
      expect(model.offline?.readAt).not.toBeNull();
      expect(model.refused).toBeNull();
      expect(model.runs.map(run => run.id)).toEqual(['r2', 'r1']);
      await settle();
      expect(store.listCalls.get('train.ipynb')).toBe(2);
    });

    it('should wake the writes waiting when its own read reaches the server', async () => {
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
      store.listError = networkError();
      setHealth({ writes: 'offline', reason: 'Failed to fetch' });
      await settle();
      expect(store.retries).toBe(0);

      store.listError = null;
      await model.refresh();

      expect(store.retries).toBe(1);
      // Still offline until the writes land.
      expect(model.offline).not.toBeNull();

      setHealth({ writes: 'saving', reason: null, since: null });
      await settle();
      expect(model.offline).toBeNull();
    });

    it('should read the runs again once writes land again', async () => {
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
      setHealth({ writes: 'offline', reason: 'Failed to fetch' });
      await settle();
      const calls = store.listCalls.get('train.ipynb')!;

      setHealth({ writes: 'saving', reason: null, since: null });
      await settle();

      expect(store.listCalls.get('train.ipynb')).toBe(calls + 1);
      expect(model.offline).toBeNull();
    });

    it('should say which file the server refused to write and why, not offline', async () => {
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();

      setHealth({
        writes: 'refused',
        reason: 'Permission denied',
        path: '.runs/notebooks/k/index.a.json.gz',
        since: 5
      });

      expect(model.refused).toEqual({
        path: '.runs/notebooks/k/index.a.json.gz',
        reason: 'Permission denied',
        since: 5
      });
      expect(model.offline).toBeNull();
      model.retryNow();
      expect(store.retries).toBe(1);

      setHealth({ writes: 'saving', reason: null, path: null, since: null });
      expect(model.refused).toBeNull();
    });

    it('should be offline at once when a request of the Lab finds no server, and ask again every few seconds', async () => {
      jest.useFakeTimers();
      const connectionFailure = new Signal<object, Error>({});
      // Disposed after the test, as the others.
      model.dispose();
      model = new RunsPanelModel({
        settings,
        notebooks,
        store,
        connectionFailure
      });
      try {
        model.isVisible = true;
        await openNotebook('train.ipynb');
        await jest.advanceTimersByTimeAsync(0);
        expect(model.offline).toBeNull();
        expect(store.listCalls.get('train.ipynb')).toBe(1);

        store.listError = networkError();
        connectionFailure.emit(networkError());
        await jest.advanceTimersByTimeAsync(0);
        expect(model.offline).toMatchObject({ reason: 'Failed to fetch' });
        expect(model.runs.map(run => run.id)).toEqual(['r2', 'r1']);
        // Said once: more failures change nothing.
        connectionFailure.emit(networkError());
        await jest.advanceTimersByTimeAsync(0);
        expect(store.listCalls.get('train.ipynb')).toBe(1);

        await jest.advanceTimersByTimeAsync(5000);
        expect(store.listCalls.get('train.ipynb')).toBe(2);
        expect(model.offline).not.toBeNull();

        store.listError = null;
        await jest.advanceTimersByTimeAsync(5000);
        expect(store.listCalls.get('train.ipynb')).toBe(3);
        expect(model.offline).toBeNull();

        model.dispose();
        connectionFailure.emit(networkError());
        await jest.advanceTimersByTimeAsync(10_000);
        expect(store.listCalls.get('train.ipynb')).toBe(3);
      } finally {
        jest.useRealTimers();
      }
    });

    it('should stop following the store health once disposed', async () => {
      let emissions = 0;
      model.stateChanged.connect(() => emissions++);
      model.dispose();
      setHealth({ writes: 'offline', reason: 'Failed to fetch' });
      await settle();
      expect(emissions).toBe(0);
      expect(store.listCalls.get('train.ipynb')).toBeUndefined();
    });
  });

  describe('#activeRunId', () => {
    it("should be the running run of the notebook's kernel", async () => {
      await openNotebook('train.ipynb');
      expect(model.activeRunId).toBeNull();
      const changed = signalToPromise(model.stateChanged);

      activeRuns.set('train.ipynb', {
        id: 'r2',
        name: 'calm-heron-2',
        status: 'running',
        paramsCount: 0,
        metricsCount: 0
      });

      await changed;
      expect(model.activeRunId).toBe('r2');
    });

    it('should be null once that run ended', async () => {
      await openNotebook('train.ipynb');
      activeRuns.set('train.ipynb', {
        id: 'r2',
        name: 'calm-heron-2',
        status: 'finished',
        paramsCount: 0,
        metricsCount: 0
      });
      expect(model.activeRunId).toBeNull();
    });
  });

  describe('#dispose()', () => {
    it('should stop following the store and the active runs', async () => {
      await openNotebook('train.ipynb');
      model.isVisible = true;
      await settle();
      let emissions = 0;
      model.stateChanged.connect(() => emissions++);
      model.dispose();
      store.setRuns('train.ipynb', TRAIN_RUNS);
      activeRuns.set('train.ipynb', {
        id: 'r2',
        name: 'x',
        status: 'running',
        paramsCount: 0,
        metricsCount: 0
      });
      await settle();
      expect(emissions).toBe(0);
    });
  });

  describe('#queryText', () => {
    it('should filter the rows, and show none while the query cannot be read', async () => {
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
      model.queryText = 'status = running';
      expect(model.rows.map(row => row.run.id)).toEqual(['r2']);
      expect(model.queryError).toBeNull();

      // Not the previous result: that is not what the query says.
      model.queryText = 'status = faild';
      expect(model.queryError?.message).toContain('Unknown status "faild"');
      expect(model.queryError?.start).toBe(9);
      expect(model.rows).toEqual([]);

      model.queryText = '';
      expect(model.queryError).toBeNull();
      expect(model.rows).toHaveLength(2);
    });

    it('should name the closest recorded field, and read a bare name it knows', async () => {
      store.lists.set('train.ipynb', {
        runs: [
          runSummary({
            id: 'r2',
            params: { seed: 42, lr: 0.1 },
            metrics: { rmse: 6.9, lr: 0.1 }
          }),
          runSummary({ id: 'r1', params: { seed: 69 }, metrics: { rmse: 6.6 } })
        ],
        problems: []
      });
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();

      model.queryText = 'params.sed = 69';
      expect(model.queryError?.message).toBe(
        'No run here has the parameter "sed" at column 1: did you mean params.seed?'
      );
      expect(model.rows).toEqual([]);
      model.queryText = 'metrics.rmsee < 7';
      expect(model.queryError?.message).toContain('did you mean metrics.rmse?');
      model.queryText = 'params.depth = 3';
      expect(model.queryError?.message).toBe(
        'No run here has the parameter "depth" at column 1; they have: seed, lr'
      );
      // Asking whether a run has it is never a mistake.
      model.queryText = 'params.depth not exists';
      expect(model.queryError).toBeNull();
      expect(model.rows).toHaveLength(2);

      // `seed` is only a parameter here: read as params.seed.
      model.queryText = 'seed = 69';
      expect(model.queryError).toBeNull();
      expect(model.rows.map(row => row.run.id)).toEqual(['r1']);
      model.queryText = 'sed = 69';
      expect(model.queryError?.message).toBe(
        'Unknown field "sed" at column 1: did you mean "params.seed"?'
      );
      model.queryText = 'lr = 0.1';
      expect(model.queryError?.message).toBe(
        '"lr" at column 1 is the name of more than one kind of field: write params.lr or metrics.lr'
      );
    });
  });

  describe('#now', () => {
    it('should tick every second while a run is running, only while visible', async () => {
      jest.useFakeTimers();
      try {
        let now = 1_000_000;
        const clocked = new RunsPanelModel({
          settings,
          notebooks,
          store,
          clock: () => now
        });
        clocked.isVisible = true;
        await openNotebook('train.ipynb');
        await jest.advanceTimersByTimeAsync(0);
        now += 1000;
        await jest.advanceTimersByTimeAsync(1000);
        expect(clocked.now).toBe(now);

        clocked.isVisible = false;
        now += 5000;
        await jest.advanceTimersByTimeAsync(5000);
        expect(clocked.now).toBe(now - 5000);
        clocked.isVisible = true;
        expect(clocked.now).toBe(now);
        clocked.dispose();
        now += 60_000;
        await jest.advanceTimersByTimeAsync(60_000);
        expect(clocked.now).toBe(now - 60_000);
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('#allNotebooks', () => {
    it("should read every notebook's runs, and follow changes to any", async () => {
      store.lists.set('eval.ipynb', {
        runs: [runSummary({ id: 'e1', notebookPath: 'eval.ipynb' })],
        problems: []
      });
      model.isVisible = true;
      model.allNotebooks = true;
      await settle();
      expect(model.runs.map(run => run.id).sort()).toEqual(['e1', 'r1', 'r2']);

      store.setRuns('eval.ipynb', { runs: [], problems: [] });
      await settle();
      expect(model.runs.map(run => run.id).sort()).toEqual(['r1', 'r2']);
    });
  });

  describe('#primaryMetrics', () => {
    it('should show the chosen metrics of the notebook, else the first logged', async () => {
      const chosen = new Map<string, readonly string[]>();
      const changed = new Signal<RunsPanelModel.IMetricChoices, void>(
        {} as RunsPanelModel.IMetricChoices
      );
      const choices: RunsPanelModel.IMetricChoices = {
        get: key => chosen.get(key) ?? null,
        set: async (key, names) => {
          chosen.set(key, names);
          changed.emit();
        },
        changed
      };
      store.lists.set('train.ipynb', {
        runs: [runSummary({ id: 'r1', metrics: { loss: 1, acc: 2, f1: 3 } })],
        problems: []
      });
      const withChoices = new RunsPanelModel({
        settings,
        notebooks,
        store,
        metricChoices: choices
      });
      withChoices.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
      expect(withChoices.primaryMetrics).toEqual(['loss', 'acc']);
      await withChoices.choosePrimaryMetrics(['f1']);
      expect(chosen.get('train.ipynb')).toEqual(['f1']);
      expect(withChoices.primaryMetrics).toEqual(['f1']);
      withChoices.dispose();
    });
  });

  describe('selection and focus', () => {
    const FIVE: Runs.RunList = {
      runs: ['r5', 'r4', 'r3', 'r2', 'r1'].map((id, n) =>
        runSummary({ id, startedAt: Date.UTC(2024, 0, 2) - n * 1000 })
      ),
      problems: []
    };
    const key = (id: string) =>
      RunsPanelModel.rowKey(runSummary({ id, notebookPath: 'train.ipynb' }));
    const selectedIds = () => model.selectedRuns.map(run => run.id);
    const focusedId = () =>
      model.selectedIndex < 0 ? null : model.rows[model.selectedIndex].run.id;

    beforeEach(async () => {
      store.lists.set('train.ipynb', FIVE);
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
    });

    it('should extend the selection from the anchor with Shift+Arrow, both ways', () => {
      model.moveSelection(1);
      expect(focusedId()).toBe('r5');
      model.moveSelection(1, 'extend');
      model.moveSelection(1, 'extend');
      expect(selectedIds()).toEqual(['r5', 'r4', 'r3']);
      expect(focusedId()).toBe('r3');
      // Back past the anchor: the other side of it.
      model.moveSelection(-1, 'extend');
      expect(selectedIds()).toEqual(['r5', 'r4']);
      model.select(key('r3'));
      model.moveSelection(-2, 'extend');
      expect(selectedIds()).toEqual(['r5', 'r4', 'r3']);
      expect(focusedId()).toBe('r5');
    });

    it('should move the focus alone with Ctrl/Cmd+Arrow, and toggle the focused run', () => {
      model.select(key('r5'));
      model.moveSelection(2, 'focus');
      expect(focusedId()).toBe('r3');
      expect(selectedIds()).toEqual(['r5']);
      // The focus is not on a selected run: no single-run action target.
      expect(model.selectedRun?.id).toBe('r5');
      model.toggleFocused();
      expect(selectedIds()).toEqual(['r5', 'r3']);
      expect(model.selectedRun?.id).toBe('r3');
      model.moveSelection(1, 'focus');
      expect(model.selectedRun).toBeNull();
      model.moveSelection(-1, 'focus');
      model.toggleFocused();
      expect(selectedIds()).toEqual(['r5']);
      // Shift+Arrow extends from the run last toggled.
      model.moveSelection(1, 'extend');
      expect(selectedIds()).toEqual(['r3', 'r2']);
    });

    it('should select every run shown, keeping the focus', () => {
      model.select(key('r2'));
      model.selectAll();
      expect(selectedIds()).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
      expect(focusedId()).toBe('r2');
      model.queryText = 'name = r1';
      expect(model.rows).toHaveLength(1);
      model.selectAll();
      expect(selectedIds()).toEqual(['r1']);
      expect(focusedId()).toBe('r1');
    });

    it('should extend a Shift-click from the run last clicked', () => {
      model.select(key('r4'));
      model.selectRange(key('r2'));
      expect(selectedIds()).toEqual(['r4', 'r3', 'r2']);
      model.selectRange(key('r5'));
      expect(selectedIds()).toEqual(['r5', 'r4']);
      expect(focusedId()).toBe('r5');
    });
  });

  describe('#deleteRuns()', () => {
    beforeEach(async () => {
      model.isVisible = true;
      await openNotebook('train.ipynb');
      await settle();
    });

    it('should take the runs out at once, keep them out of new reads, and delete them in the store only when the time is over', async () => {
      const r1 = model.runs.find(run => run.id === 'r1')!;
      model.select(RunsPanelModel.rowKey(r1));
      const deletion = model.deleteRuns([r1], 60_000);
      expect(model.runs.map(run => run.id)).toEqual(['r2']);
      expect(model.hasPendingDeletions).toBe(true);
      // The focus moves to the nearest run left; nothing stays selected.
      expect(model.rows[model.selectedIndex].run.id).toBe('r2');
      expect(model.selectedRuns).toEqual([]);
      // A read of the store (another change) still leaves it out.
      store.setRuns('train.ipynb', TRAIN_RUNS);
      await settle();
      expect(model.runs.map(run => run.id)).toEqual(['r2']);
      expect(store.deletes).toEqual([]);

      await deletion.flush();
      expect(store.deletes).toEqual([{ path: 'train.ipynb', run: 'r1' }]);
      expect(model.hasPendingDeletions).toBe(false);
      // A list the store read before the delete landed does not bring it
      // back.
      store.setRuns('train.ipynb', TRAIN_RUNS);
      await settle();
      expect(model.runs.map(run => run.id)).toEqual(['r2']);
      expect(deletion.undo()).toBe(false);
    });

    it('should bring the runs back on undo', async () => {
      const r1 = model.runs.find(run => run.id === 'r1')!;
      const deletion = model.deleteRuns([r1], 60_000);
      expect(deletion.undo()).toBe(true);
      expect(model.runs.map(run => run.id)).toEqual(['r2', 'r1']);
      await deletion.finished;
      await model.flushDeletions();
      expect(store.deletes).toEqual([]);
    });

    it('should delete what waits once disposed: the undo went with the panel', async () => {
      const r1 = model.runs.find(run => run.id === 'r1')!;
      const deletion = model.deleteRuns([r1], 60_000);
      model.dispose();
      await deletion.finished;
      expect(store.deletes).toEqual([{ path: 'train.ipynb', run: 'r1' }]);
    });
  });
});

describe('isServerUnreachable()', () => {
  it.each([
    ['a fetch that got no answer', new TypeError('Failed to fetch'), true],
    [
      "the Jupyter services' network error",
      new ServerConnection.NetworkError(new TypeError('Failed to fetch')),
      true
    ],
    [
      'a network error wrapped as the cause of another',
      Object.assign(new Error('The runs could not be listed'), {
        cause: new TypeError('Failed to fetch')
      }),
      true
    ],
    [
      'an answer with an error status',
      new ServerConnection.ResponseError(
        new Response('{}', { status: 403, statusText: 'Forbidden' })
      ),
      false
    ],
    ['another error', new Error('Forbidden'), false],
    ['something not an error', 'Failed to fetch', false]
  ])('should tell %s: %p', (_, reason, expected) => {
    expect(isServerUnreachable(reason)).toBe(expected);
  });
});
