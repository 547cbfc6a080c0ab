import type { Contents } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';

import { withSession } from '../capture/events';
import { prepareNotebook } from '../capture/outputs';
import { StoreDrive } from '../store/drive';
import type { IRunsSettings, IRunStore, Runs } from '../tokens';
import type { SpoolFile } from './format';
import { parseSpool } from './format';

/**
 * The folder of the store the kernels write their spool files into.
 */
export const SPOOL_FOLDER = 'spool';

/**
 * Imports the kernels' spool files into the store.
 *
 * A kernel no frontend attached to (a notebook executed by nbclient) and a
 * kernel that exits while no tab is open write their events to
 * `<store>/spool/<session>.jsonl` (docs/CAPTURE.md, "Headless runs"). A spool
 * file is imported once it is closed, or once its kernel stopped touching it
 * (it died): its events go through the store like a kernel's comm messages,
 * so a second import of the same events changes nothing, and the file is
 * deleted only after the store has them.
 */
export class SpoolImporter implements IDisposable {
  constructor(options: SpoolImporter.IOptions) {
    this._contents = options.contents;
    this._store = options.store;
    this._settings = options.settings;
    this._now = options.now ?? Date.now;
    this._staleAfter = options.staleAfter ?? STALE_AFTER_MS;
    this._drive = new StoreDrive(options.contents);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Import now, then every `interval` milliseconds while the page is visible.
   * Only one tab of the browser imports at a time.
   */
  start(interval = POLL_INTERVAL_MS): void {
    const tick = () => {
      if (!this._isDisposed && document.visibilityState !== 'hidden') {
        void this._importExclusively();
      }
    };
    tick();
    this._timer = window.setInterval(tick, interval);
  }

  /**
   * Import every spool file that is ready. Files that are not ready yet are
   * left; files that cannot be imported are left too, with one warning each.
   */
  async importAll(): Promise<SpoolImporter.IResult> {
    const result: SpoolImporter.IResult = { imported: [], left: [] };
    const folder = `${this._settings.config.storeFolder}/${SPOOL_FOLDER}`;
    if (!(await this._drive.exists(folder))) {
      return result;
    }
    const listing = await this._contents.get(folder, {
      type: 'directory',
      content: true
    });
    const files = (listing.content as Contents.IModel[])
      .filter(model => model.type === 'file' && model.name.endsWith('.jsonl'))
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const file of files) {
      const problem = await this._importFile(file);
      if (problem === null) {
        result.imported.push(file.path);
      } else {
        result.left.push({ path: file.path, reason: problem });
      }
    }
    return result;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.clearInterval(this._timer);
  }

  private async _importExclusively(): Promise<void> {
    if (this._busy) {
      return;
    }
    this._busy = true;
    try {
      const locks = (navigator as Partial<Navigator>).locks;
      if (locks) {
        await locks.request(LOCK_NAME, { ifAvailable: true }, lock =>
          lock ? this.importAll() : null
        );
      } else {
        await this.importAll();
      }
    } catch (reason) {
      // The server is away: the next tick tries again.
      console.debug('jupyterlab-runs: spool import postponed:', reason);
    } finally {
      this._busy = false;
    }
  }

  /**
   * Import one spool file; null when imported, else why it was left.
   */
  private async _importFile(file: Contents.IModel): Promise<string | null> {
    const modified = Date.parse(file.last_modified);
    const stale = this._now() - modified > this._staleAfter;
    const model = await this._contents.get(file.path, {
      type: 'file',
      format: 'text',
      content: true
    });
    const parsed = parseSpool(String(model.content ?? ''));
    if (!parsed.ok) {
      return this._leave(file.path, parsed.problem);
    }
    const { spool } = parsed;
    if (!spool.closed && !stale) {
      return 'its kernel is still running';
    }
    if (spool.skippedLines > 0) {
      console.warn(
        `jupyterlab-runs: ${file.path}: skipped ${spool.skippedLines} unreadable line(s), torn by a crash or garbled.`
      );
    }
    this._store.addEvents(
      spool.notebook,
      withSession(spool.events, spool.session)
    );
    if (!spool.closed) {
      for (const run of unendedRuns(spool.events)) {
        this._store.endRun(spool.notebook, run, 'crashed');
      }
    }
    if (!spool.frontend) {
      await this._snapshot(spool);
    }
    await this._store.flush();
    await this._contents.delete(file.path);
    return null;
  }

  /**
   * A headless run's snapshot: the notebook file as it is now. No frontend
   * saw the notebook, and the executed sources came from this file.
   */
  private async _snapshot(spool: SpoolFile): Promise<void> {
    const run = lastRun(spool.events);
    if (run === null || !(await this._drive.exists(spool.notebook))) {
      return;
    }
    const model = await this._contents.get(spool.notebook, {
      type: 'notebook',
      content: true
    });
    if (typeof model.content !== 'object' || model.content === null) {
      return;
    }
    this._store.saveSnapshot(spool.notebook, {
      run,
      time: this._now(),
      notebook: prepareNotebook(
        model.content as Record<string, unknown>,
        this._settings.config.outputCapBytes
      )
    });
  }

  private _leave(path: string, problem: string): string {
    if (!this._warned.has(path)) {
      this._warned.add(path);
      console.warn(`jupyterlab-runs: not imported: ${path} ${problem}.`);
    }
    return problem;
  }

  private readonly _contents: Contents.IManager;
  private readonly _store: IRunStore;
  private readonly _settings: IRunsSettings;
  private readonly _now: () => number;
  private readonly _staleAfter: number;
  private readonly _drive: StoreDrive;
  private readonly _warned = new Set<string>();
  private _busy = false;
  private _isDisposed = false;
  private _timer = 0;
}

export namespace SpoolImporter {
  export interface IOptions {
    contents: Contents.IManager;
    store: IRunStore;
    settings: IRunsSettings;
    /** The clock, in epoch milliseconds. */
    now?: () => number;
    /** How long an open spool file may go untouched before its kernel counts as dead. */
    staleAfter?: number;
  }

  export interface IResult {
    readonly imported: string[];
    readonly left: { readonly path: string; readonly reason: string }[];
  }
}

/**
 * The kernel touches an open spool file every 30 s; one untouched for this
 * long belongs to a kernel that died.
 */
const STALE_AFTER_MS = 5 * 60 * 1000;

const POLL_INTERVAL_MS = 10 * 1000;

const LOCK_NAME = 'jupyterlab-runs:spool-import';

/**
 * The runs a spool starts and does not end.
 */
function unendedRuns(events: readonly Runs.KernelEvent[]): string[] {
  const open = new Set<string>();
  for (const event of events) {
    if (typeof event.run !== 'string') {
      continue;
    }
    if (event.kind === 'run_start') {
      open.add(event.run);
    } else if (event.kind === 'run_end') {
      open.delete(event.run);
    }
  }
  return [...open];
}

function lastRun(events: readonly Runs.KernelEvent[]): string | null {
  for (let index = events.length - 1; index >= 0; index--) {
    const run = events[index].run;
    if (typeof run === 'string') {
      return run;
    }
  }
  return null;
}
