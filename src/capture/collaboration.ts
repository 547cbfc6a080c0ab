import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { Runs } from '../tokens';
import { isStatus, sameRun } from './model';

/**
 * The field of a page's awareness state (the shared document's, under
 * real-time collaboration) that jupyterlab-runs uses.
 */
export const AWARENESS_FIELD = 'jupyterlab-runs';

/**
 * What the page that writes a notebook's runs tells the pages of the other
 * users on the same notebook: the kernel's events reach that page only, and
 * the store tells only the page that wrote.
 */
export type WriterNotice = {
  /** The kernel session whose events the page writes. */
  readonly session: string | null;
  /** The active run, as the writing page follows it. */
  readonly run: Runs.ActiveRun | null;
  /** Goes up each time what the page handed to the store has landed. */
  readonly stored: number;
};

/**
 * The part of a shared document's awareness (y-protocols' `Awareness`, as
 * `sharedModel.awareness` gives it) that a collaboration link uses.
 */
export interface IAwareness {
  readonly clientID: number;
  getStates(): Map<number, Record<string, unknown>>;
  setLocalStateField(field: string, value: unknown): void;
  on(name: 'change', listener: AwarenessListener): void;
  off(name: 'change', listener: AwarenessListener): void;
}

/**
 * The listener of awareness changes: the client ids whose state appeared,
 * changed or went away.
 */
export type AwarenessListener = (
  changes: { added: number[]; updated: number[]; removed: number[] },
  origin: unknown
) => void;

/**
 * Carries writer notices between the pages of the users of one shared
 * notebook, through the document's awareness: the page that writes
 * publishes its notice; every page hears the notices of the others.
 *
 * #### Notes
 * Awareness states are not stored with the document; the others drop a
 * page's state 30 s after they last heard from it. A newcomer is not told
 * the states from before it came: a page that publishes says it again when
 * it sees one.
 */
export class CollaborationLink implements IDisposable {
  constructor(awareness: IAwareness) {
    this._awareness = awareness;
    awareness.on('change', this._onChange);
  }

  /**
   * Emitted when another page published a notice, or a new one.
   */
  get noticed(): ISignal<this, CollaborationLink.INoticed> {
    return this._noticed;
  }

  /**
   * Publish this page's notice; `null` when it does not write (any more).
   */
  publish(notice: WriterNotice | null): void {
    if (this._isDisposed || sameNotice(notice, this._published)) {
      return;
    }
    this._published = notice;
    this._awareness.setLocalStateField(AWARENESS_FIELD, notice);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Withdraw this page's notice and stop listening.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    if (this._published !== null) {
      this._awareness.setLocalStateField(AWARENESS_FIELD, null);
    }
    this._isDisposed = true;
    this._awareness.off('change', this._onChange);
    this._stored.clear();
    Signal.clearData(this);
  }

  private readonly _onChange: AwarenessListener = ({
    added,
    updated,
    removed
  }) => {
    for (const client of removed) {
      this._stored.delete(client);
    }
    const self = this._awareness.clientID;
    if (this._published !== null && added.some(client => client !== self)) {
      // A newcomer is not told the states from before it came: say it again.
      this._awareness.setLocalStateField(AWARENESS_FIELD, this._published);
    }
    const states = this._awareness.getStates();
    for (const client of [...added, ...updated]) {
      if (client === self) {
        continue;
      }
      const notice = readNotice(states.get(client)?.[AWARENESS_FIELD]);
      if (notice === null) {
        this._stored.delete(client);
        continue;
      }
      const before = this._stored.get(client);
      this._stored.set(client, notice.stored);
      this._noticed.emit({
        client,
        notice,
        landed: before === undefined || notice.stored > before
      });
    }
  };

  private readonly _awareness: IAwareness;
  private _isDisposed = false;
  private readonly _noticed = new Signal<this, CollaborationLink.INoticed>(
    this
  );
  private _published: WriterNotice | null = null;
  /** The last `stored` heard from each other page that writes. */
  private readonly _stored = new Map<number, number>();
}

/**
 * Types of the collaboration link.
 */
export namespace CollaborationLink {
  /**
   * A notice another page published.
   */
  export interface INoticed {
    /** The awareness client id of the page. */
    readonly client: number;
    readonly notice: WriterNotice;
    /**
     * Whether writes of that page landed since its last notice this page
     * heard (always true for the first one heard: the page may have written
     * before).
     */
    readonly landed: boolean;
  }
}

/**
 * A well-formed notice from an awareness state, or null.
 */
export function readNotice(value: unknown): WriterNotice | null {
  if (value === null || typeof value !== 'object') {
    return null;
  }
  const { session, run, stored } = value as Record<string, unknown>;
  if (
    (session !== null && typeof session !== 'string') ||
    typeof stored !== 'number'
  ) {
    return null;
  }
  return { session, run: readActiveRun(run), stored };
}

function readActiveRun(value: unknown): Runs.ActiveRun | null {
  if (value === null || typeof value !== 'object') {
    return null;
  }
  const { id, name, status, paramsCount, metricsCount } = value as Record<
    string,
    unknown
  >;
  if (typeof id !== 'string' || typeof name !== 'string' || !isStatus(status)) {
    return null;
  }
  return {
    id,
    name,
    status,
    paramsCount: typeof paramsCount === 'number' ? paramsCount : 0,
    metricsCount: typeof metricsCount === 'number' ? metricsCount : 0
  };
}

/**
 * Whether two notices say the same.
 */
export function sameNotice(
  a: WriterNotice | null,
  b: WriterNotice | null
): boolean {
  if (a === null || b === null) {
    return a === b;
  }
  return (
    a.session === b.session && a.stored === b.stored && sameRun(a.run, b.run)
  );
}
