import type { Runs } from '../tokens';

/**
 * A file write waiting to reach the server.
 */
export type PendingWrite = {
  /** The store folder the path must lie inside. */
  readonly folder: string;
  readonly path: string;
  readonly text: string;
  /**
   * Content-addressed: the file never changes once written, so it is skipped
   * when it exists already.
   */
  readonly once: boolean;
  /** The notebook whose runs changed once this write lands, if any. */
  readonly notify: string | null;
  /**
   * The server the write is for (`serverIdentity`): a browser keeps one log
   * per origin, and another project may be served on the same address
   * later. Absent in writes logged by earlier versions.
   */
  readonly server?: string;
  /**
   * The id of the store (`store.json`) the write is for: it is sent only
   * into the store with this id. Absent in writes logged by earlier
   * versions, which go only into a store without an id.
   */
  readonly store?: string;
  /**
   * Rewritten by several pages (the index head): merged with what the
   * server holds right before it is sent. The ids of the rows and sessions
   * this page changed; the text holds them.
   */
  readonly merge?: PendingMerge;
};

/**
 * What a page changed of a file it shares with other pages.
 */
export type PendingMerge = {
  readonly rows: readonly string[];
  readonly sessions: readonly string[];
};

/**
 * The identity of a Jupyter server as a page sees it: its base URL and its
 * root folder, when the page is told it.
 */
export function serverIdentity(baseUrl: string, root: string | null): string {
  return root ? `${baseUrl}\n${root}` : baseUrl;
}

/**
 * Whether a logged write is for the given server (writes of earlier
 * versions name none: they are taken as this one's).
 */
export function isForServer(write: PendingWrite, server: string): boolean {
  return write.server === undefined || write.server === server;
}

/**
 * A pending write as kept in the browser, with its place in the log.
 */
export type LoggedWrite = {
  readonly key: number;
  readonly write: PendingWrite;
};

/**
 * What the store keeps in the browser: a write-ahead log of the writes not on
 * the server yet, so a reload or a closed tab loses none, and the last run
 * list of each notebook, so the history shows at once.
 */
export interface ILocalStore {
  /**
   * The writes for `server` left pending by tabs that are gone, oldest
   * first; this tab takes them over. Writes for other servers stay logged.
   */
  adoptPending(server: string): Promise<LoggedWrite[]>;

  /**
   * The writes left pending by tabs that are gone for servers other than
   * `server`: kept, to be sent once that server is open in this browser.
   */
  pendingElsewhere(server: string): Promise<PendingWrite[]>;

  /**
   * Log writes, in order; resolves with their keys.
   */
  appendPending(writes: readonly PendingWrite[]): Promise<number[]>;

  /**
   * Drop writes that landed or were superseded.
   */
  removePending(keys: readonly number[]): Promise<void>;

  /**
   * The run list last read for a notebook, or null.
   */
  getRunList(key: string): Promise<Runs.RunList | null>;

  /**
   * Keep the run list read for a notebook.
   */
  setRunList(key: string, list: Runs.RunList): Promise<void>;
}

/**
 * The local store used when the browser has no IndexedDB: it lives as long
 * as the page, so it still caches run lists, but pending writes do not
 * survive a reload.
 */
export class MemoryLocalStore implements ILocalStore {
  async adoptPending(): Promise<LoggedWrite[]> {
    return [];
  }

  async pendingElsewhere(): Promise<PendingWrite[]> {
    return [];
  }

  async appendPending(writes: readonly PendingWrite[]): Promise<number[]> {
    return writes.map(write => {
      const key = this._nextKey++;
      this._pending.set(key, write);
      return key;
    });
  }

  async removePending(keys: readonly number[]): Promise<void> {
    for (const key of keys) {
      this._pending.delete(key);
    }
  }

  async getRunList(key: string): Promise<Runs.RunList | null> {
    return this._runLists.get(key) ?? null;
  }

  async setRunList(key: string, list: Runs.RunList): Promise<void> {
    this._runLists.set(key, list);
  }

  /**
   * How many writes are logged: for tests.
   */
  get pendingCount(): number {
    return this._pending.size;
  }

  private _nextKey = 1;
  private readonly _pending = new Map<number, PendingWrite>();
  private readonly _runLists = new Map<string, Runs.RunList>();
}

/**
 * Open the browser's local store: IndexedDB when it works, otherwise the
 * in-memory one, telling `onProblem` why (pending writes then do not
 * survive a reload).
 */
export async function openLocalStore(
  onProblem: (reason: unknown) => void
): Promise<ILocalStore> {
  if (typeof indexedDB === 'undefined' || indexedDB === null) {
    onProblem(new Error('this browser has no IndexedDB'));
    return new MemoryLocalStore();
  }
  try {
    const { IdbLocalStore } = await import('./idb');
    return await IdbLocalStore.open();
  } catch (reason) {
    onProblem(reason);
    return new MemoryLocalStore();
  }
}

/**
 * A local store usable at once that forwards to one still opening.
 */
export function deferredLocalStore(opening: Promise<ILocalStore>): ILocalStore {
  return {
    adoptPending: async server => (await opening).adoptPending(server),
    pendingElsewhere: async server => (await opening).pendingElsewhere(server),
    appendPending: async writes => (await opening).appendPending(writes),
    removePending: async keys => (await opening).removePending(keys),
    getRunList: async key => (await opening).getRunList(key),
    setRunList: async (key, list) => (await opening).setRunList(key, list)
  };
}
