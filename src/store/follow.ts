import type { IDisposable } from '@lumino/disposable';

import type { IRunStore } from '../tokens';

/**
 * Reads of a view that follows one notebook's runs: one read at a time (a
 * read asked for while one goes on runs after it, the latest ask winning),
 * and a burst of changes to the notebook's runs (a running run is written
 * every few seconds) gives one read, `delay` ms after the last change.
 */
export class RunsFollower implements IDisposable {
  constructor(options: RunsFollower.IOptions) {
    this._options = options;
    options.store.runsChanged.connect(this._onRunsChanged, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Run `read` once the read going on, if any, has ended.
   */
  schedule(read: () => Promise<void>): Promise<void> {
    if (this._reading) {
      this._next = read;
      return this._reading;
    }
    this._reading = read().finally(() => {
      this._reading = null;
      const next = this._next;
      this._next = null;
      if (next && !this._isDisposed) {
        void this.schedule(next);
      }
    });
    return this._reading;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.clearTimeout(this._timer);
    this._options.store.runsChanged.disconnect(this._onRunsChanged, this);
  }

  private _onRunsChanged(_: IRunStore, notebookPath: string): void {
    if (notebookPath !== this._options.notebookPath || this._isDisposed) {
      return;
    }
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(
      () => void this.schedule(this._options.readOnChange()),
      this._options.delay
    );
  }

  private _isDisposed = false;
  private _next: (() => Promise<void>) | null = null;
  private readonly _options: RunsFollower.IOptions;
  private _reading: Promise<void> | null = null;
  private _timer = 0;
}

export namespace RunsFollower {
  export interface IOptions {
    store: IRunStore;
    notebookPath: string;
    /** Milliseconds to wait after a change of the notebook's runs. */
    delay: number;
    /** The read to make after the notebook's runs changed. */
    readOnChange: () => () => Promise<void>;
  }
}
