import { URLExt } from '@jupyterlab/coreutils';
import type { Contents } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';

import { withSession } from '../capture/events';
import { prepareNotebook } from '../capture/outputs';
import { responseStatus, StoreDrive } from '../store/drive';
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
 * file is imported once it is closed, or once its kernel is gone: not listed
 * by the server, and the file untouched for a while by the server's own
 * clock (never the browser's, which may differ, and seen so at two polls a
 * minute apart, so that a laptop waking up leaves its kernels the time to
 * touch their files). A page claims a file by renaming it before importing,
 * so two pages (two browsers) never both import it; only the events after
 * those the store holds of the kernel's session are added, and the file is
 * deleted only after the store has them.
 */
export class SpoolImporter implements IDisposable {
  constructor(options: SpoolImporter.IOptions) {
    this._contents = options.contents;
    this._store = options.store;
    this._settings = options.settings;
    this._now = options.now ?? Date.now;
    this._staleAfter = options.staleAfter ?? STALE_AFTER_MS;
    this._runningKernels = options.runningKernels ?? (async () => null);
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
    const poll = new ServerPoll(this._contents, this._runningKernels);
    for (const file of files) {
      const problem = await this._importFile(file, poll);
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
  private async _importFile(
    file: Contents.IModel,
    poll: ServerPoll
  ): Promise<string | null> {
    const ours = this._claims.has(file.path);
    const claim = CLAIMED.exec(file.name);
    if (claim && !ours) {
      // Another page claimed it; it finishes, unless it went away: the
      // claim is still there 10 minutes later by the server's clock.
      const now = await poll.now();
      const seen = this._claimSeen.get(file.path);
      if (seen === undefined) {
        this._claimSeen.set(file.path, now);
      }
      if (seen === undefined || now - seen < CLAIM_TIMEOUT_MS) {
        return 'another page is importing it';
      }
    }
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
    if (!spool.closed && !claim) {
      const alive = await this._kernelAlive(file, spool, poll);
      if (alive !== null) {
        return alive;
      }
    }
    // A claim of this page's own, left by an import that failed half-way
    // (the server went away), is taken up again at once.
    const claimed = ours ? file.path : await this._claim(file);
    if (claimed === null) {
      return 'another page is importing it';
    }
    if (spool.skippedLines > 0) {
      console.warn(
        `jupyterlab-runs: ${file.path}: skipped ${spool.skippedLines} unreadable line(s), torn by a crash or garbled.`
      );
    }
    // Only what the store does not hold yet: an import repeated (a page
    // that died before deleting the file) stores nothing twice.
    const stored = await this._store.lastStoredSeq(
      spool.notebook,
      spool.session
    );
    const fresh = spool.events.filter(event => event.seq > stored);
    if (fresh.length > 0) {
      this._store.addEvents(spool.notebook, withSession(fresh, spool.session));
    }
    if (!spool.closed) {
      for (const run of unendedRuns(spool.events)) {
        this._store.endRun(spool.notebook, run, 'crashed');
      }
    }
    if (!spool.frontend && fresh.length > 0) {
      await this._snapshot(spool);
    }
    await this._store.flush();
    await this._contents.delete(claimed);
    this._claims.delete(claimed);
    this._staleSince.delete(file.path);
    this._claimSeen.delete(file.path);
    return null;
  }

  /**
   * Why an open spool's kernel counts as alive, or null when it is gone:
   * the server lists it; or the file was touched within `staleAfter` by the
   * server's clock; or it was not yet seen untouched at two polls a minute
   * apart (a kernel touches its file every 30 s once it runs again).
   */
  private async _kernelAlive(
    file: Contents.IModel,
    spool: SpoolFile,
    poll: ServerPoll
  ): Promise<string | null> {
    const running = await poll.kernels();
    if (spool.kernel !== null && running?.includes(spool.kernel)) {
      return 'its kernel is still running';
    }
    const modified = Date.parse(file.last_modified);
    const now = await poll.now();
    if (now - modified <= this._staleAfter) {
      this._staleSince.delete(file.path);
      return 'its kernel is still running';
    }
    const seen = this._staleSince.get(file.path);
    if (!seen || seen.modified !== modified) {
      this._staleSince.set(file.path, { modified, at: now });
      return 'its kernel has not touched it for a while; imported if it stays so';
    }
    if (now - seen.at < CONFIRM_STALE_MS) {
      return 'its kernel has not touched it for a while; imported if it stays so';
    }
    return null;
  }

  /**
   * Rename a spool file to a name of its own, which only one page can do:
   * the path it has now, or null when another page took it first.
   */
  private async _claim(file: Contents.IModel): Promise<string | null> {
    const stem =
      CLAIMED.exec(file.name)?.[1] ?? file.name.slice(0, -'.jsonl'.length);
    const folder = file.path.slice(0, file.path.length - file.name.length);
    const target = `${folder}${stem}.claimed-${claimToken()}.jsonl`;
    try {
      await this._contents.rename(file.path, target);
      this._claims.add(target);
      return target;
    } catch (reason) {
      const status = responseStatus(reason);
      if (status === 404 || status === 409) {
        return null;
      }
      throw reason;
    }
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
  private readonly _runningKernels: () => Promise<string[] | null>;
  /** Files other pages claimed: when first seen, by the server's clock. */
  private readonly _claimSeen = new Map<string, number>();
  /** The files this page renamed to import them and has not deleted yet. */
  private readonly _claims = new Set<string>();
  /** Open spools seen untouched: their time then, by the server's clock. */
  private readonly _staleSince = new Map<
    string,
    { modified: number; at: number }
  >();
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
    /** The clock snapshots are dated by, in epoch milliseconds. */
    now?: () => number;
    /**
     * How long an open spool file may go untouched (by the server's clock)
     * before its kernel counts as dead.
     */
    staleAfter?: number;
    /**
     * The ids of the kernels the server runs now, or null when unknown: an
     * open spool of one of them is never imported.
     */
    runningKernels?: () => Promise<string[] | null>;
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

/**
 * How long an open spool must stay untouched, by the server's clock, between
 * two polls before it is imported: two of the kernel's 30 s touches.
 */
const CONFIRM_STALE_MS = 60 * 1000;

/**
 * A claimed file seen this long (its page went away mid-import), by the
 * server's clock, is taken over by another page.
 */
const CLAIM_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * A spool file a page renamed to import it: `<session>.claimed-<token>.jsonl`,
 * the token random.
 */
const CLAIMED = /^(.*)\.claimed-([a-z0-9]+)\.jsonl$/;

/**
 * 8 random lowercase letters and digits.
 */
function claimToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, byte => alphabet[byte % alphabet.length]).join('');
}

/**
 * What one poll asks the server, once each and only when needed: its clock
 * and the kernels it runs.
 */
class ServerPoll {
  constructor(
    private readonly _contents: Contents.IManager,
    private readonly _listKernels: () => Promise<string[] | null>
  ) {}

  /**
   * The server's time now, epoch milliseconds (to the second): the `Date`
   * of its answer to a status request. Asking writes nothing, so the spool
   * folder holds only spools.
   */
  now(): Promise<number> {
    if (!this._now) {
      // Any answer says it, even a refusal: no need for
      // ServerConnection (of @jupyterlab/services, which this extension
      // does not require at a version).
      const settings = this._contents.serverSettings;
      const headers = new settings.Headers();
      if (settings.token) {
        headers.set('Authorization', `token ${settings.token}`);
      }
      this._now = settings
        .fetch(
          new settings.Request(URLExt.join(settings.baseUrl, 'api/status'), {
            ...settings.init,
            method: 'GET',
            cache: 'no-store',
            headers
          })
        )
        .then(response => {
          const time = Date.parse(response.headers.get('Date') ?? '');
          if (!Number.isFinite(time)) {
            throw new Error('the server did not say its time');
          }
          return time;
        });
    }
    return this._now;
  }

  kernels(): Promise<string[] | null> {
    if (!this._kernels) {
      this._kernels = this._listKernels().catch(() => null);
    }
    return this._kernels;
  }

  private _now: Promise<number> | null = null;
  private _kernels: Promise<string[] | null> | null = null;
}

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
