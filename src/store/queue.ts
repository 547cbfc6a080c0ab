import type {
  ILocalStore,
  LoggedWrite,
  PendingMerge,
  PendingWrite
} from './local';

/**
 * Where the queue sends its writes: the server, through `StoreDrive`.
 */
export interface IWriteTarget {
  /**
   * Write a file; with `merge`, merged with what the server holds right
   * before it is sent (`IndexWriteTarget`).
   */
  write(
    folder: string,
    path: string,
    text: string,
    merge?: PendingMerge
  ): Promise<void>;
  exists(path: string): Promise<boolean>;
}

/**
 * How many content-addressed writes go to the server at once.
 */
const PARALLEL_ONCE_WRITES = 6;

/**
 * How long a store's id, once checked, answers for the writes into it: a
 * server stopped and another started on the same address is found within
 * this time, and at once after a failed request.
 */
const STORE_CHECK_TTL = 10000;

/**
 * The wait before retry `attempt` (0 for the first): 0.5 s doubling up to
 * 30 s, so a server that comes back is found within 30 s.
 */
export function defaultRetryDelay(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 30000);
}

/**
 * A wait of `ms` milliseconds that `wake()` ends early.
 */
export function wakeableDelay(ms: number): {
  done: Promise<void>;
  wake: () => void;
} {
  let wake = (): void => undefined;
  const done = new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}

/**
 * An ordered queue of file writes to the server.
 *
 * - Writes land in the order they were added; a write that fails is retried
 *   with backoff, and the ones behind it wait: nothing is dropped, nothing
 *   is reordered.
 * - A newer write of a file supersedes an older one still waiting: it takes
 *   the end of the queue, so whatever it refers to, added before it, lands
 *   first.
 * - Every write is logged in the local store until it lands, so the next tab
 *   can finish it if this one goes away.
 */
export class WriteQueue {
  constructor(options: WriteQueue.IOptions) {
    this._target = options.target;
    this._local = options.local;
    this._retryDelay = options.retryDelay ?? defaultRetryDelay;
    this._onLanded = options.onLanded;
    this._onProblem = options.onProblem;
    this._onLocalProblem = options.onLocalProblem;
    this._checkStore = options.checkStore ?? (async () => true);
    this._onHeld = options.onHeld ?? (() => undefined);
    this._storeCheckTtl = options.storeCheckTtl ?? STORE_CHECK_TTL;
  }

  /**
   * Add writes, in order.
   */
  enqueue(writes: readonly PendingWrite[]): void {
    const added: WriteQueue.IItem[] = [];
    const superseded: WriteQueue.IItem[] = [];
    for (const write of writes) {
      const { item, replaced } = this._add(write);
      if (item) {
        added.push(item);
      }
      if (replaced) {
        superseded.push(replaced);
      }
    }
    const keys = this._log(() =>
      this._local.appendPending(added.map(item => item.write))
    );
    added.forEach((item, index) => {
      item.key = keys.then(all => all?.[index] ?? null);
    });
    void this._forget(superseded);
    this._drain();
  }

  /**
   * Put writes taken over from a closed tab ahead of this tab's own.
   */
  adopt(logged: readonly LoggedWrite[]): void {
    const adopted: WriteQueue.IItem[] = [];
    const dropped: WriteQueue.IItem[] = [];
    for (const { key, write } of logged) {
      const { item, replaced } = this._add(write);
      if (item) {
        item.key = Promise.resolve(key);
        adopted.push(item);
      } else {
        // A content-addressed write already waiting: this copy goes.
        void this._log(() => this._local.removePending([key]));
      }
      if (replaced) {
        dropped.push(replaced);
      }
    }
    this._items = [
      ...adopted.filter(item => this._items.includes(item)),
      ...this._items.filter(item => !adopted.includes(item))
    ];
    void this._forget(dropped);
    this._drain();
  }

  /**
   * The newest text waiting to be written to a path, if any: what the file
   * will hold once the queue has drained.
   */
  pending(path: string): string | undefined {
    return this._latest.get(path)?.write.text;
  }

  /**
   * The newest write waiting for a path, if any.
   */
  pendingWrite(path: string): PendingWrite | undefined {
    return this._latest.get(path)?.write;
  }

  /**
   * Whether writes are waiting or in flight.
   */
  get isIdle(): boolean {
    return this._items.length === 0;
  }

  /**
   * Resolves once every write added so far has landed.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle) {
      return Promise.resolve();
    }
    return new Promise(resolve => this._idleWaiters.push(resolve));
  }

  /**
   * End the wait before the next attempt of a failing write: try it now.
   */
  retryNow(): void {
    this._wake?.();
  }

  /**
   * Stop retrying; writes still waiting stay in the local store's log.
   */
  dispose(): void {
    this._disposed = true;
  }

  /**
   * Queue a write. Returns the new item, or null for a content-addressed
   * write already waiting, and the waiting write it superseded, if any.
   */
  private _add(write: PendingWrite): {
    item: WriteQueue.IItem | null;
    replaced: WriteQueue.IItem | null;
  } {
    const previous = this._latest.get(write.path);
    if (write.once && previous) {
      return { item: null, replaced: null };
    }
    if (previous && !previous.inFlight && previous.write.merge && write.merge) {
      // The newer write carries the older one's changes too.
      write = {
        ...write,
        merge: combineMerges(previous.write.merge, write.merge)
      };
    }
    const item: WriteQueue.IItem = {
      write,
      key: Promise.resolve(null),
      inFlight: false
    };
    let replaced: WriteQueue.IItem | null = null;
    if (previous && !previous.inFlight) {
      this._items = this._items.filter(other => other !== previous);
      replaced = previous;
    }
    this._items.push(item);
    this._latest.set(write.path, item);
    return { item, replaced };
  }

  /**
   * Run a local-store operation after the ones before it; a failing local
   * store costs durability across reloads, never the writes themselves.
   */
  private _log<T>(operation: () => Promise<T>): Promise<T | null> {
    const result = this._logChain.then(operation).catch(reason => {
      if (!this._logFailed) {
        this._logFailed = true;
        this._onLocalProblem(reason);
      }
      return null;
    });
    this._logChain = result;
    return result;
  }

  private async _forget(items: readonly WriteQueue.IItem[]): Promise<void> {
    const keys = (await Promise.all(items.map(item => item.key))).filter(
      (key): key is number => key !== null
    );
    if (keys.length > 0) {
      await this._log(() => this._local.removePending(keys));
    }
  }

  private _drain(): void {
    if (this._draining || this._disposed) {
      return;
    }
    this._draining = true;
    void this._drainLoop().finally(() => {
      this._draining = false;
    });
  }

  private async _drainLoop(): Promise<void> {
    while (this._items.length > 0 && !this._disposed) {
      const step = this._nextStep();
      step.forEach(item => (item.inFlight = true));
      let held: WriteQueue.IItem[] = [];
      await this._withRetry(step, async () => {
        held = await this._foreign(step);
        await this._send(step.filter(item => !held.includes(item)));
      });
      this._items = this._items.filter(item => !step.includes(item));
      for (const item of step) {
        if (this._latest.get(item.write.path) === item) {
          this._latest.delete(item.write.path);
        }
      }
      if (held.length > 0) {
        // Kept in the log for the store they belong to; never sent here.
        this._onHeld(held.map(item => item.write));
      }
      await this._forget(step.filter(item => !held.includes(item)));
      const notebooks = new Set(step.map(item => item.write.notify));
      notebooks.forEach(
        notebook => notebook !== null && this._onLanded(notebook)
      );
    }
    if (this._items.length === 0) {
      this._idleWaiters.splice(0).forEach(resolve => resolve());
    }
  }

  /**
   * The next writes to send: a run of content-addressed writes, sent
   * together, or one other write.
   */
  private _nextStep(): WriteQueue.IItem[] {
    const step: WriteQueue.IItem[] = [];
    for (const item of this._items) {
      if (step.length === PARALLEL_ONCE_WRITES) {
        break;
      }
      if (!item.write.once) {
        return step.length > 0 ? step : [item];
      }
      step.push(item);
    }
    return step;
  }

  /**
   * The writes of a step meant for a store other than the one their folder
   * holds now (another project served on the same address, a store folder
   * replaced): checked once per store for a while, again after a failure.
   */
  private async _foreign(
    step: readonly WriteQueue.IItem[]
  ): Promise<WriteQueue.IItem[]> {
    const foreign: WriteQueue.IItem[] = [];
    for (const item of step) {
      const { folder, store } = item.write;
      const key = `${folder}\n${store ?? ''}`;
      const now = Date.now();
      let known = this._storeChecks.get(key);
      if (!known || now - known.at > this._storeCheckTtl) {
        known = { at: now, same: this._checkStore(folder, store) };
        this._storeChecks.set(key, known);
      }
      try {
        if (!(await known.same)) {
          foreign.push(item);
        }
      } catch (reason) {
        this._storeChecks.delete(key);
        throw reason;
      }
    }
    return foreign;
  }

  private async _send(step: readonly WriteQueue.IItem[]): Promise<void> {
    await Promise.all(
      step.map(async ({ write }) => {
        if (write.once && (await this._target.exists(write.path))) {
          return;
        }
        await this._target.write(
          write.folder,
          write.path,
          write.text,
          write.merge
        );
      })
    );
  }

  /**
   * Retry sending a step until it succeeds, telling about each failure and
   * about the first success after failures.
   */
  private async _withRetry(
    step: readonly WriteQueue.IItem[],
    operation: () => Promise<void>
  ): Promise<void> {
    for (let attempt = 0; !this._disposed; attempt++) {
      try {
        await operation();
        if (this._failing) {
          this._failing = false;
          this._onProblem(null, null);
        }
        return;
      } catch (reason) {
        // The server may be another one when it answers again.
        this._storeChecks.clear();
        this._failing = true;
        this._onProblem(reason, step[0]?.write.path ?? null);
        const wait = wakeableDelay(this._retryDelay(attempt));
        this._wake = wait.wake;
        await wait.done;
        this._wake = null;
      }
    }
  }

  private readonly _checkStore: (
    folder: string,
    store: string | undefined
  ) => Promise<boolean>;
  private _disposed = false;
  private _draining = false;
  private _idleWaiters: (() => void)[] = [];
  private _items: WriteQueue.IItem[] = [];
  private readonly _latest = new Map<string, WriteQueue.IItem>();
  private readonly _local: ILocalStore;
  private _failing = false;
  private _logChain: Promise<unknown> = Promise.resolve();
  private _logFailed = false;
  private readonly _onHeld: (writes: readonly PendingWrite[]) => void;
  private readonly _onLanded: (notebookPath: string) => void;
  private readonly _onLocalProblem: (reason: unknown) => void;
  private readonly _onProblem: (reason: unknown, path: string | null) => void;
  private readonly _retryDelay: (attempt: number) => number;
  private readonly _storeCheckTtl: number;
  private readonly _storeChecks = new Map<
    string,
    { at: number; same: Promise<boolean> }
  >();
  private readonly _target: IWriteTarget;
  private _wake: (() => void) | null = null;
}

/**
 * The changes of two writes of a shared file, the newer one's text holding
 * both.
 */
function combineMerges(older: PendingMerge, newer: PendingMerge): PendingMerge {
  return {
    rows: [...new Set([...older.rows, ...newer.rows])],
    sessions: [...new Set([...older.sessions, ...newer.sessions])]
  };
}

/**
 * Types of the write queue.
 */
export namespace WriteQueue {
  export interface IOptions {
    target: IWriteTarget;
    local: ILocalStore;
    /** Milliseconds to wait before retry `attempt`. */
    retryDelay?: (attempt: number) => number;
    /** Called with a notebook path once a write tagged with it landed. */
    onLanded: (notebookPath: string) => void;
    /**
     * Called with the error and the path of the write that failed at each
     * failed attempt, and with nulls once writes succeed again.
     */
    onProblem: (reason: unknown, path: string | null) => void;
    /**
     * Called once, with the error, when the local store first fails: writes
     * still go to the server but may not survive a reload.
     */
    onLocalProblem: (reason: unknown) => void;
    /**
     * Whether the store folder `folder` holds the store of id `store`
     * (undefined: a write of an earlier version, for a store without an
     * id); throws when the server cannot tell. Every write is sent when
     * absent.
     */
    checkStore?: (
      folder: string,
      store: string | undefined
    ) => Promise<boolean>;
    /**
     * Called with writes not sent because their store is not there: they
     * stay in the local store's log.
     */
    onHeld?: (writes: readonly PendingWrite[]) => void;
    /** Milliseconds a store check answers for; 10 s. */
    storeCheckTtl?: number;
  }

  /**
   * A write in the queue.
   */
  export interface IItem {
    readonly write: PendingWrite;
    /** Its key in the local store's log, once logged. */
    key: Promise<number | null>;
    inFlight: boolean;
  }
}
