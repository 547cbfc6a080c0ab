import type { NotebookPanel } from '@jupyterlab/notebook';
import type { SettingRegistry } from '@jupyterlab/settingregistry';

import { NotebookCapture } from '../capture/notebook';
import { REDACTED } from '../capture/redact';
import type { IRunsSettings, Runs } from '../tokens';
import {
  FakeKernel,
  FakeRunStore,
  FakeSessionContext,
  settle,
  storedRun,
  storedStream
} from './capture-fakes';
import {
  createSettingRegistry,
  resolveRunsSettings,
  TRACKING_ID
} from './helpers';
import { cellExecuted, createNotebookPanel, showStream } from './notebooks';

let seq = 0;
const event = (
  kind: string,
  fields: Record<string, unknown>
): Runs.KernelEvent => ({
  seq: ++seq,
  time: 1700000000 + seq,
  kind,
  ...fields
});

describe('NotebookCapture', () => {
  let registry: SettingRegistry;
  let settings: IRunsSettings;
  let panel: NotebookPanel;
  let kernel: FakeKernel;
  let context: FakeSessionContext;
  let store: FakeRunStore;
  let capture: NotebookCapture;

  /** What the kernel sends over the comm. */
  const send = async (...events: Runs.KernelEvent[]) => {
    kernel.lastComm!.receive({ type: 'events', events });
    await settle();
  };

  beforeEach(async () => {
    seq = 0;
    registry = createSettingRegistry();
    settings = await resolveRunsSettings(registry);
    panel = await createNotebookPanel('analysis/train.ipynb');
    panel.content.model!.sharedModel.insertCells(0, [
      { cell_type: 'code', source: 'api_key = "s3cr3t"\nprint(api_key)' }
    ]);
    kernel = new FakeKernel();
    context = new FakeSessionContext(kernel);
    store = new FakeRunStore();
    capture = new NotebookCapture({
      panel,
      sessionContext: context.asSessionContext(),
      store,
      settings,
      helperSource: async () => 'def attach(config): pass\n'
    });
    await settle();
    await send(
      event('session', { session: 'k1' }),
      event('run_start', { run: 'run-1', name: 'brave-otter-1', params: [] })
    );
  });

  afterEach(() => {
    capture.dispose();
    panel.dispose();
  });

  describe('outputs', () => {
    it("should store a cell's outputs, redacted, with the kernel's execution", async () => {
      const cellId = showStream(panel.content, 0, 1, 'api_key = s3cr3t\n');

      cellExecuted(panel.content, 0);
      expect(store.outputs).toEqual([]);
      await send(
        event('execution', {
          run: 'run-1',
          exec: 1,
          cell_id: cellId,
          execution_count: 1,
          source: 'print(api_key)'
        })
      );

      expect(store.outputs).toEqual([
        storedStream(
          'analysis/train.ipynb',
          'run-1',
          1,
          `api_key = ${REDACTED}\n`
        )
      ]);
    });

    it('should ignore the cells of other notebooks', async () => {
      const other = await createNotebookPanel('other.ipynb');
      other.content.model!.sharedModel.insertCells(0, [
        { cell_type: 'code', source: '1' }
      ]);
      (
        other.content.widgets[0].model as unknown as { executionCount: number }
      ).executionCount = 1;
      cellExecuted(other.content, 0);
      await send(
        event('execution', {
          run: 'run-1',
          exec: 1,
          cell_id: null,
          execution_count: 1
        })
      );
      expect(store.outputs).toEqual([]);
      other.dispose();
    });
  });

  describe('snapshots', () => {
    it('should store a redacted snapshot when the run ends', async () => {
      await send(event('run_end', { run: 'run-1', status: 'finished' }));

      expect(store.snapshots).toHaveLength(1);
      const { path, snapshot } = store.snapshots[0];
      expect(path).toBe('analysis/train.ipynb');
      expect(snapshot.run).toBe('run-1');
      expect(JSON.stringify(snapshot.notebook)).not.toContain('s3cr3t');
      expect(capture.model.run?.status).toBe('finished');
    });

    it('should take at most one run-end snapshot every 2 s, the latest run waiting', async () => {
      jest.useFakeTimers({ now: Date.now() });
      try {
        const burst: Runs.KernelEvent[] = [];
        for (let n = 1; n <= 1000; n++) {
          burst.push(
            event('run_end', { run: `run-${n}`, status: 'finished' }),
            event('run_start', { run: `run-${n + 1}`, name: `r-${n + 1}` })
          );
        }
        await send(...burst);
        expect(store.snapshots.map(saved => saved.snapshot.run)).toEqual([
          'run-1'
        ]);
        jest.advanceTimersByTime(2000);
        expect(store.snapshots.map(saved => saved.snapshot.run)).toEqual([
          'run-1',
          'run-1000'
        ]);
        await send(event('run_end', { run: 'run-1001', status: 'finished' }));
        jest.advanceTimersByTime(2000);
        expect(store.snapshots).toHaveLength(3);
      } finally {
        jest.useRealTimers();
      }
    });

    it('should store a snapshot of the active run when the notebook is saved', async () => {
      await panel.context.save();
      expect(store.snapshots.map(saved => saved.snapshot.run)).toEqual([
        'run-1'
      ]);
    });

    it('should mark the run crashed, with a snapshot, when the kernel dies', async () => {
      context.setStatus('autorestarting');
      expect(store.ended).toEqual([
        { path: 'analysis/train.ipynb', run: 'run-1', status: 'crashed' }
      ]);
      expect(store.snapshots).toHaveLength(1);
      expect(capture.model.run?.status).toBe('crashed');
    });

    it('should end the run, with a snapshot, when the kernel restarts', async () => {
      context.setStatus('restarting');
      await settle();
      expect(store.ended).toEqual([
        { path: 'analysis/train.ipynb', run: 'run-1', status: 'finished' }
      ]);
      expect(store.snapshots).toHaveLength(1);
      expect(capture.model.run?.status).toBe('finished');
    });
  });

  describe('snapshots of a run whose seed was edited before the restart', () => {
    /** Make cell 0 the seed cell as Run All left it, and have it run. */
    const runSeed = async () => {
      panel.content.model!.sharedModel.getCell(0).setSource('seed = 69');
      const cellId = showStream(panel.content, 0, 1, 'seeded\n');
      cellExecuted(panel.content, 0);
      await send(
        event('execution', {
          run: 'run-1',
          exec: 1,
          cell_id: cellId,
          execution_count: 1,
          source: 'seed = 69'
        })
      );
      return cellId;
    };
    const snapshotSources = () =>
      store.snapshots.map(({ snapshot }) =>
        (snapshot.notebook.cells as { source: string }[]).map(
          cell => cell.source
        )
      );

    it('should hold the source the run executed, not the edited one', async () => {
      await runSeed();
      panel.content.model!.sharedModel.getCell(0).setSource('seed = 42');

      context.setStatus('restarting');
      await settle();

      expect(snapshotSources()).toEqual([['seed = 69', '']]);
    });

    it('should hold the source the run executed when the page was reloaded before the restart', async () => {
      const cellId = await runSeed();
      // The page is reloaded: a new page attaches to the same kernel, whose
      // run goes on; its executions are in the store, not in the page.
      capture.dispose();
      kernel.activeRun = { id: 'run-1', name: 'brave-otter-1', params: {} };
      store.lastSeqs.set('analysis/train.ipynb/session-1', seq);
      store.stored.set(
        'analysis/train.ipynb/run-1',
        storedRun('run-1', [
          {
            exec: 1,
            cellId,
            executionCount: 1,
            source: 'seed = 69',
            outputs: [
              { output_type: 'stream', name: 'stdout', text: 'seeded\n' }
            ]
          }
        ])
      );
      capture = new NotebookCapture({
        panel,
        sessionContext: context.asSessionContext(),
        store,
        settings,
        helperSource: async () => 'def attach(config): pass\n'
      });
      await settle();
      expect(capture.model.run?.id).toBe('run-1');
      // The reloaded notebook (saved before Run All), edited for the next run.
      const model = panel.content.widgets[0].model as unknown as {
        executionCount: number | null;
        outputs: { clear(): void };
      };
      model.executionCount = null;
      model.outputs.clear();
      panel.content.model!.sharedModel.getCell(0).setSource('seed = 42');

      context.setStatus('restarting');
      await settle();
      await settle();

      expect(store.ended).toEqual([
        { path: 'analysis/train.ipynb', run: 'run-1', status: 'finished' }
      ]);
      expect(snapshotSources()).toEqual([['seed = 69', '']]);
      const [seedCell] = store.snapshots[0].snapshot.notebook.cells as Record<
        string,
        unknown
      >[];
      expect(seedCell.execution_count).toBe(1);
      expect(seedCell.outputs).toEqual([
        { output_type: 'stream', name: 'stdout', text: 'seeded\n' }
      ]);
    });
  });

  describe('a tab that does not write', () => {
    beforeEach(async () => {
      // Another tab greeted the kernel since: it writes now.
      kernel.lastComm!.receive({ type: 'writer', writer: false });
      await settle();
    });

    it('should pass the outputs it displays to the kernel, redacted', async () => {
      const cellId = showStream(panel.content, 0, 3, 'api_key = s3cr3t\n');

      cellExecuted(panel.content, 0);

      expect(store.outputs).toEqual([]);
      expect(
        kernel.lastComm!.sent.filter(message => message.type === 'outputs')
      ).toEqual([
        {
          type: 'outputs',
          execution_count: 3,
          cell_id: cellId,
          outputs: [
            {
              output_type: 'stream',
              name: 'stdout',
              text: `api_key = ${REDACTED}\n`
            }
          ]
        }
      ]);
    });

    it("should leave the run's end and snapshots to the writing tab", async () => {
      await panel.context.save();
      context.setStatus('restarting');
      await settle();

      expect(store.ended).toEqual([]);
      expect(store.snapshots).toEqual([]);
      expect(capture.model.run?.status).toBe('finished');
    });
  });

  describe('outputs another tab forwarded', () => {
    it('should be stored with the execution the kernel matched them to', async () => {
      await send(
        event('outputs', {
          run: 'run-1',
          exec: 2,
          cell_id: 'elsewhere',
          outputs: [{ output_type: 'stream', name: 'stdout', text: 'hi\n' }]
        })
      );

      expect(store.outputs).toEqual([
        storedStream('analysis/train.ipynb', 'run-1', 2, 'hi\n')
      ]);
    });
  });

  describe('#setTrackedHere()', () => {
    it('should keep the switch in the notebook and tell the kernel', async () => {
      capture.setTrackedHere(false);
      expect(panel.content.model!.getMetadata('jupyterlab_runs')).toEqual({
        tracking: false
      });
      expect(capture.isTrackedHere).toBe(false);
      expect(capture.isTracked).toBe(false);
      expect(kernel.lastComm!.sent).toContainEqual(
        expect.objectContaining({ type: 'config', tracking: false })
      );
    });
  });

  describe('#isTracked', () => {
    it('should follow the global setting', async () => {
      await registry.set(TRACKING_ID, 'trackingEnabled', false);
      expect(capture.isTrackedHere).toBe(true);
      expect(capture.isTracked).toBe(false);
      expect(kernel.lastComm!.sent).toContainEqual(
        expect.objectContaining({ type: 'config', tracking: false })
      );
    });
  });

  describe('#startRun()', () => {
    it('should ask the kernel for a new run', () => {
      expect(capture.isRecording).toBe(true);
      capture.startRun();
      expect(kernel.lastComm!.sent).toContainEqual({
        type: 'start_run',
        name: null
      });
    });
  });
});
