import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { CellDiff } from '../compare/cells';
import { diffNotebooks } from '../compare/cells';
import type { EnvDiff } from '../compare/env';
import { diffEnvironments } from '../compare/env';
import type { StoredRun } from '../store/reader';
import type { IRunStore } from '../tokens';
import type { ExecutedStep } from './executed';
import { asExecuted } from './executed';

/**
 * Where the notebook as it is now comes from: the open tab (with its unsaved
 * changes), the file, or nowhere (it no longer exists).
 */
export type CurrentNotebook = {
  readonly from: 'open' | 'file' | 'missing';
  readonly notebook: Record<string, unknown> | null;
};

/**
 * The environment to compare a run's with: the kernel the notebook runs in
 * now, as its active (or last) run recorded it, or else the notebook's
 * latest run.
 */
export type CurrentEnvironment = {
  readonly from: 'kernel' | 'latest-run' | 'none';
  /** The run whose environment it is, or null. */
  readonly run: { readonly id: string; readonly name: string } | null;
  readonly env: Readonly<Record<string, unknown>> | null;
};

/**
 * What a run's provenance view shows: its executions as they happened, and
 * what changed since in the notebook and the environment.
 */
export class ProvenanceModel implements IDisposable {
  constructor(options: ProvenanceModel.IOptions) {
    this.notebookPath = options.notebookPath;
    this.runId = options.runId;
    this._options = options;
  }

  readonly notebookPath: string;
  readonly runId: string;

  get state(): ProvenanceModel.State {
    return this._state;
  }

  get stateChanged(): ISignal<this, ProvenanceModel.State> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Read the run, its snapshot, the notebook now and the environment now.
   */
  async refresh(): Promise<void> {
    const { store, currentNotebook, activeRunId } = this._options;
    let next: ProvenanceModel.State;
    try {
      const [read, snapshot, current] = await Promise.all([
        store.readRun(this.notebookPath, this.runId),
        store.readSnapshot(this.notebookPath, this.runId),
        currentNotebook(this.notebookPath)
      ]);
      const run = read.value;
      if (!run) {
        next = { kind: 'missing', problems: read.problems };
      } else {
        const environment = await this._currentEnvironment(
          activeRunId(this.notebookPath)
        );
        const before = snapshot.value?.notebook ?? null;
        next = {
          kind: 'ready',
          run,
          problems: [...read.problems, ...snapshot.problems],
          hasSnapshot: before !== null,
          current,
          steps: asExecuted(run, before, current.notebook),
          cells:
            before !== null
              ? diffNotebooks(before, current.notebook ?? { cells: [] })
              : null,
          environment,
          env: environment.env
            ? diffEnvironments(run.env, environment.env)
            : null
        };
      }
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

  private async _currentEnvironment(
    activeRun: string | null
  ): Promise<CurrentEnvironment> {
    const { store } = this._options;
    if (activeRun !== null) {
      const active = (
        await store.readRun(this.notebookPath, activeRun, {
          inherited: false
        })
      ).value;
      if (active?.env) {
        return {
          from: 'kernel',
          run: { id: active.id, name: active.name },
          env: active.env
        };
      }
    }
    const { runs } = await store.listRuns(this.notebookPath);
    for (const summary of runs) {
      const latest = (
        await store.readRun(this.notebookPath, summary.id, {
          inherited: false
        })
      ).value;
      if (latest?.env) {
        return {
          from: 'latest-run',
          run: { id: latest.id, name: latest.name },
          env: latest.env
        };
      }
    }
    return { from: 'none', run: null, env: null };
  }

  private readonly _options: ProvenanceModel.IOptions;
  private _isDisposed = false;
  private _state: ProvenanceModel.State = { kind: 'loading' };
  private readonly _stateChanged = new Signal<this, ProvenanceModel.State>(
    this
  );
}

export namespace ProvenanceModel {
  export interface IOptions {
    store: IRunStore;
    notebookPath: string;
    runId: string;
    /** The notebook as it is now. */
    currentNotebook: (path: string) => Promise<CurrentNotebook>;
    /** The run active in (or last run by) the notebook's kernel, or null. */
    activeRunId: (path: string) => string | null;
  }

  export type State =
    | { readonly kind: 'loading' }
    | { readonly kind: 'missing'; readonly problems: readonly string[] }
    | { readonly kind: 'error'; readonly message: string }
    | {
        readonly kind: 'ready';
        readonly run: StoredRun.Run;
        readonly problems: readonly string[];
        readonly hasSnapshot: boolean;
        readonly current: CurrentNotebook;
        readonly steps: readonly ExecutedStep[];
        /** The run's notebook against the notebook now; null without a snapshot. */
        readonly cells: CellDiff.Result | null;
        readonly environment: CurrentEnvironment;
        /** The run's environment against the one now; null without one. */
        readonly env: EnvDiff.Result | null;
      };
}
