import type { StoredRun } from '../store/reader';
import type { Runs } from '../tokens';
import type { ExecutedOptions, ExecutedVersion } from './executedSnapshot';
import { prepareExecutedNotebook } from './executedSnapshot';

/**
 * How many versions of each cell are kept from this page's executions.
 */
const KEPT_VERSIONS = 4;

/**
 * What the kernel executed of each code cell of one notebook, in its current
 * kernel process: the executions this page saw, and, when it did not see
 * them all (it was reloaded, or another tab wrote for a while), those the
 * store holds. Run snapshots are built from it, never from the editor's
 * text alone.
 */
export class ExecutedCells {
  /**
   * @param read - Reads a run's executions and those it inherited from the
   * store; null when the store has no such run.
   */
  constructor(
    private readonly _read: (
      run: string
    ) => Promise<StoredRun.Executions | null>
  ) {}

  /**
   * Whether this page received every event of the kernel process, from its
   * first: then it saw every execution, and the store adds nothing.
   */
  get isComplete(): boolean {
    return this._nextSeq > 1 && !this._missed;
  }

  /**
   * Keep a version of a cell as one of its executions left it.
   */
  add(cellId: string, version: ExecutedVersion): void {
    const history = (this._versions.get(cellId) ?? []).filter(
      known => known.count !== version.count
    );
    history.push(version);
    history.sort((a, b) => a.count - b.count);
    // A run's snapshot needs the versions since the run before it ended.
    this._versions.set(cellId, history.slice(-KEPT_VERSIONS));
  }

  /**
   * Whether this page kept the execution `count` of a cell.
   */
  has(cellId: string, count: number): boolean {
    return (
      this._versions.get(cellId)?.some(known => known.count === count) ?? false
    );
  }

  /**
   * Follow the kernel's event numbers: a page that starts listening after
   * the first event, or skips some, has not seen every execution.
   */
  noteEvents(events: readonly Runs.KernelEvent[]): void {
    for (const { seq } of events) {
      if (seq < this._nextSeq) {
        continue; // replayed: already seen
      }
      if (seq > this._nextSeq) {
        this._missed = true;
        // What was read before the gap may lack the missed executions.
        this._stored.clear();
      }
      this._nextSeq = seq + 1;
    }
  }

  /**
   * Forget everything: the next kernel process counts from 1 again.
   */
  reset(): void {
    this._versions.clear();
    this._stored.clear();
    this._nextSeq = 1;
    this._missed = false;
  }

  /**
   * The notebook as `run` executed it, as a snapshot stores it (see
   * `prepareExecutedNotebook`), given to `done`: at once when this page
   * saw every execution of the kernel process (or read the run from the
   * store before), else once the run's executions are read from the store.
   *
   * @param notebook - The notebook as the editor holds it now: the frame,
   * and the cells the kernel never ran.
   */
  snapshot(
    run: string,
    notebook: Record<string, unknown>,
    options: ExecutedOptions,
    capBytes: number,
    done: (notebook: Record<string, unknown>) => void
  ): void {
    // Taken now: the kernel process may end, and these be forgotten, while
    // the store is read.
    const seen = new Map(this._versions);
    const build = (stored: Map<string, ExecutedVersion[]>) =>
      done(
        prepareExecutedNotebook(
          notebook,
          merged(seen, stored),
          options,
          capBytes
        )
      );
    if (this.isComplete) {
      build(new Map());
      return;
    }
    const load = this._load(run);
    if (load.value) {
      build(load.value);
    } else {
      void load.promise.then(build);
    }
  }

  private _load(run: string): StoredLoad {
    let load = this._stored.get(run);
    if (!load) {
      const started: StoredLoad = {
        value: null,
        promise: this._read(run)
          .then(executions => storedVersions(executions))
          .catch(reason => {
            console.warn(
              'jupyterlab-runs: could not read the executions of a run for its snapshot; the notebook is taken as it stands.',
              reason
            );
            return new Map<string, ExecutedVersion[]>();
          })
          .then(value => {
            started.value = value;
            return value;
          })
      };
      load = started;
      this._stored.set(run, load);
    }
    return load;
  }

  /** This page's versions of each cell, oldest first, by cell id. */
  private readonly _versions = new Map<string, ExecutedVersion[]>();
  /** The store's versions of a run's cells, by run id, once read. */
  private readonly _stored = new Map<string, StoredLoad>();
  /** The kernel event `seq` expected next. */
  private _nextSeq = 1;
  /** Whether some events of the kernel process never reached this page. */
  private _missed = false;
}

/**
 * A read of a run's executions from the store.
 */
type StoredLoad = {
  value: Map<string, ExecutedVersion[]> | null;
  readonly promise: Promise<Map<string, ExecutedVersion[]>>;
};

/**
 * The executions of a run and those it inherited as versions of their
 * cells. Executions without a cell or a count change no cell.
 */
function storedVersions(
  executions: StoredRun.Executions | null
): Map<string, ExecutedVersion[]> {
  const versions = new Map<string, ExecutedVersion[]>();
  if (!executions) {
    return versions;
  }
  for (const execution of [...executions.inherited, ...executions.executions]) {
    const { cellId, executionCount } = execution;
    if (cellId === null || executionCount === null) {
      continue;
    }
    const list = versions.get(cellId) ?? [];
    list.push({
      count: executionCount,
      source: execution.source,
      outputs: execution.outputs,
      stored: true
    });
    versions.set(cellId, list);
  }
  return versions;
}

/**
 * This page's versions with the store's, this page's first: it saw the
 * outputs as displayed, before any cap.
 */
function merged(
  seen: ReadonlyMap<string, readonly ExecutedVersion[]>,
  stored: ReadonlyMap<string, readonly ExecutedVersion[]>
): Map<string, readonly ExecutedVersion[]> {
  const all = new Map<string, readonly ExecutedVersion[]>(seen);
  for (const [cellId, versions] of stored) {
    const own = seen.get(cellId) ?? [];
    all.set(cellId, [
      ...own,
      ...versions.filter(
        version => !own.some(known => known.count === version.count)
      )
    ]);
  }
  return all;
}
