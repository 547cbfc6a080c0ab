import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';

import type { IRunStore, Runs } from '../tokens';

/**
 * How long the "saved again" notification stays.
 */
const SAVED_AGAIN_CLOSE = 8000;

/**
 * Tells the user, through JupyterLab's notifications, when runs stop being
 * saved and when they are saved again:
 *
 * - writes the server refuses (a read-only store folder, a full disk): an
 *   error naming the file and the server's words, with Retry Now and Open
 *   Settings, updated to a success once writes land again;
 * - the browser's IndexedDB unusable (unavailable, quota exceeded): one
 *   warning per page, since writes still reach the server.
 *
 * A server that cannot be reached is not notified here: JupyterLab says so
 * itself, and the Runs panel shows it is offline.
 */
export class StoreHealthNotices implements IDisposable {
  constructor(options: StoreHealthNotices.IOptions) {
    this._store = options.store;
    this._trans = options.trans;
    this._openSettings = options.openSettings;
    this._store.healthChanged.connect(this._onHealth, this);
    this._onHealth(this._store, this._store.health);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._store.healthChanged.disconnect(this._onHealth, this);
  }

  private _onHealth(_: IRunStore, health: Runs.StoreHealth): void {
    if (health.localProblem !== null && !this._localSaid) {
      this._localSaid = true;
      const problem = health.localProblem;
      Notification.warning(
        this._trans.__(
          "Runs: this browser's storage (IndexedDB) cannot be used. Runs still go to the server, but any not yet saved are lost if this page reloads."
        ),
        {
          autoClose: false,
          actions: [
            this._detailsAction(this._trans.__('Browser storage'), [
              this._trans.__('The browser said: %1', problem)
            ])
          ]
        }
      );
    }
    if (health.writes === 'refused') {
      this._showRefused(health);
    } else if (health.writes === 'saving' && this._refused !== null) {
      Notification.update({
        id: this._refused,
        message: this._trans.__(
          'Runs are saved again: everything kept in this browser meanwhile is in the store folder.'
        ),
        type: 'success',
        autoClose: SAVED_AGAIN_CLOSE,
        actions: []
      });
      this._refused = null;
    }
  }

  /**
   * One error notification for as long as writes are refused, its text
   * following the latest refusal. Toasts show 140 characters: the file and
   * the server's whole answer are in Details.
   */
  private _showRefused(health: Runs.StoreHealth): void {
    const message = this._trans.__(
      'Runs are not being saved: %1. Saving is paused; runs are kept in this browser until the store folder can be written.',
      shortReason(health.reason ?? '', health.path)
    );
    const actions: Notification.IAction[] = [
      {
        label: this._trans.__('Retry Now'),
        caption: this._trans.__('Try the waiting writes again now.'),
        callback: event => {
          // Keep the notification: it tells the outcome.
          event.preventDefault();
          this._store.retryNow();
        }
      },
      this._detailsAction(this._trans.__('Runs are not being saved'), [
        this._trans.__('The server refused to write %1.', health.path ?? ''),
        this._trans.__('The server said: %1', health.reason ?? ''),
        this._trans.__(
          'Since %1. Nothing saved before was changed; the runs recorded since are kept in this browser and saved once the store folder can be written (make it writable, free some space, or choose another store folder in the settings).',
          new Date(health.since ?? Date.now()).toLocaleTimeString()
        )
      ]),
      {
        label: this._trans.__('Open Settings'),
        caption: this._trans.__('Choose another store folder.'),
        displayType: 'link',
        callback: () => this._openSettings()
      }
    ];
    if (this._refused !== null && Notification.manager.has(this._refused)) {
      Notification.update({
        id: this._refused,
        message,
        type: 'error',
        autoClose: false,
        actions
      });
      return;
    }
    this._refused = Notification.error(message, { autoClose: false, actions });
  }

  /**
   * A Details button showing `lines` in a dialog, the notification kept.
   */
  private _detailsAction(
    title: string,
    lines: readonly string[]
  ): Notification.IAction {
    return {
      label: this._trans.__('Details'),
      callback: event => {
        event.preventDefault();
        void showDialog({
          title,
          body: lines.join('\n\n'),
          buttons: [Dialog.okButton({ label: this._trans.__('Close') })]
        });
      }
    };
  }

  private _isDisposed = false;
  private _localSaid = false;
  private readonly _openSettings: () => void;
  private _refused: string | null = null;
  private readonly _store: IRunStore;
  private readonly _trans: TranslationBundle;
}

/**
 * Types of the store health notices.
 */
export namespace StoreHealthNotices {
  export interface IOptions {
    store: IRunStore;
    trans: TranslationBundle;
    /** Open the settings where the store folder is chosen. */
    openSettings: () => void;
  }
}

/**
 * How long the reason in a toast may be.
 */
const MAX_SHORT_REASON = 48;

/**
 * The gist of the server's refusal, for a toast: the OS error's words when
 * it names one ("[Errno 27] File too large"), otherwise its words without
 * the file's path ("Permission denied").
 */
export function shortReason(reason: string, path: string | null): string {
  const errno = /\[Errno \d+\]\s*([^\n]+?)\s*$/.exec(reason);
  // "Permission denied: <the file written, maybe a slot of path>"
  const named = /^([^:/]+):\s+\S*\/\S*$/.exec(reason.trim());
  const gist =
    errno?.[1] ??
    named?.[1] ??
    ((path ? reason.split(path).join('') : reason).trim() || reason);
  return gist.length > MAX_SHORT_REASON
    ? `${gist.slice(0, MAX_SHORT_REASON - 1)}…`
    : gist;
}
