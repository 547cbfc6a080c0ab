import type { Notebook, NotebookPanel } from '@jupyterlab/notebook';
import { NotebookActions } from '@jupyterlab/notebook';
import { PromiseDelegate } from '@lumino/coreutils';
import type { Signal } from '@lumino/signaling';
import { Awareness } from 'y-protocols/awareness';
import { Doc } from 'yjs';

import type { WriterNotice } from '../capture/collaboration';
import { AWARENESS_FIELD, CollaborationLink } from '../capture/collaboration';
import { NotebookCapture } from '../capture/notebook';
import type { IRunsSettings, Runs } from '../tokens';
import {
  connectAwareness,
  FakeKernel,
  FakeRunStore,
  FakeSessionContext,
  settle
} from './capture-fakes';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { cellExecuted, createNotebookPanel, showStream } from './notebooks';

const PATH = 'analysis/train.ipynb';

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

const RUN: Runs.ActiveRun = {
  id: 'run-1',
  name: 'brave-otter-1',
  status: 'running',
  paramsCount: 0,
  metricsCount: 0
};

/**
 * Report, as NotebookActions does, that a cell of `notebook` is about to be
 * sent to the kernel.
 */
function cellScheduled(notebook: Notebook, index: number): void {
  (
    NotebookActions.executionScheduled as Signal<
      unknown,
      { notebook: Notebook; cell: Notebook['widgets'][number] }
    >
  ).emit({ notebook, cell: notebook.widgets[index] });
}

/** Edit a cell as a collaborator would: through the shared model. */
function editCell(notebook: Notebook, index: number, source: string): void {
  notebook.widgets[index].model.sharedModel.setSource(source);
}

describe('NotebookCapture of a shared notebook', () => {
  let settings: IRunsSettings;
  let panel: NotebookPanel;
  let kernel: FakeKernel;
  let store: FakeRunStore;
  let capture: NotebookCapture;
  /** A collaborator's page on the same document. */
  let peer: Awareness;
  let peerLink: CollaborationLink;
  let disconnect: () => void;

  const send = async (...events: Runs.KernelEvent[]) => {
    kernel.lastComm!.receive({ type: 'events', events });
    await settle();
  };

  /** What this page tells collaborators, as the peer sees it. */
  const published = (): WriterNotice | null | undefined => {
    const awareness = panel.context.model.sharedModel.awareness;
    return peer.getStates().get(awareness.clientID)?.[AWARENESS_FIELD];
  };

  beforeEach(async () => {
    seq = 0;
    settings = await resolveRunsSettings(createSettingRegistry());
    panel = await createNotebookPanel(PATH);
    // The document model of a notebook opened with real-time collaboration.
    Object.defineProperty(panel.context.model, 'collaborative', {
      value: true
    });
    panel.content.model!.sharedModel.insertCells(0, [
      { cell_type: 'code', source: 'seed = 69' }
    ]);
    peer = new Awareness(new Doc());
    disconnect = connectAwareness(
      panel.context.model.sharedModel.awareness as unknown as Awareness,
      peer
    );
    peerLink = new CollaborationLink(peer);
    kernel = new FakeKernel();
    store = new FakeRunStore();
    capture = new NotebookCapture({
      panel,
      sessionContext: new FakeSessionContext(kernel).asSessionContext(),
      store,
      settings,
      helperSource: async () => 'def attach(config): pass\n'
    });
    await settle();
  });

  afterEach(() => {
    capture.dispose();
    peerLink.dispose();
    disconnect();
    peer.destroy();
    panel.dispose();
  });

  describe('when its page writes', () => {
    it('should tell collaborators its run once what it handed to the store landed', async () => {
      store.pendingFlush = new PromiseDelegate<void>();
      await send(
        event('session', { session: 'k1' }),
        event('run_start', { run: 'run-1', name: 'brave-otter-1', params: [] })
      );
      // Not before the store wrote it.
      expect(published()?.stored ?? 0).toBe(0);

      store.pendingFlush.resolve();
      await settle();

      expect(published()).toEqual({ session: 'k1', run: RUN, stored: 1 });
    });

    it('should withdraw its notice when another page writes', async () => {
      await send(
        event('session', { session: 'k1' }),
        event('run_start', { run: 'run-1', name: 'brave-otter-1', params: [] })
      );
      kernel.lastComm!.receive({ type: 'writer', writer: false });

      expect(published()).toBeNull();
    });
  });

  describe('when a collaborator writes', () => {
    beforeEach(async () => {
      // The collaborator's page greeted the kernel last.
      kernel.lastComm!.receive({ type: 'writer', writer: false });
      await settle();
    });

    it("should read the runs again once the writer's writes landed, and show its run", () => {
      peerLink.publish({ session: 'session-1', run: RUN, stored: 1 });
      peerLink.publish({
        session: 'session-1',
        run: { ...RUN, metricsCount: 1 },
        stored: 1
      });

      expect(store.changesElsewhere).toEqual([PATH]);
      expect(capture.model.run).toEqual({ ...RUN, metricsCount: 1 });

      peerLink.publish({
        session: 'session-1',
        run: { ...RUN, status: 'finished', metricsCount: 1 },
        stored: 2
      });

      expect(store.changesElsewhere).toEqual([PATH, PATH]);
      expect(capture.model.run?.status).toBe('finished');
    });

    it('should not show the run of another kernel process', () => {
      peerLink.publish({ session: 'another-kernel', run: RUN, stored: 1 });

      expect(store.changesElsewhere).toEqual([PATH]);
      expect(capture.model.run).toBeNull();
    });

    it('should say it does not write, whatever it does', async () => {
      await panel.context.save();
      cellExecuted(panel.content, 0);
      await settle();

      expect(published()).toBeNull();
    });
  });
});

describe('NotebookCapture of a cell edited while it ran', () => {
  let settings: IRunsSettings;
  let panel: NotebookPanel;
  let kernel: FakeKernel;
  let store: FakeRunStore;
  let capture: NotebookCapture;
  let cellId: string;

  const send = async (...events: Runs.KernelEvent[]) => {
    kernel.lastComm!.receive({ type: 'events', events });
    await settle();
  };

  /** The source of the first cell in the run's last snapshot. */
  const snapshotSource = () => {
    const { notebook } = store.snapshots[store.snapshots.length - 1].snapshot;
    return (notebook.cells as { source: string }[])[0].source;
  };

  beforeEach(async () => {
    seq = 0;
    settings = await resolveRunsSettings(createSettingRegistry());
    panel = await createNotebookPanel(PATH);
    // Cells have ids from nbformat 4.5 on.
    panel.content.model!.fromJSON({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          id: 'seed-cell',
          cell_type: 'code',
          source: 'seed = 69',
          metadata: {},
          outputs: [],
          execution_count: null
        }
      ]
    });
    cellId = panel.content.widgets[0].model.id;
    kernel = new FakeKernel();
    store = new FakeRunStore();
    capture = new NotebookCapture({
      panel,
      sessionContext: new FakeSessionContext(kernel).asSessionContext(),
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

  it('should keep in the snapshot the source this page sent', async () => {
    cellScheduled(panel.content, 0);
    editCell(panel.content, 0, 'seed = 42');
    showStream(panel.content, 0, 1, 'done\n');
    cellExecuted(panel.content, 0);
    await send(
      event('execution', {
        run: 'run-1',
        exec: 1,
        cell_id: cellId,
        execution_count: 1,
        source: 'seed = 69'
      }),
      event('run_end', { run: 'run-1', status: 'finished' })
    );

    expect(snapshotSource()).toBe('seed = 69');
  });

  it('should keep in the snapshot the source the kernel ran for a cell another page ran', async () => {
    // The cell ran from a collaborator's page, which was edited meanwhile:
    // this page only sees the shared cell and the kernel's events.
    editCell(panel.content, 0, 'seed = 42');
    showStream(panel.content, 0, 1, 'done\n');
    await send(
      event('execution', {
        run: 'run-1',
        exec: 1,
        cell_id: cellId,
        execution_count: 1,
        source: 'seed = 69'
      }),
      event('run_end', { run: 'run-1', status: 'finished' })
    );

    expect(snapshotSource()).toBe('seed = 69');
  });

  it('should keep a cell as it is when it is not edited since it ran', async () => {
    showStream(panel.content, 0, 1, 'done\n');
    await send(
      event('execution', {
        run: 'run-1',
        exec: 1,
        cell_id: cellId,
        execution_count: 1,
        source: 'seed = 69'
      }),
      event('run_end', { run: 'run-1', status: 'finished' })
    );

    expect(snapshotSource()).toBe('seed = 69');
  });
});
