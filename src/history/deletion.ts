import type { IRunStore, Runs } from '../tokens';

/**
 * Deletions that can still be undone.
 *
 * #### Notes
 * The store's delete cannot be taken back (a deleted run stays deleted,
 * whatever page merges its annotations), so a deletion is held here for a
 * while: its runs leave the table at once, and the store deletes them only
 * when the time to undo is over (or `flush()` is called). Undo before that
 * brings them back as they were, and the store never knew. A page closed
 * meanwhile keeps the runs: nothing was deleted yet.
 */
export class PendingDeletions {
  constructor(options: PendingDeletions.IOptions) {
    this._store = options.store;
    this._onChange = options.onChange;
  }

  /**
   * Whether the run of a row key waits to be deleted.
   */
  has(key: string): boolean {
    return this._keys.has(key) || this._deleted.has(key);
  }

  /**
   * Whether some runs are kept out of the lists: waiting, or deleted.
   */
  get hidesAny(): boolean {
    return this._keys.size > 0 || this._deleted.size > 0;
  }

  /**
   * How many runs wait to be deleted (or are being deleted).
   */
  get size(): number {
    return this._keys.size;
  }

  /**
   * Hold the runs for deletion, for `delay` milliseconds.
   */
  add(
    runs: readonly Runs.RunSummary[],
    keyOf: (run: Runs.RunSummary) => string,
    delay: number
  ): PendingDeletions.IDeletion {
    const keys = runs.map(keyOf);
    let settle: (failure: unknown) => void = () => undefined;
    const finished = new Promise<void>((resolve, reject) => {
      settle = failure => (failure === null ? resolve() : reject(failure));
    });
    // Said once, to whoever awaits it; nobody awaiting is not an error.
    finished.catch(() => undefined);
    const entry: IEntry = {
      runs: [...runs],
      keys,
      timer: null,
      state: 'pending',
      settle
    };
    for (const key of keys) {
      this._keys.add(key);
    }
    this._entries.add(entry);
    entry.timer = setTimeout(() => void this._finish(entry), delay);
    this._onChange();
    return {
      runs: entry.runs,
      finished,
      undo: () => {
        if (entry.state !== 'pending') {
          return false;
        }
        this._release(entry, 'undone');
        settle(null);
        this._onChange();
        return true;
      },
      flush: () => this._finish(entry).then(() => finished)
    };
  }

  /**
   * Delete every run held now, without waiting for the time to undo.
   */
  async flush(): Promise<void> {
    await Promise.all([...this._entries].map(entry => this._finish(entry)));
  }

  /**
   * Delete what is held in the store, one run after the other; the runs the
   * store refuses to delete come back, and `finished` says why.
   */
  private async _finish(entry: IEntry): Promise<void> {
    if (entry.state !== 'pending') {
      return;
    }
    entry.state = 'deleting';
    if (entry.timer !== null) {
      clearTimeout(entry.timer);
      entry.timer = null;
    }
    let failure: unknown = null;
    for (const [index, run] of entry.runs.entries()) {
      try {
        await this._store.deleteRun(run.notebookPath, run.id);
        // Kept out of lists read before the store's answer landed.
        this._deleted.add(entry.keys[index]);
      } catch (reason) {
        failure ??= reason;
      }
    }
    this._release(entry, 'done');
    entry.settle(failure);
    this._onChange();
  }

  private _release(entry: IEntry, state: IEntry['state']): void {
    entry.state = state;
    if (entry.timer !== null) {
      clearTimeout(entry.timer);
      entry.timer = null;
    }
    this._entries.delete(entry);
    for (const key of entry.keys) {
      this._keys.delete(key);
    }
  }

  private readonly _store: IRunStore;
  private readonly _onChange: () => void;
  private readonly _entries = new Set<IEntry>();
  private readonly _keys = new Set<string>();
  /** Deleted by the store: a deleted run never comes back. */
  private readonly _deleted = new Set<string>();
}

/**
 * One deletion held.
 */
interface IEntry {
  readonly runs: Runs.RunSummary[];
  readonly keys: string[];
  timer: ReturnType<typeof setTimeout> | null;
  state: 'pending' | 'deleting' | 'done' | 'undone';
  readonly settle: (failure: unknown) => void;
}

/**
 * Types of the pending deletions.
 */
export namespace PendingDeletions {
  export interface IOptions {
    /**
     * Where the runs are deleted once the time to undo is over.
     */
    store: IRunStore;

    /**
     * Called when runs start or stop waiting (held, undone, deleted).
     */
    onChange: () => void;
  }

  /**
   * A deletion the user can still take back.
   */
  export interface IDeletion {
    /**
     * The runs deleted.
     */
    readonly runs: readonly Runs.RunSummary[];

    /**
     * Bring the runs back; false when too late (the store deleted them).
     */
    undo(): boolean;

    /**
     * Delete now, without waiting for the time to undo.
     */
    flush(): Promise<void>;

    /**
     * Settles once the store deleted the runs (or undo brought them back);
     * rejects with why the store refused one of them, which then came back.
     */
    readonly finished: Promise<void>;
  }
}
