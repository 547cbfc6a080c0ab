import type { ISessionContext } from '@jupyterlab/apputils';
import type { Notebook, NotebookPanel } from '@jupyterlab/notebook';
import { NotebookActions } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';

import type { IRunsSettings, IRunStore, Runs } from '../tokens';
import { KernelAttachment } from './attachment';
import { helperConfig } from './bootstrap';
import type { IAwareness } from './collaboration';
import type { FrontendRecorder } from './frontend';
import type { DisplayedExecution, KernelExecution } from './linker';
import { forwardedOutputs, kernelExecution, OutputLinker } from './linker';
import { ActiveRunModel } from './model';
import { CollaboratorNotices } from './notices';
import { ExecutedCells } from './executedCells';
import { prepareOutputs } from './outputs';
import { SnapshotPace } from './snapshotPace';

/**
 * The notebook metadata key of jupyterlab-runs.
 */
export const METADATA_KEY = 'jupyterlab_runs';

/**
 * Records one notebook: attaches its kernel, stores what the kernel reports,
 * adds the outputs as displayed and notebook snapshots, and keeps its active
 * run model up to date.
 */
export class NotebookCapture implements IDisposable {
  constructor(options: NotebookCapture.IOptions) {
    this._panel = options.panel;
    this._store = options.store;
    this._settings = options.settings;
    this._linker = new OutputLinker({
      onMatch: outputs => this._storeOutputs(outputs)
    });
    const awareness = sharedAwareness(this._panel);
    this._attachment = new KernelAttachment({
      sessionContext: options.sessionContext ?? this._panel.sessionContext,
      store: this._store,
      helperSource: options.helperSource,
      frontend: options.frontend,
      awareness,
      config: () =>
        helperConfig(this._settings.config, this.path, this.isTracked)
    });
    this.model.capture = this._attachment.state;

    this._attachment.eventsReceived.connect(this._onEvents, this);
    this._attachment.welcomed.connect(this._onWelcomed, this);
    this._attachment.kernelEnded.connect(this._onKernelEnded, this);
    this._attachment.stateChanged.connect(this._onAttachmentState, this);
    this._settings.changed.connect(this._onConfigChanged, this);
    this._panel.context.pathChanged.connect(this._onConfigChanged, this);
    this._panel.context.saveState.connect(this._onSaveState, this);
    this._panel.content.modelChanged.connect(this._onModelChanged, this);
    this._followMetadata(this._panel.content.model);
    NotebookActions.executionScheduled.connect(this._onScheduled, this);
    NotebookActions.executed.connect(this._onExecuted, this);
    this._notices = awareness
      ? new CollaboratorNotices({
          awareness,
          attachment: this._attachment,
          model: this.model,
          store: this._store,
          path: () => this.path
        })
      : null;
    void this._panel.context.ready.then(() => {
      if (!this._isDisposed) {
        this._attachment.configChanged();
      }
    });
  }

  /**
   * The active run of this notebook's kernel.
   */
  readonly model = new ActiveRunModel();

  /**
   * The notebook's path relative to the server root.
   */
  get path(): string {
    return this._panel.context.path;
  }

  /**
   * Whether this notebook is tracked: the global setting and its own switch.
   */
  get isTracked(): boolean {
    return this._settings.config.trackingEnabled && this.isTrackedHere;
  }

  /**
   * The notebook's own switch (metadata `jupyterlab_runs.tracking`), on
   * unless turned off.
   */
  get isTrackedHere(): boolean {
    // Until the notebook is read, its switch is not known: wait for it.
    return (
      this._panel.context.isReady &&
      readMetadata(this._panel.content.model).tracking !== false
    );
  }

  /**
   * Turn this notebook's own switch on or off.
   */
  setTrackedHere(tracked: boolean): void {
    const notebook = this._panel.content.model;
    notebook?.setMetadata(METADATA_KEY, {
      ...readMetadata(notebook),
      tracking: tracked
    });
  }

  /**
   * Whether the helper (or, for a kernel that is not Python, this tab)
   * records the kernel.
   */
  get isRecording(): boolean {
    return this._attachment.state === 'recording';
  }

  /**
   * End the active run and start a new one (the kernel helper does, or this
   * tab for a kernel that is not Python).
   */
  startRun(name: string | null = null): void {
    this._attachment.startRun(name);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._notices?.dispose();
    NotebookActions.executionScheduled.disconnect(this._onScheduled, this);
    NotebookActions.executed.disconnect(this._onExecuted, this);
    this._followMetadata(null);
    this._panel.content.modelChanged.disconnect(this._onModelChanged, this);
    this._panel.context.saveState.disconnect(this._onSaveState, this);
    this._panel.context.pathChanged.disconnect(this._onConfigChanged, this);
    this._settings.changed.disconnect(this._onConfigChanged, this);
    this._snapshots.dispose();
    this._attachment.dispose();
    this._linker.reset();
    this.model.dispose();
  }

  private _onEvents(
    _: KernelAttachment,
    events: readonly Runs.KernelEvent[]
  ): void {
    this.model.applyEvents(events);
    this._executed.noteEvents(events);
    for (const event of events) {
      const execution = kernelExecution(event);
      const forwarded = forwardedOutputs(event);
      if (execution) {
        this._linker.addKernelExecution(execution);
        this._lastCountOfRun.set(execution.run, execution.executionCount);
        this._settleFromKernel(execution, event.source);
      } else if (forwarded) {
        this._storeOutputs(forwarded);
      } else if (event.kind === 'run_end' && typeof event.run === 'string') {
        this._snapshots.request(event.run, this._lastCountOfRun.get(event.run));
        this._lastCountOfRun.delete(event.run);
      }
    }
    this._notices?.announceStored();
  }

  private _onWelcomed(
    _: KernelAttachment,
    run: KernelAttachment.WelcomeRun | null
  ): void {
    this.model.adopt(run);
  }

  private _onKernelEnded(
    _: KernelAttachment,
    ending: KernelAttachment.Ending
  ): void {
    this._snapshots.flush();
    const run = this.model.run;
    if (run && run.status === 'running') {
      const status = ending === 'died' ? 'crashed' : 'finished';
      if (this._attachment.isWriter) {
        // One tab ends the run: two would both write its files.
        this._saveSnapshot(run.id, this._lastCountOfRun.get(run.id));
        this._store.endRun(this.path, run.id, status);
        this._notices?.announceStored();
      }
      this.model.markEnded(status);
    }
    // The next kernel process counts executions and events from 1 again.
    this._linker.reset();
    this._executed.reset();
    this._scheduled.clear();
    this._lastCountOfRun.clear();
    this.model.resetSequence();
  }

  private _onAttachmentState(
    _: KernelAttachment,
    state: KernelAttachment.State
  ): void {
    this.model.capture = state;
  }

  private _onConfigChanged(): void {
    this._attachment.configChanged();
  }

  private _onSaveState(_: unknown, state: string): void {
    const run = this.model.run;
    if (
      state === 'completed' &&
      run?.status === 'running' &&
      this._attachment.isWriter
    ) {
      this._saveSnapshot(run.id);
      this._notices?.announceStored();
    }
  }

  private _onModelChanged(notebook: Notebook): void {
    this._followMetadata(notebook.model);
    this._attachment.configChanged();
  }

  private _onMetadataChanged(_: unknown, change: { key: string }): void {
    if (change.key === METADATA_KEY) {
      this._attachment.configChanged();
    }
  }

  /**
   * Take a copy of the outputs of a cell of this notebook as it finishes;
   * they are redacted and capped only if the kernel reports the execution.
   */
  private _onExecuted(
    _: unknown,
    args: { notebook: Notebook; cell: Notebook['widgets'][number] }
  ): void {
    const { notebook, cell } = args;
    if (notebook !== this._panel.content) {
      return;
    }
    const sent = this._scheduled.get(cell.model.id)?.shift();
    if (!this.isRecording) {
      return;
    }
    const count = (cell.model as Partial<CodeCellModel>).executionCount;
    if (cell.model.type === 'code' && typeof count === 'number') {
      const json = cell.model.toJSON() as unknown as Record<string, unknown>;
      // The source the kernel ran: a collaborator may have edited the cell
      // while it ran.
      const source = sent ?? String(json.source ?? '');
      this._executed.add(cell.model.id, {
        count,
        source,
        outputs: Array.isArray(json.outputs) ? json.outputs : null,
        stored: false,
        cell: { ...json, source }
      });
    }
    const model = cell.model as Partial<CodeCellModel> & { id: string };
    if (
      cell.model.type !== 'code' ||
      typeof model.executionCount !== 'number' ||
      !model.outputs
    ) {
      return;
    }
    const displayed: DisplayedExecution = {
      cellId: model.id,
      executionCount: model.executionCount,
      outputs: model.outputs.toJSON() as Record<string, unknown>[]
    };
    if (this._attachment.isWriter) {
      this._linker.addDisplayed(displayed);
    } else {
      this._attachment.forwardOutputs(
        displayed.executionCount,
        displayed.cellId,
        prepareOutputs(displayed.outputs, this._settings.config.outputCapBytes)
      );
    }
  }

  /**
   * Note the source a cell of this notebook is about to send to the kernel:
   * the request is made from it in the same turn.
   */
  private _onScheduled(
    _: unknown,
    args: { notebook: Notebook; cell: Notebook['widgets'][number] }
  ): void {
    const { notebook, cell } = args;
    if (notebook !== this._panel.content || cell.model.type !== 'code') {
      return;
    }
    const queue = this._scheduled.get(cell.model.id) ?? [];
    queue.push(cell.model.sharedModel.getSource());
    // A cell is queued a few times at most; never let a queue grow.
    this._scheduled.set(cell.model.id, queue.slice(-QUEUED_SOURCES));
  }

  /**
   * An execution another page ran (a collaborator's, or another tab's):
   * keep the cell as it stands now with the source the kernel ran, unless
   * this page ran it itself.
   */
  private _settleFromKernel(execution: KernelExecution, source: unknown): void {
    const { cellId, executionCount } = execution;
    if (
      cellId === null ||
      typeof source !== 'string' ||
      this._executed.has(cellId, executionCount)
    ) {
      return;
    }
    const cell = this._panel.content.widgets.find(
      widget => widget.model.id === cellId
    );
    if (!cell || cell.model.type !== 'code') {
      return;
    }
    const json = cell.model.toJSON() as unknown as Record<string, unknown>;
    this._executed.add(cellId, {
      count: executionCount,
      source,
      outputs: Array.isArray(json.outputs) ? json.outputs : null,
      stored: false,
      cell: { ...json, source, execution_count: executionCount }
    });
  }

  private _storeOutputs(outputs: Runs.ExecutionOutputs): void {
    this._store.addOutputs(this.path, {
      ...outputs,
      outputs: prepareOutputs(
        outputs.outputs,
        this._settings.config.outputCapBytes
      )
    });
    this._notices?.announceStored();
  }

  /**
   * Store the notebook as `run` executed it (see docs/CAPTURE.md); at the
   * run's end, as it stood when its last execution (`lastCount`) finished.
   */
  private _saveSnapshot(run: string, lastCount?: number): void {
    const notebook = this._panel.content.model;
    if (!notebook) {
      return;
    }
    const pending = new Set(
      lastCount === undefined
        ? []
        : this._panel.content.widgets
            .filter(
              cell =>
                cell.model.type === 'code' &&
                (cell.model as Partial<CodeCellModel>).executionState ===
                  'running'
            )
            .map(cell => cell.model.id)
    );
    const path = this.path;
    const time = Date.now();
    const cellIds = Array.from(notebook.cells, cell => cell.id);
    this._executed.snapshot(
      run,
      notebook.toJSON() as Record<string, unknown>,
      { lastCount, pending, cellIds },
      this._settings.config.outputCapBytes,
      built => this._store.saveSnapshot(path, { run, time, notebook: built })
    );
  }

  /**
   * Watch the metadata of the notebook model shown, for the tracking switch.
   */
  private _followMetadata(notebook: Notebook['model']): void {
    this._notebookModel?.metadataChanged.disconnect(
      this._onMetadataChanged,
      this
    );
    this._notebookModel = notebook;
    this._notebookModel?.metadataChanged.connect(this._onMetadataChanged, this);
  }

  private readonly _attachment: KernelAttachment;
  /** Run-end snapshots, at most one every 2 s: a loop of runs is not a loop of copies. */
  private readonly _snapshots = new SnapshotPace((run, lastCount) =>
    this._saveSnapshot(run, lastCount)
  );
  /** What this page says to collaborators' pages, under collaboration. */
  private readonly _notices: CollaboratorNotices | null;
  /** The sources of the code cells queued or running here, by cell id. */
  private readonly _scheduled = new Map<string, string[]>();
  /** The execution count of each run's latest execution, by run id. */
  private readonly _lastCountOfRun = new Map<string, number>();
  /** What the kernel executed of each code cell, for run snapshots. */
  private readonly _executed = new ExecutedCells(async run => {
    const read = await this._store.readRun(this.path, run);
    return read.value;
  });
  private _isDisposed = false;
  private readonly _linker: OutputLinker;
  private _notebookModel: Notebook['model'] = null;
  private readonly _panel: NotebookPanel;
  private readonly _settings: IRunsSettings;
  private readonly _store: IRunStore;
}

/**
 * Types of the notebook capture.
 */
export namespace NotebookCapture {
  export interface IOptions {
    /**
     * The notebook recorded.
     */
    panel: NotebookPanel;

    /**
     * The kernel session followed; the panel's by default.
     */
    sessionContext?: ISessionContext;

    store: IRunStore;
    settings: IRunsSettings;

    /**
     * Loads the helper's Python source, for kernels that cannot import it.
     */
    helperSource: () => Promise<string>;

    /**
     * What the recorders of kernels that are not Python share in this page.
     */
    frontend?: FrontendRecorder.IShared;
  }
}

/**
 * How many queued sources of each cell are kept.
 */
const QUEUED_SOURCES = 4;

/**
 * What this module reads of a code cell's model.
 */
type CodeCellModel = {
  readonly executionCount: number | null;
  /** `running` while queued or executing. */
  readonly executionState?: 'idle' | 'running';
  readonly outputs: { toJSON(): unknown[] };
};

/**
 * The awareness of the notebook's document when it is shared under
 * real-time collaboration (its document model is collaborative, as
 * JupyterLab's own document context decides from the drive), or null.
 */
function sharedAwareness(panel: NotebookPanel): IAwareness | null {
  const model = panel.context.model;
  const awareness = (model.sharedModel as { awareness?: IAwareness }).awareness;
  return model.collaborative && awareness ? awareness : null;
}

/**
 * The jupyterlab-runs metadata of a notebook, or an empty object.
 */
function readMetadata(notebook: Notebook['model']): Record<string, unknown> {
  const value = notebook?.getMetadata(METADATA_KEY);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
