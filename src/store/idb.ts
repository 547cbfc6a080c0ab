import type { DBSchema, IDBPDatabase } from 'idb';
import { openDB } from 'idb';

import type { Runs } from '../tokens';
import type { ILocalStore, LoggedWrite, PendingWrite } from './local';
import { isForServer } from './local';

const DB_NAME = 'jupyterlab-runs';
const DB_VERSION = 1;

/**
 * Every tab holds a Web Lock with this prefix and its own id for as long as
 * it lives; the pending writes of a tab whose lock is free are orphans.
 */
const OWNER_LOCK_PREFIX = 'jupyterlab-runs:tab:';

/**
 * Held while a tab takes over orphaned writes, so two tabs never both do.
 */
const ADOPT_LOCK = 'jupyterlab-runs:adopt';

/**
 * The IndexedDB database: pending writes by auto-incremented key (their
 * order) and run lists by store folder and notebook.
 */
interface IRunsDB extends DBSchema {
  pending: {
    key: number;
    value: { owner: string; write: PendingWrite };
  };
  runLists: {
    key: string;
    value: Runs.RunList;
  };
}

/**
 * The local store in IndexedDB: pending writes survive a reload or a closed
 * tab and are taken over by the next tab that opens.
 */
export class IdbLocalStore implements ILocalStore {
  private constructor(db: IDBPDatabase<IRunsDB>, owner: string) {
    this._db = db;
    this._owner = owner;
  }

  /**
   * Open the database and hold this tab's owner lock.
   */
  static async open(): Promise<IdbLocalStore> {
    const db = await openDB<IRunsDB>(DB_NAME, DB_VERSION, {
      upgrade(database) {
        database.createObjectStore('pending', { autoIncrement: true });
        database.createObjectStore('runLists');
      }
    });
    const owner = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const locks = webLocks();
    if (locks) {
      // Held until the page goes away: never resolves.
      void locks.request(
        `${OWNER_LOCK_PREFIX}${owner}`,
        () => new Promise<void>(() => undefined)
      );
    }
    return new IdbLocalStore(db, owner);
  }

  async adoptPending(server: string): Promise<LoggedWrite[]> {
    const locks = webLocks();
    if (!locks) {
      // Without Web Locks a live tab cannot be told from a closed one: take
      // every write not this tab's.
      return this._adopt(server, () => true);
    }
    return locks.request(ADOPT_LOCK, async () => {
      const held = await heldLocks(locks);
      return this._adopt(
        server,
        owner => !held.has(`${OWNER_LOCK_PREFIX}${owner}`)
      );
    });
  }

  async pendingElsewhere(server: string): Promise<PendingWrite[]> {
    const locks = webLocks();
    const held = locks ? await heldLocks(locks) : new Set<string>();
    const writes: PendingWrite[] = [];
    for (const { owner, write } of await this._db.getAll('pending')) {
      if (
        !isForServer(write, server) &&
        !held.has(`${OWNER_LOCK_PREFIX}${owner}`)
      ) {
        writes.push(write);
      }
    }
    return writes;
  }

  async appendPending(writes: readonly PendingWrite[]): Promise<number[]> {
    const tx = this._db.transaction('pending', 'readwrite');
    const keys = await Promise.all(
      writes.map(write => tx.store.add({ owner: this._owner, write }))
    );
    await tx.done;
    return keys;
  }

  async removePending(keys: readonly number[]): Promise<void> {
    const tx = this._db.transaction('pending', 'readwrite');
    await Promise.all(keys.map(key => tx.store.delete(key)));
    await tx.done;
  }

  async getRunList(key: string): Promise<Runs.RunList | null> {
    return (await this._db.get('runLists', key)) ?? null;
  }

  async setRunList(key: string, list: Runs.RunList): Promise<void> {
    await this._db.put('runLists', list, key);
  }

  /**
   * Take over, in key order, the writes of the owners `orphaned` accepts.
   */
  private async _adopt(
    server: string,
    orphaned: (owner: string) => boolean
  ): Promise<LoggedWrite[]> {
    const tx = this._db.transaction('pending', 'readwrite');
    const adopted: LoggedWrite[] = [];
    let cursor = await tx.store.openCursor();
    while (cursor) {
      const { owner, write } = cursor.value;
      if (
        owner !== this._owner &&
        orphaned(owner) &&
        isForServer(write, server)
      ) {
        await cursor.update({ owner: this._owner, write });
        adopted.push({ key: cursor.key, write });
      }
      cursor = await cursor.continue();
    }
    await tx.done;
    return adopted;
  }

  private readonly _db: IDBPDatabase<IRunsDB>;
  private readonly _owner: string;
}

async function heldLocks(locks: LockManager): Promise<Set<string>> {
  const names = ((await locks.query()).held ?? []).map(lock => lock.name);
  return new Set(names.filter((name): name is string => name !== undefined));
}

function webLocks(): LockManager | null {
  return typeof navigator !== 'undefined' && navigator.locks
    ? navigator.locks
    : null;
}
