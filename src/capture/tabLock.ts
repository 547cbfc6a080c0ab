import { PromiseDelegate } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';

/**
 * The part of the Web Locks API (`navigator.locks`) a tab lock uses.
 */
export interface ILockManager {
  request(
    name: string,
    options: LockOptions,
    callback: (lock: Lock | null) => unknown
  ): Promise<unknown>;
}

/**
 * The browser's Web Locks API, or null where it is missing.
 *
 * #### Notes
 * It exists in every secure context (https or localhost), which the run
 * store already needs for its digests.
 */
export function browserLocks(): ILockManager | null {
  return typeof navigator !== 'undefined' && navigator.locks
    ? navigator.locks
    : null;
}

/**
 * An exclusive lock shared by every tab (and every notebook panel) of this
 * browser on this origin, held from when it is granted until it is disposed.
 * A tab that closes or reloads lets go of it at once.
 *
 * Without the Web Locks API every lock is granted at once.
 */
export class TabLock implements IDisposable {
  constructor(name: string, locks: ILockManager | null) {
    this._name = name;
    this._locks = locks;
  }

  /**
   * Wait for the lock. Resolves `true` once it is held, `false` when the lock
   * was disposed first. `onWaiting` is called if someone else holds it now.
   */
  async acquire(onWaiting: () => void): Promise<boolean> {
    if (this._locks === null) {
      return !this._isDisposed;
    }
    if (await this._request({ ifAvailable: true })) {
      return true;
    }
    if (this._isDisposed) {
      return false;
    }
    onWaiting();
    return this._request({ signal: this._abort.signal });
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Let go of the lock, or stop waiting for it.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._abort.abort();
    this._released.resolve();
  }

  private _request(options: LockOptions): Promise<boolean> {
    return new Promise<boolean>(resolve => {
      this._locks!.request(this._name, options, lock => {
        if (lock === null || this._isDisposed) {
          resolve(false);
          return;
        }
        resolve(true);
        // The lock is held until this promise settles.
        return this._released.promise;
      }).catch(() => {
        // Aborted while waiting: the lock was disposed.
        resolve(false);
      });
    });
  }

  private readonly _abort = new AbortController();
  private _isDisposed = false;
  private readonly _locks: ILockManager | null;
  private readonly _name: string;
  private readonly _released = new PromiseDelegate<void>();
}
