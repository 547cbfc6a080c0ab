import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { StoredRun } from '../store/reader';
import type { IRunStore } from '../tokens';
import { inTimeOrder } from './difference';

/**
 * A run to compare: which notebook, which run.
 */
export type RunRef = { readonly notebookPath: string; readonly runId: string };

/**
 * The runs of a comparison, read from the store together.
 */
export class ComparisonModel implements IDisposable {
  constructor(options: ComparisonModel.IOptions) {
    this.refs = options.runs;
    this._store = options.store;
  }

  /** The runs asked for, in the order given. */
  readonly refs: readonly RunRef[];

  get state(): ComparisonModel.State {
    return this._state;
  }

  get stateChanged(): ISignal<this, ComparisonModel.State> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Read every run. A run the store does not hold becomes a problem line;
   * the others are compared.
   */
  async refresh(): Promise<void> {
    let next: ComparisonModel.State;
    try {
      const results = await Promise.all(
        // A comparison shows each run's own executions, not those it
        // inherited: reading those would read every earlier run again.
        this.refs.map(ref =>
          this._store.readRun(ref.notebookPath, ref.runId, {
            inherited: false
          })
        )
      );
      const runs: StoredRun.Run[] = [];
      const problems: string[] = [];
      results.forEach((result, index) => {
        problems.push(...result.problems);
        if (result.value) {
          runs.push(result.value);
        } else {
          const { notebookPath, runId } = this.refs[index];
          problems.push(`${notebookPath}: run ${runId} is not in the store`);
        }
      });
      next = { kind: 'ready', runs: inTimeOrder(runs), problems };
    } catch (reason) {
      next = {
        kind: 'error',
        message: reason instanceof Error ? reason.message : String(reason)
      };
    }
    if (!this._isDisposed) {
      this._state = next;
      this._stateChanged.emit(next);
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private readonly _store: IRunStore;
  private readonly _stateChanged = new Signal<this, ComparisonModel.State>(
    this
  );
  private _state: ComparisonModel.State = { kind: 'loading' };
  private _isDisposed = false;
}

export namespace ComparisonModel {
  export interface IOptions {
    store: IRunStore;
    runs: readonly RunRef[];
  }

  export type State =
    | { readonly kind: 'loading' }
    | {
        readonly kind: 'ready';
        /** Oldest first: the first is the base of every difference. */
        readonly runs: readonly StoredRun.Run[];
        readonly problems: readonly string[];
      }
    | { readonly kind: 'error'; readonly message: string };
}

/**
 * How many runs a comparison takes.
 */
export const MIN_RUNS = 2;
export const MAX_RUNS = 50;
