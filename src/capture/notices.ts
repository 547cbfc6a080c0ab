import type { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

import type { IRunStore } from '../tokens';
import type { KernelAttachment } from './attachment';
import type { IAwareness } from './collaboration';
import { CollaborationLink } from './collaboration';
import type { ActiveRunModel } from './model';

/**
 * What one page of a shared notebook says to the other users' pages, and
 * what it does with what they say (real-time collaboration).
 *
 * The page that writes the notebook's runs publishes its active run and,
 * each time what it handed to the store has landed, that it has: the others
 * then read the runs again (the store tells only the page that wrote) and
 * show that run in their toolbar (the kernel's events reach the writer only).
 */
export class CollaboratorNotices implements IDisposable {
  constructor(options: CollaboratorNotices.IOptions) {
    this._attachment = options.attachment;
    this._model = options.model;
    this._store = options.store;
    this._path = options.path;
    this._link = new CollaborationLink(options.awareness);
    this._link.noticed.connect(this._onNoticed, this);
    this._attachment.writerChanged.connect(this._publish, this);
    this._model.changed.connect(this._publish, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Tell the others, once what this page handed to the store so far has
   * landed, when this page writes.
   */
  announceStored(): void {
    if (this._isDisposed || !this._attachment.isWriter) {
      return;
    }
    if (this._announcing) {
      this._announceAgain = true;
      return;
    }
    this._announcing = true;
    this._store
      .flush()
      .catch(() => undefined)
      .then(() => {
        this._announcing = false;
        if (this._isDisposed) {
          return;
        }
        this._stored += 1;
        this._publish();
        if (this._announceAgain) {
          this._announceAgain = false;
          this.announceStored();
        }
      })
      .catch(reason => {
        console.warn(
          'jupyterlab-runs: could not tell collaborators about stored runs.',
          reason
        );
      });
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._attachment.writerChanged.disconnect(this._publish, this);
    this._model.changed.disconnect(this._publish, this);
    this._link.dispose();
    Signal.clearData(this);
  }

  /**
   * Publish what this page writes, or that it does not write.
   */
  private _publish(): void {
    this._link.publish(
      this._attachment.isWriter
        ? {
            session: this._attachment.session,
            run: this._model.run,
            stored: this._stored
          }
        : null
    );
  }

  /**
   * A collaborator's page that writes this notebook's runs said something:
   * read the runs again when its writes landed, and show its active run
   * when it records the same kernel process as this page.
   */
  private _onNoticed(
    _: CollaborationLink,
    { notice, landed }: CollaborationLink.INoticed
  ): void {
    if (landed) {
      this._store.changedElsewhere(this._path());
    }
    // This page follows the kernel's events itself when it writes (a page it
    // displaced may still be saying what it wrote before).
    const session = this._attachment.session;
    if (
      !this._attachment.isWriter &&
      session !== null &&
      notice.session === session
    ) {
      this._model.follow(notice.run);
    }
  }

  private _announceAgain = false;
  private _announcing = false;
  private readonly _attachment: KernelAttachment;
  private _isDisposed = false;
  private readonly _link: CollaborationLink;
  private readonly _model: ActiveRunModel;
  private readonly _path: () => string;
  /** How many times this page's writes landed, as it told collaborators. */
  private _stored = 0;
  private readonly _store: IRunStore;
}

/**
 * A namespace for CollaboratorNotices statics.
 */
export namespace CollaboratorNotices {
  export interface IOptions {
    /** The awareness of the notebook's shared document. */
    awareness: IAwareness;
    /** The page's attachment to the notebook's kernel. */
    attachment: KernelAttachment;
    /** The page's active run. */
    model: ActiveRunModel;
    store: IRunStore;
    /** The notebook's path, which a rename changes. */
    path: () => string;
  }
}
