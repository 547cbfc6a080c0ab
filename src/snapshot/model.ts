import type * as nbformat from '@jupyterlab/nbformat';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import { RunsFollower } from '../store/follow';
import type { IRunStore, Runs } from '../tokens';
import { toNotebookContent } from './nbformat';
import type { SnapshotService } from './service';

/**
 * The last snapshot of one run, read from the store: what the snapshot view
 * shows, and what "Save as New Notebook" writes. While the run goes on (a
 * save of the notebook adds a snapshot) it is read again when the store
 * says the notebook's runs changed; once the run has ended only its run
 * list line is (the user may rename it).
 */
export class SnapshotModel implements IDisposable {
  constructor(options: SnapshotModel.IOptions) {
    this.notebookPath = options.notebookPath;
    this.runId = options.runId;
    this._service = options.service;
    this._follower = new RunsFollower({
      store: options.store,
      notebookPath: options.notebookPath,
      delay: options.refreshDelay ?? REFRESH_DELAY_MS,
      // Once the run has ended its snapshot stays: only its name and tags
      // may still change (the user renames it).
      readOnChange: () => {
        const state = this._state;
        const settled =
          state.kind === 'ready' && state.run.status !== 'running';
        return settled ? () => this._readRun() : () => this._read();
      }
    });
  }

  readonly notebookPath: string;
  readonly runId: string;

  /**
   * Where reading the snapshot stands.
   */
  get state(): SnapshotModel.State {
    return this._state;
  }

  /**
   * Emitted when `state` changes.
   */
  get stateChanged(): ISignal<this, SnapshotModel.State> {
    return this._stateChanged;
  }

  /**
   * Whether the snapshot is being saved as a new notebook.
   */
  get saving(): boolean {
    return this._saving;
  }

  /**
   * Emitted when `saving` changes.
   */
  get savingChanged(): ISignal<this, boolean> {
    return this._savingChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Read the run and its snapshot again. Calls made while a read runs share
   * the next read.
   */
  refresh(): Promise<void> {
    return this._follower.schedule(() => this._read());
  }

  /**
   * Save the snapshot shown as a new notebook beside the run's notebook
   * (see `SnapshotService.saveAsNotebook`), and give its path.
   *
   * @throws When there is no snapshot to save, or the file cannot be
   * written.
   */
  async save(): Promise<string> {
    const state = this._state;
    if (state.kind !== 'ready') {
      throw new Error('There is no snapshot to save.');
    }
    this._setSaving(true);
    try {
      return await this._service.saveAsNotebook({
        notebookPath: this.notebookPath,
        run: state.run,
        snapshot: state.snapshot
      });
    } finally {
      this._setSaving(false);
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._follower.dispose();
    Signal.clearData(this);
  }

  private async _read(): Promise<void> {
    let next: SnapshotModel.State;
    try {
      const { run, snapshot, problems } = await this._service.read(
        this.notebookPath,
        this.runId
      );
      if (!run) {
        next = { kind: 'missing', problems };
      } else if (!snapshot) {
        next = { kind: 'empty', run, problems };
      } else {
        const same =
          this._state.kind === 'ready' &&
          this._state.snapshot.time === snapshot.time;
        next = {
          kind: 'ready',
          run,
          // The same snapshot keeps its notebook: the view need not render
          // it again.
          snapshot: same
            ? (this._state as SnapshotModel.Ready).snapshot
            : {
                time: snapshot.time,
                notebook: toNotebookContent(snapshot.notebook)
              },
          problems
        };
      }
    } catch (reason) {
      next = { kind: 'error', message: errorMessage(reason) };
    }
    this._setState(next);
  }

  /**
   * Read the run's line of the run list again, keeping its snapshot.
   */
  private async _readRun(): Promise<void> {
    const state = this._state;
    if (state.kind !== 'ready') {
      return this._read();
    }
    let run: Runs.RunSummary | null;
    try {
      run = await this._service.readRun(this.notebookPath, this.runId);
    } catch {
      // The snapshot shown stays true; the next change reads again.
      return;
    }
    if (this._state !== state) {
      return;
    }
    this._setState(
      run ? { ...state, run } : { kind: 'missing', problems: state.problems }
    );
  }

  private _setState(next: SnapshotModel.State): void {
    if (this._isDisposed) {
      return;
    }
    this._state = next;
    this._stateChanged.emit(next);
  }

  private _setSaving(saving: boolean): void {
    if (this._saving !== saving && !this._isDisposed) {
      this._saving = saving;
      this._savingChanged.emit(saving);
    }
  }

  private readonly _service: SnapshotService;
  private readonly _follower: RunsFollower;
  private readonly _stateChanged = new Signal<this, SnapshotModel.State>(this);
  private readonly _savingChanged = new Signal<this, boolean>(this);
  private _state: SnapshotModel.State = { kind: 'loading' };
  private _saving = false;
  private _isDisposed = false;
}

export namespace SnapshotModel {
  export interface IOptions {
    service: SnapshotService;
    /** Whose `runsChanged` says when to read again. */
    store: IRunStore;
    notebookPath: string;
    runId: string;
    /** Milliseconds to wait after a change of the notebook's runs. */
    refreshDelay?: number;
  }

  /**
   * A snapshot as shown.
   */
  export type Snapshot = {
    /** When it was taken, epoch milliseconds. */
    readonly time: number;
    /**
     * As a valid nbformat notebook, untrusted (`toNotebookContent`): what
     * is shown, and what is saved.
     */
    readonly notebook: nbformat.INotebookContent;
  };

  export type Ready = {
    readonly kind: 'ready';
    readonly run: Runs.RunSummary;
    readonly snapshot: Snapshot;
    readonly problems: readonly string[];
  };

  export type State =
    | { readonly kind: 'loading' }
    | Ready
    /** The run is known but has no snapshot (yet). */
    | {
        readonly kind: 'empty';
        readonly run: Runs.RunSummary;
        readonly problems: readonly string[];
      }
    /** The notebook has no such run. */
    | { readonly kind: 'missing'; readonly problems: readonly string[] }
    /** The store could not be read. */
    | { readonly kind: 'error'; readonly message: string };
}

const REFRESH_DELAY_MS = 500;

function errorMessage(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
