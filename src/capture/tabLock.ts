import { PromiseDelegate } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';

import type { AwarenessListener, IAwareness } from './collaboration';

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

/**
 * What a page that records a kernel process holds: its tab lock, and under
 * real-time collaboration also the lock across the collaborators' pages.
 */
export interface IWriterLock extends IDisposable {
  /**
   * Wait for the lock. Resolves `true` once it is held, `false` when the lock
   * was disposed first. `onWaiting` is called once if someone else holds it.
   */
  acquire(onWaiting: () => void): Promise<boolean>;
}

/**
 * The field of a page's awareness state that lists the locks it wants or
 * holds across collaborators.
 */
export const LOCKS_FIELD = 'jupyterlab-runs-locks';

/**
 * An exclusive lock shared by every page of the users of one notebook under
 * real-time collaboration, which Web Locks cannot do (they are per browser):
 * the browser's tab lock first, then an election among the pages that want
 * it, through the shared document's awareness.
 *
 * #### Notes
 * Each page lists the locks it wants (`want`) or holds (`hold`) in its
 * awareness state. A page takes a lock when, a moment (`settle` ms) after it
 * said it wants it, no other page holds it and none that wants it has a
 * lower awareness client id: pages that see the same states decide the
 * same. A page that sees a new collaborator says again what it wants and
 * holds, since the newcomer is not told the states from before it came. The
 * lock is let go when it is disposed or its page is closed or reloaded; a
 * page that is lost (its network, its browser) lets go when the others drop
 * its awareness state, after 30 s without news from it.
 */
export class CollaboratorsLock implements IWriterLock {
  constructor(
    name: string,
    locks: ILockManager | null,
    awareness: IAwareness,
    settle = 1500
  ) {
    this._name = name;
    this._tab = new TabLock(name, locks);
    this._awareness = awareness;
    this._settle = settle;
  }

  async acquire(onWaiting: () => void): Promise<boolean> {
    let waiting = false;
    const wait = () => {
      if (!waiting) {
        waiting = true;
        onWaiting();
      }
    };
    if (!(await this._tab.acquire(wait)) || this._isDisposed) {
      return false;
    }
    this._awareness.on('change', this._onChange);
    window.addEventListener('pagehide', this._onPageHide);
    this._claim('want');
    for (;;) {
      await this._pause(this._settle);
      if (this._isDisposed) {
        return false;
      }
      if (this._mayTake()) {
        this._claim('hold');
        return true;
      }
      wait();
      // Decide again once the states change (a page left, or let go).
      await new Promise<void>(resolve => {
        this._wake = () => {
          this._wake = () => undefined;
          resolve();
        };
      });
      if (this._isDisposed) {
        return false;
      }
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._awareness.off('change', this._onChange);
    window.removeEventListener('pagehide', this._onPageHide);
    if (this._claimed) {
      this._claim(null);
    }
    window.clearTimeout(this._timer);
    this._endPause();
    this._wake();
    this._tab.dispose();
  }

  /**
   * Whether this page may take the lock: no other page holds it, and none
   * that wants it comes first.
   */
  private _mayTake(): boolean {
    const self = this._awareness.clientID;
    for (const [client, state] of this._awareness.getStates()) {
      const claim = claimsOf(state)[this._name];
      if (client === self || claim === undefined) {
        continue;
      }
      if (claim === 'hold' || (claim === 'want' && client < self)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Say in this page's awareness state that it wants or holds the lock, or
   * neither; the page's other locks are kept.
   */
  private _claim(claim: Claim | null): void {
    const self = this._awareness.getStates().get(this._awareness.clientID);
    const claims = { ...claimsOf(self) };
    if (claim === null) {
      delete claims[this._name];
    } else {
      claims[this._name] = claim;
    }
    this._claimed = claim !== null;
    this._awareness.setLocalStateField(LOCKS_FIELD, claims);
  }

  private readonly _onChange: AwarenessListener = ({ added }) => {
    const self = this._awareness.clientID;
    if (this._claimed && added.some(client => client !== self)) {
      // A newcomer: tell it what this page wants or holds.
      this._claim(claimsOf(this._awareness.getStates().get(self))[this._name]);
    }
    this._wake();
  };

  /**
   * The page is closed or reloaded: let go at once. The awareness state of a
   * page that is gone would otherwise stay with the others for 30 s, and the
   * kernel unrecorded meanwhile.
   */
  private readonly _onPageHide = (): void => {
    if (this._claimed) {
      this._claim(null);
    }
  };

  /**
   * Wait `ms`, or until disposed.
   */
  private _pause(ms: number): Promise<void> {
    return new Promise(resolve => {
      this._endPause = resolve;
      this._timer = window.setTimeout(resolve, ms);
    });
  }

  private readonly _awareness: IAwareness;
  private _claimed = false;
  private _isDisposed = false;
  private readonly _name: string;
  private readonly _settle: number;
  private readonly _tab: TabLock;
  private _endPause: () => void = () => undefined;
  private _timer = 0;
  /** Ends the wait for a change of the states, while waiting. */
  private _wake: () => void = () => undefined;
}

/**
 * What a page says of a lock across collaborators.
 */
type Claim = 'want' | 'hold';

/**
 * The lock claims of an awareness state.
 */
function claimsOf(
  state: Record<string, unknown> | undefined
): Record<string, Claim> {
  const claims = state?.[LOCKS_FIELD];
  if (claims === null || typeof claims !== 'object') {
    return {};
  }
  const valid: Record<string, Claim> = {};
  for (const [name, claim] of Object.entries(claims)) {
    if (claim === 'want' || claim === 'hold') {
      valid[name] = claim;
    }
  }
  return valid;
}
