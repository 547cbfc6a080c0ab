import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import { RunsFollower } from '../store/follow';
import type { StoredRun } from '../store/reader';
import type { IRunStore } from '../tokens';

/**
 * One run, read from the store and read again while it changes: what the
 * run detail view shows.
 */
export class RunDetailModel implements IDisposable {
  constructor(options: RunDetailModel.IOptions) {
    this.notebookPath = options.notebookPath;
    this.runId = options.runId;
    this._store = options.store;
    this._follower = new RunsFollower({
      store: options.store,
      notebookPath: options.notebookPath,
      delay: options.refreshDelay ?? REFRESH_DELAY_MS,
      readOnChange: () => () => this._read()
    });
  }

  readonly notebookPath: string;
  readonly runId: string;

  /**
   * Where reading the run stands.
   */
  get state(): RunDetailModel.State {
    return this._state;
  }

  /**
   * Emitted when `state` changes.
   */
  get stateChanged(): ISignal<this, RunDetailModel.State> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Read the run again. Calls made while a read runs share the next read.
   */
  refresh(): Promise<void> {
    return this._follower.schedule(() => this._read());
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
    let next: RunDetailModel.State;
    try {
      const { value, problems } = await this._store.readRun(
        this.notebookPath,
        this.runId
      );
      next = value
        ? { kind: 'ready', run: value, problems }
        : { kind: 'missing', problems };
    } catch (reason) {
      next = { kind: 'error', message: errorMessage(reason) };
    }
    if (!this._isDisposed) {
      this._state = next;
      this._stateChanged.emit(next);
    }
  }

  private readonly _store: IRunStore;
  private readonly _follower: RunsFollower;
  private readonly _stateChanged = new Signal<this, RunDetailModel.State>(this);
  private _state: RunDetailModel.State = { kind: 'loading' };
  private _isDisposed = false;
}

export namespace RunDetailModel {
  export interface IOptions {
    store: IRunStore;
    notebookPath: string;
    runId: string;
    /** Milliseconds to wait after a change of the notebook's runs. */
    refreshDelay?: number;
  }

  export type State =
    | { readonly kind: 'loading' }
    | {
        readonly kind: 'ready';
        readonly run: StoredRun.Run;
        readonly problems: readonly string[];
      }
    | { readonly kind: 'missing'; readonly problems: readonly string[] }
    | { readonly kind: 'error'; readonly message: string };
}

const REFRESH_DELAY_MS = 500;

function errorMessage(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
