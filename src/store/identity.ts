import type { TranslationBundle } from '@jupyterlab/translation';

import type { StoreDrive } from './drive';
import type { StoreFormat } from './format';
import { parseStoreFile } from './format';
import { StoreLayout } from './paths';
import { isServerUnreachable } from './unreachable';

/**
 * How many times a page reads `store.json` back after giving the store an
 * id, before it takes what it finds.
 */
const MAX_STAMPS = 3;

/**
 * What a page knows of the store in a folder before it writes there.
 */
export type StoreIdentity =
  | { readonly writable: false }
  | {
      readonly writable: true;
      /** The store's id; undefined for a store that could not be given one. */
      readonly id: string | undefined;
    };

/**
 * The ids of the stores a page writes to: each store folder's `store.json`
 * holds a random id, given when the store is created (or when a page of this
 * version first writes to a store without one). Every write a page queues
 * carries the id, and is sent only into a store with that id: the browser's
 * log of unsent writes outlives the server it was made for, and another
 * project may be served later at the same address.
 */
export class StoreIds {
  constructor(options: StoreIds.IOptions) {
    this._options = options;
  }

  /**
   * The id of the store in a folder, known once `ensure` resolved.
   */
  idOf(folder: string): string | undefined {
    return this._ids.get(folder);
  }

  /**
   * Make sure the folder holds a store of this version with an id: read
   * `store.json` from the server (never from a cache), create it or give it
   * an id when needed, then read it back, so that two pages doing so at the
   * same moment end up with the same id (the one written last).
   *
   * @returns Not writable, with one warning, when `store.json` cannot be
   * read or is of another version.
   */
  async ensure(layout: StoreLayout): Promise<StoreIdentity> {
    let stamped: string | null = null;
    for (let round = 0; ; round++) {
      const parsed = await this._options.retrying(() => this._read(layout));
      if (parsed && !parsed.ok) {
        console.warn(
          `jupyterlab-runs: not recording runs: ${layout.storeFile} ${parsed.problem}`
        );
        return { writable: false };
      }
      const id = parsed?.value.id;
      if (id !== undefined || (stamped !== null && round >= MAX_STAMPS)) {
        this._ids.set(layout.folder, id);
        return { writable: true, id };
      }
      const file: StoreFormat.StoreFile = {
        format: 'jupyterlab-runs/store',
        version: 2,
        createdAt: parsed?.value.createdAt ?? this._options.now(),
        id: newStoreId()
      };
      const written = await this._stamp(layout, file, parsed !== null);
      if (!written) {
        // A store of an earlier version that refuses writes: its runs are
        // read, and written when it can be, without an id.
        this._ids.set(layout.folder, undefined);
        return { writable: true, id: undefined };
      }
      stamped = file.id!;
      await new Promise(resolve => setTimeout(resolve, this._options.settle));
    }
  }

  /**
   * Whether the folder holds the store of id `id` now (undefined: a store
   * without an id). A missing `store.json` is no store: writes made for a
   * store are never sent where there is none.
   *
   * @throws When the server cannot be reached.
   */
  async holds(folder: string, id: string | undefined): Promise<boolean> {
    const parsed = await this._read(new StoreLayout(folder));
    return parsed !== null && parsed.ok && parsed.value.id === id;
  }

  /**
   * `store.json` as the server has it now, or null when it is missing.
   */
  private async _read(
    layout: StoreLayout
  ): Promise<ReturnType<typeof parseStoreFile<'store'>> | null> {
    const { drive, trans } = this._options;
    drive.forget(layout.folder);
    const text = await drive.read(layout.storeFile);
    return text === null ? null : parseStoreFile('store', text, trans);
  }

  /**
   * Write `store.json`; false when a store that exists refuses it. A new
   * store's file is retried until it lands, as every write is.
   */
  private async _stamp(
    layout: StoreLayout,
    file: StoreFormat.StoreFile,
    exists: boolean
  ): Promise<boolean> {
    const { drive, retryDelay, onProblem } = this._options;
    for (let attempt = 0; ; attempt++) {
      try {
        await drive.write(
          layout.folder,
          layout.storeFile,
          JSON.stringify(file)
        );
        onProblem(null, null);
        return true;
      } catch (reason) {
        if (exists && !isServerUnreachable(reason)) {
          console.warn(
            `jupyterlab-runs: ${layout.storeFile} cannot be given a store id (${String(reason)}); writing without one.`
          );
          return false;
        }
        onProblem(reason, layout.storeFile);
        await new Promise(resolve => setTimeout(resolve, retryDelay(attempt)));
      }
    }
  }

  private readonly _ids = new Map<string, string | undefined>();
  private readonly _options: StoreIds.IOptions;
}

export namespace StoreIds {
  export interface IOptions {
    drive: StoreDrive;
    trans: TranslationBundle;
    now: () => number;
    /**
     * Milliseconds to wait after giving a store its id before reading it
     * back: longer than a write takes, so that a page that created the
     * store at the same moment has written its own.
     */
    settle: number;
    /** Retry a read while the server cannot be reached. */
    retrying: <T>(operation: () => Promise<T>) => Promise<T>;
    retryDelay: (attempt: number) => number;
    /** A write failing (with the path), or succeeding again (nulls). */
    onProblem: (reason: unknown, path: string | null) => void;
  }
}

/**
 * A new store id: 16 random lowercase letters and digits.
 */
export function newStoreId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, byte => alphabet[byte % alphabet.length]).join('');
}
