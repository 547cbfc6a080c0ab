import type { Contents } from '@jupyterlab/services';
import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { nullTranslator } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IRunsSettings, IRunStore, Runs } from '../tokens';
import type { Annotations } from './annotations';
import {
  annotateSummary,
  annotateRun,
  applyChange,
  checkRunChange,
  mergeAnnotations
} from './annotations';
import type { BlobAddress } from './codec';
import { blobAddress, storedOutputs } from './codec';
import { StoreDrive } from './drive';
import type { StoreFormat } from './format';
import {
  checkIndexRow,
  checkRunAnnotation,
  isValidId,
  readStoreFile,
  recordOf
} from './format';
import type { StoreIdentity } from './identity';
import { StoreIds } from './identity';
import {
  IndexWriteTarget,
  mergedText,
  mergeIndex,
  readIndexText
} from './indexmerge';
import type { ILocalStore, PendingMerge, PendingWrite } from './local';
import { deferredLocalStore, openLocalStore } from './local';
import { PackBuilder } from './pack';
import { isNotebookKey, notebookKey, StoreLayout } from './paths';
import { defaultRetryDelay, wakeableDelay, WriteQueue } from './queue';
import type { StoredRun } from './reader';
import { RunListReader, RunReader, rowFromBlocks } from './reader';
import type { EventBlobs, NotebookState, RunState } from './reducer';
import {
  applyEnd,
  applyEvent,
  applyOutputs,
  applySnapshot,
  blobContentOf,
  createNotebookState,
  runStateFromRow,
  sessionStateFromEntry,
  toIndexRow
} from './reducer';
import { summaryOfRow } from './rows';
import { OrphanFinder } from './orphans';
import type { PackScan } from './scan';
import { canonicalJSON } from './hash';
import { digestOf, scanPacks } from './scan';
import { isServerUnreachable, problemText } from './unreachable';
import { snapshotState } from './snapshot';

/**
 * Points a run may hold in memory before they are written without waiting
 * for the next scheduled write.
 */
const MAX_PENDING_POINTS = 20000;

/**
 * How many ignored kernel events are reported in the console per notebook.
 */
const MAX_EVENT_WARNINGS = 10;

/**
 * The size (of its JSON text and its points file's, before compression)
 * past which a pack is full: the next change of the notebook starts a new
 * pack. Every write of a notebook rewrites its open pack (and its points
 * file when they grew), so this bounds what a write sends.
 */
const PACK_LIMIT = 1024 * 1024;

/**
 * How many index heads `listNotebooks` reads at once.
 */
const NOTEBOOK_READS = 8;

/**
 * How many times a page reads its annotations back after writing them.
 */
const ANNOTATION_CHECKS = 3;

/**
 * The run store: turns kernel events, outputs and snapshots into store files
 * (docs/FORMAT.md), lists the recorded runs and reads them back, through the
 * Contents API.
 *
 * Each page writes its own packs (`<writer>-<n>`), so pages never overwrite
 * each other's records; they share only the index, which they merge.
 * Changes are kept in memory and written in batches: 0.5 s after a run
 * starts, ends or crashes, or a snapshot arrives; otherwise at most every
 * 3 s while a run goes on. Writes go through an ordered queue that retries
 * while the server is away and logs pending writes in the browser.
 */
export class RunStore implements IRunStore, IDisposable {
  constructor(options: RunStore.IOptions) {
    this._settings = options.settings;
    this._trans = (options.translator ?? nullTranslator).load(
      'jupyterlab_runs'
    );
    this._debounce = options.debounce ?? 500;
    this._runningInterval = options.runningInterval ?? 3000;
    this._retryDelay = options.retryDelay;
    this._now = options.now ?? Date.now;
    this._drive = new StoreDrive(options.contents);
    this._local = deferredLocalStore(
      Promise.resolve(
        options.local ?? openLocalStore(reason => this._onLocalProblem(reason))
      )
    );
    this._server = options.server ?? '';
    const onHeld = options.onHeld ?? (() => undefined);
    const told = new Set<string>();
    // Said once per store they belong to, not at each retry.
    this._onHeld = (writes, why) => {
      const keyOf = (write: PendingWrite): string =>
        [why, write.server, write.folder, write.store].join('\n');
      const fresh = writes.filter(write => !told.has(keyOf(write)));
      fresh.forEach(write => told.add(keyOf(write)));
      if (fresh.length > 0) {
        onHeld(fresh, why);
      }
    };
    this._storeIds = new StoreIds({
      drive: this._drive,
      trans: this._trans,
      now: this._now,
      settle: options.settle ?? 1000,
      retrying: operation => this._retrying(operation),
      retryDelay: options.retryDelay ?? defaultRetryDelay,
      onProblem: (reason, path) => this._onWriteProblem(reason, path)
    });
    this._queue = new WriteQueue({
      target: new IndexWriteTarget({
        drive: this._drive,
        trans: this._trans,
        now: this._now,
        settle: options.settle
      }),
      local: this._local,
      retryDelay: options.retryDelay,
      onLanded: path => this._runsChanged.emit(path),
      onProblem: (reason, path) => this._onWriteProblem(reason, path),
      onLocalProblem: reason => this._onLocalProblem(reason),
      checkStore: (folder, id) => this._storeIds.holds(folder, id),
      onHeld: writes => this._onHeld(writes, 'store')
    });
    this._layout = new StoreLayout(this._settings.config.storeFolder);
    const read = (path: string): Promise<string | null> => this._read(path);
    this._rows = new RunListReader(read, this._trans);
    this._runs = new RunReader(
      read,
      folder => this._drive.list(folder),
      this._trans
    );
    this._orphans = new OrphanFinder({
      packs: (folder, fresh) => {
        if (fresh) {
          this._drive.forget(folder);
        }
        return this._drive.modified(folder);
      },
      read: path => this._read(path),
      trans: this._trans
    });
    this._settings.changed.connect(this._onSettingsChanged, this);
    this._ready = this._adoptPending();
  }

  get runsChanged(): ISignal<this, string> {
    return this._runsChanged;
  }

  changedElsewhere(notebookPath: string): void {
    if (!this._isDisposed) {
      this._runsChanged.emit(notebookPath);
    }
  }

  get health(): Runs.StoreHealth {
    return this._health;
  }

  get healthChanged(): ISignal<this, Runs.StoreHealth> {
    return this._healthChanged;
  }

  retryNow(): void {
    this._queue.retryNow();
    this._wakeRetry?.();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  addEvents(notebookPath: string, events: readonly Runs.KernelEvent[]): void {
    if (events.length === 0) {
      return;
    }
    const batch = [...events];
    this._task(notebookPath, notebook => this._applyEvents(notebook, batch));
  }

  addOutputs(notebookPath: string, outputs: Runs.ExecutionOutputs): void {
    this._task(notebookPath, async notebook => {
      const run = await this._runToChange(notebook, outputs.run, 'outputs');
      if (!run || !Number.isSafeInteger(outputs.exec)) {
        return;
      }
      const count = run.counts.get(outputs.exec) ?? null;
      const blob = await this._putBlob(
        notebook,
        storedOutputs(outputs.outputs, count)
      );
      applyOutputs(
        run,
        await this._pack(notebook),
        outputs.exec,
        blob,
        this._now()
      );
      this._schedule(notebook, false);
    });
  }

  saveSnapshot(notebookPath: string, snapshot: Runs.NotebookSnapshot): void {
    this._task(notebookPath, async notebook => {
      const run = await this._runToChange(notebook, snapshot.run, 'snapshot');
      if (!run) {
        return;
      }
      const state = await snapshotState(snapshot, data =>
        this._putBlob(notebook, data)
      );
      const pack = await this._pack(notebook);
      pack.addSnapshot(state);
      applySnapshot(run, pack, this._now());
      this._schedule(notebook, true);
    });
  }

  endRun(
    notebookPath: string,
    runId: string,
    status: 'finished' | 'crashed'
  ): void {
    this._task(notebookPath, async notebook => {
      const run = await this._runToChange(notebook, runId, 'run end');
      if (
        run &&
        applyEnd(run, await this._pack(notebook), status, this._now())
      ) {
        this._schedule(notebook, true);
      }
    });
  }

  async lastStoredSeq(notebookPath: string, session: string): Promise<number> {
    if (!isValidId(session)) {
      return 0;
    }
    let stored = 0;
    await this._task(notebookPath, async notebook => {
      // The events that follow belong to this session.
      notebook.state.currentSession = session;
      const head = await this._head(notebook, true);
      this._loadSession(notebook, session);
      const entry = head?.sessions.find(item => item.id === session);
      const scan = await this._scan(notebook);
      stored = Math.max(entry?.seq ?? 0, scan.sessions.get(session) ?? 0);
      for (const row of head?.rows.values() ?? []) {
        if (row.session === session) {
          stored = Math.max(stored, row.seq);
        }
      }
      // Another page may have stored more of the session since this page
      // scanned the packs, and its index head lands after its pack: a page
      // taking the writer back must not ask the kernel for that again.
      const known = (run: string): string | null =>
        notebook.state.runs.get(run)?.session ??
        head?.rows.get(run)?.session ??
        null;
      stored = Math.max(
        stored,
        await this._orphans
          .sessionSeq(
            notebook.layout,
            notebook.key,
            name => !name.startsWith(`${notebook.writer}-`),
            session,
            known
          )
          .catch(() => 0)
      );
    });
    return stored;
  }

  /**
   * Resolves once everything added so far is written, and the annotations
   * read back after writes are done.
   *
   * #### Notes
   * It waits for the planned writes rather than forcing them, so calling it
   * often (as acknowledging each kernel message does) never rewrites a
   * running run's files more often than every 3 s.
   */
  async flush(): Promise<void> {
    await this._ready;
    for (;;) {
      await this._settle();
      const planned: Promise<void>[] = [];
      for (const opening of this._notebooks.values()) {
        const notebook = await opening;
        if (notebook.timer !== null) {
          planned.push(notebook.written);
        }
        if (notebook.checking) {
          planned.push(notebook.checking);
        }
      }
      if (planned.length === 0) {
        break;
      }
      await Promise.all(planned);
    }
    await this._queue.whenIdle();
  }

  async listRuns(notebookPath: string): Promise<Runs.RunList> {
    await this._ready;
    const notebook = await this._notebook(notebookPath);
    const cacheKey = `${notebook.layout.folder}\n${notebookPath}`;
    try {
      const refused = await this._storeProblem(notebook.layout);
      if (refused !== null) {
        return { runs: [], problems: [refused] };
      }
      const read = await this._rows.rows(
        notebook.layout,
        notebook.key,
        notebookPath
      );
      const { problems } = read;
      const rows = read.rows;
      notebook.listed = new Map(rows.map(row => [row.id, row.status]));
      const annotations = await this._readAnnotations(notebook);
      const runs: Runs.RunSummary[] = [];
      for (const row of rows) {
        const summary = annotateSummary(
          summaryOfRow(row, notebookPath),
          annotations.runs.get(row.id)
        );
        if (summary) {
          runs.push(summary);
        }
      }
      const list: Runs.RunList = {
        runs,
        problems: [...problems, ...annotations.problems]
      };
      void this._local.setRunList(cacheKey, list).catch(() => undefined);
      return list;
    } catch (reason) {
      if (!isServerUnreachable(reason)) {
        throw reason;
      }
      const cached = await this._local.getRunList(cacheKey).catch(() => null);
      return {
        runs: cached?.runs ?? [],
        problems: cached?.problems ?? [],
        offline: reason instanceof Error ? reason.message : String(reason)
      };
    }
  }

  /**
   * Apply the user's change to a run: it shows in `listRuns` of this page at
   * once (`runsChanged` is emitted), and in other pages once the
   * annotations file is written (after the write delay).
   *
   * @throws An `Error` saying why, and nothing changes, for an invalid
   * change or run id, a run the notebook does not have or that was deleted,
   * more than 100 user tags, a store folder of another version, or a server
   * that cannot be reached.
   */
  async updateRun(
    notebookPath: string,
    runId: string,
    change: Runs.RunChange
  ): Promise<void> {
    const checked = checkRunChange(change, this._trans);
    await this._annotate(notebookPath, runId, (entry, now) =>
      applyChange(entry, checked, now, this._trans)
    );
  }

  /**
   * Delete a run: it leaves every list at once (a tombstone in the
   * annotations file). Its blocks stay in their packs: see docs/FORMAT.md.
   *
   * @throws An `Error` saying why, for a running run (stop it first), and
   * as `updateRun` does.
   */
  async deleteRun(notebookPath: string, runId: string): Promise<void> {
    await this._annotate(notebookPath, runId, (_, now, status) => {
      if (status === 'running') {
        throw new Error(
          this._trans.__(
            'The run "%1" is still running: stop it (interrupt, restart or shut down its kernel) before deleting it.',
            runId
          )
        );
      }
      return { deleted: now };
    });
  }

  /**
   * The paths of the notebooks the store holds runs of, sorted: one folder
   * listing, and the index head of each notebook not seen before (a
   * notebook's folder always holds the same notebook). A folder whose index
   * cannot be read is skipped with a warning.
   *
   * @throws When the server cannot be reached.
   */
  async listNotebooks(): Promise<string[]> {
    await this._ready;
    const layout = this._layout;
    const refused = await this._storeProblem(layout);
    if (refused !== null) {
      console.warn(`jupyterlab-runs: ${refused}`);
      return [];
    }
    const names = await this._drive.list(layout.notebooksFolder);
    const paths: string[] = [];
    for (let start = 0; start < names.length; start += NOTEBOOK_READS) {
      const batch = names.slice(start, start + NOTEBOOK_READS);
      for (const path of await Promise.all(
        batch.map(name => this._notebookPathOf(layout, name))
      )) {
        if (path !== null) {
          paths.push(path);
        }
      }
    }
    return [...new Set(paths)].sort();
  }

  /**
   * The run list last read for a notebook in this browser, or null: shown
   * at once while `listRuns` asks the server.
   */
  async cachedRuns(notebookPath: string): Promise<Runs.RunList | null> {
    const folder = this._settings.config.storeFolder;
    return this._local
      .getRunList(`${folder}\n${notebookPath}`)
      .catch(() => null);
  }

  /**
   * Everything the store holds of a run (null when the notebook has no such
   * run), and one line per item that could not be read.
   *
   * @throws When the server cannot be reached.
   */
  async readRun(
    notebookPath: string,
    runId: string,
    options?: StoredRun.ReadOptions
  ): Promise<StoredRun.Result<StoredRun.Run | null>> {
    const read = await this._reading(notebookPath, null, (layout, key) =>
      this._runs.readRun(layout, key, notebookPath, runId, options)
    );
    if (!read.value) {
      return read;
    }
    // As the run list shows it: the user's name, note and tags.
    const notebook = await this._notebook(notebookPath);
    const annotations = await this._readAnnotations(notebook);
    return {
      value: annotateRun(read.value, annotations.runs.get(runId)),
      problems: [...read.problems, ...annotations.problems]
    };
  }

  /**
   * A run's executions in the order the kernel ran them, with their sources
   * and outputs, and the executions it inherited from earlier runs of its
   * kernel session.
   *
   * @throws When the server cannot be reached.
   */
  async readExecutions(
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Executions | null>> {
    return this._reading(notebookPath, null, (layout, key) =>
      this._runs.readExecutions(layout, key, notebookPath, runId)
    );
  }

  /**
   * The notebook snapshots of a run, oldest first, each the whole notebook
   * as nbformat JSON: the last one is the notebook as the run left it.
   *
   * @throws When the server cannot be reached.
   */
  async readSnapshots(
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Snapshot[]>> {
    return this._reading(notebookPath, [], (layout, key) =>
      this._runs.readSnapshots(layout, key, notebookPath, runId)
    );
  }

  /**
   * The notebook as a run left it: its last snapshot, whole, as nbformat
   * JSON; null when the run has none.
   *
   * @throws When the server cannot be reached.
   */
  async readSnapshot(
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Snapshot | null>> {
    const { value, problems } = await this.readSnapshots(notebookPath, runId);
    return { value: value[value.length - 1] ?? null, problems };
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const opening of this._notebooks.values()) {
      void opening.then(notebook => {
        if (notebook.timer !== null) {
          clearTimeout(notebook.timer);
          notebook.timer = null;
          notebook.onWritten();
        }
      });
    }
    this._queue.dispose();
    this._settings.changed.disconnect(this._onSettingsChanged, this);
    Signal.clearData(this);
  }

  /**
   * Change a run's annotation: `edit` gives the new one (null for no
   * change) from the current one, the time and the run's status, or throws
   * to refuse. The annotations file is read again and merged before it is
   * written, so changes other pages made meanwhile are kept.
   */
  private _annotate(
    notebookPath: string,
    runId: string,
    edit: (
      entry: StoreFormat.RunAnnotation | undefined,
      now: number,
      status: Runs.RunStatus
    ) => StoreFormat.RunAnnotation | null
  ): Promise<void> {
    if (!isValidId(runId)) {
      return Promise.reject(
        new Error(
          this._trans.__('"%1" is not a run id.', String(runId).slice(0, 80))
        )
      );
    }
    return this._userTask(notebookPath, async notebook => {
      const { layout, path } = notebook;
      // A user's change reads the annotations as the server has them now:
      // a listing cached a moment ago must not hide that the server is away.
      this._drive.forget(layout.notebookFolder(notebook.key));
      const refused = await this._storeProblem(layout);
      if (refused !== null) {
        throw new Error(refused);
      }
      const status = await this._unreachable(() =>
        this._runStatus(notebook, runId)
      );
      if (status === null) {
        throw new Error(
          this._trans.__('The notebook "%1" has no run "%2".', path, runId)
        );
      }
      const stored = await this._unreachable(() =>
        this._readAnnotations(notebook)
      );
      if (stored.refused !== null) {
        throw new Error(stored.refused);
      }
      const entry = stored.runs.get(runId);
      if (entry?.deleted !== undefined) {
        throw new Error(
          this._trans.__('The run "%1" of "%2" was deleted.', runId, path)
        );
      }
      const next = edit(entry, this._now(), status);
      if (next === null) {
        return;
      }
      notebook.annotations = mergeAnnotations(
        stored.runs,
        new Map([[runId, next]])
      );
      if (!(await this._ensureStoreFile(layout)).writable) {
        throw new Error(
          this._trans.__(
            'The store folder "%1" cannot be written to.',
            layout.folder
          )
        );
      }
      this._writeAnnotations(notebook, stored.unreadable);
      this._runsChanged.emit(path);
    });
  }

  /**
   * Queue the annotations file as this page knows it, with the entries it
   * could not read as they were, then check it once it landed.
   */
  private _writeAnnotations(
    notebook: RunStore.INotebook,
    unreadable: readonly [string, unknown][]
  ): void {
    const known = notebook.annotations ?? new Map();
    const file: StoreFormat.AnnotationsFile = {
      format: 'jupyterlab-runs/annotations',
      version: 2,
      notebookPath: notebook.path,
      updatedAt: this._now(),
      runs: recordOf([
        // Entries that cannot be read are kept: they may be newer.
        ...unreadable.filter(([id]) => !known.has(id)),
        ...sortById(known)
      ] as [string, StoreFormat.RunAnnotation][])
    };
    this._enqueue(
      notebook.layout,
      [fileWrite(notebook.layout.annotationsFile(notebook.key), file)],
      notebook.path
    );
    this._checkAnnotationsLater(notebook);
  }

  /**
   * Once this page's annotations writes landed (and the write delay passed),
   * read the file again and write it again if another page overwrote it
   * without a change this page made (the Contents API has no
   * compare-and-swap); a few rounds at most.
   */
  private _checkAnnotationsLater(notebook: RunStore.INotebook): void {
    notebook.recheck = true;
    if (notebook.checking) {
      return;
    }
    notebook.checking = (async () => {
      for (let round = 0; notebook.recheck && round < ANNOTATION_CHECKS;) {
        notebook.recheck = false;
        round++;
        await this._queue.whenIdle();
        await new Promise(resolve => setTimeout(resolve, this._debounce));
        if (this._isDisposed) {
          return;
        }
        await this._task(notebook.path, async current => {
          const stored = await this._readAnnotations(current).catch(() => null);
          if (
            stored &&
            stored.refused === null &&
            canonicalJSON(sortById(stored.read)) !==
              canonicalJSON(sortById(stored.runs))
          ) {
            this._writeAnnotations(current, stored.unreadable);
          }
        });
      }
    })().finally(() => (notebook.checking = null));
  }

  /**
   * The status of a run of a notebook, or null when it has no such run:
   * from this page's records, the last list, or else the index.
   */
  private async _runStatus(
    notebook: RunStore.INotebook,
    runId: string
  ): Promise<Runs.RunStatus | null> {
    const own = notebook.state.runs.get(runId);
    if (own) {
      return own.status;
    }
    const listed = notebook.listed?.get(runId);
    if (listed !== undefined && listed !== 'running') {
      return listed;
    }
    // Unknown, or running when last listed: ask the index.
    const { rows } = await this._rows.rows(
      notebook.layout,
      notebook.key,
      notebook.path
    );
    notebook.listed = new Map(rows.map(row => [row.id, row.status]));
    return notebook.listed.get(runId) ?? null;
  }

  /**
   * The user's changes to a notebook's runs: the annotations file merged
   * with what this page knows (its own changes not yet written, and what it
   * read before). Entries that cannot be read are reported and kept aside;
   * `refused` says why a file must not be rewritten (another version).
   *
   * @throws When the server cannot be reached.
   */
  private async _readAnnotations(notebook: RunStore.INotebook): Promise<{
    /** What the file holds. */
    read: Annotations;
    /** What the file holds merged with what this page knows. */
    runs: Annotations;
    unreadable: [string, unknown][];
    problems: string[];
    refused: string | null;
  }> {
    const filePath = notebook.layout.annotationsFile(notebook.key);
    const parsed = await readStoreFile(
      'annotations',
      filePath,
      p => this._read(p),
      this._trans
    );
    const read: Annotations = new Map();
    const unreadable: [string, unknown][] = [];
    const problems: string[] = [];
    let refused: string | null = null;
    if (parsed && !parsed.ok) {
      problems.push(this._rows.problem(filePath, parsed.problem));
      if (parsed.problem.includes('format version')) {
        refused = `${filePath} ${parsed.problem}`;
      }
    } else if (parsed && parsed.value.notebookPath !== notebook.path) {
      const problem = this._trans.__(
        'holds changes to the runs of "%1", not of this notebook',
        parsed.value.notebookPath
      );
      problems.push(this._rows.problem(filePath, problem));
      refused = `${filePath} ${problem}`;
    } else if (parsed) {
      for (const [id, data] of Object.entries(parsed.value.runs)) {
        const checked = checkRunAnnotation(
          id,
          data,
          `runs[${JSON.stringify(id)}]`,
          this._trans
        );
        if (checked.ok) {
          read.set(id, checked.value);
        } else {
          unreadable.push([id, data]);
          problems.push(this._rows.problem(filePath, checked.problem));
        }
      }
    }
    notebook.annotations = mergeAnnotations(
      read,
      notebook.annotations ?? new Map()
    );
    return { read, runs: notebook.annotations, unreadable, problems, refused };
  }

  /**
   * The path of the notebook whose runs are in the folder `key`, or null
   * (with a warning) when it cannot be read; remembered once known.
   */
  private async _notebookPathOf(
    layout: StoreLayout,
    key: string
  ): Promise<string | null> {
    const cacheKey = `${layout.folder}\n${key}`;
    const known = this._notebookPaths.get(cacheKey);
    if (known !== undefined) {
      return known;
    }
    const where = `${layout.notebooksFolder}/${key}`;
    if (!isNotebookKey(key)) {
      console.warn(
        `jupyterlab-runs: ${where} is not a notebook folder of the store; skipped.`
      );
      return null;
    }
    const headPath = layout.indexFile(key);
    const parsed = await readStoreFile(
      'index',
      headPath,
      p => this._read(p),
      this._trans
    );
    if (parsed === null) {
      // A page wrote a pack and has not written the index yet.
      return null;
    }
    if (!parsed.ok) {
      console.warn(`jupyterlab-runs: ${headPath} ${parsed.problem}; skipped.`);
      return null;
    }
    const path = parsed.value.notebookPath;
    if ((await notebookKey(path)) !== key) {
      console.warn(
        `jupyterlab-runs: ${headPath} lists the runs of "${path}", whose folder is another; skipped.`
      );
      return null;
    }
    this._notebookPaths.set(cacheKey, path);
    return path;
  }

  /**
   * Run work on a notebook after the work already queued for it, like
   * `_task`, but give back its result or its error: for what the user asked
   * for, who is told why it failed.
   */
  private _userTask<T>(
    notebookPath: string,
    work: (notebook: RunStore.INotebook) => Promise<T>
  ): Promise<T> {
    const previous = this._chains.get(notebookPath) ?? this._ready;
    const done = previous.then(async () => {
      if (this._isDisposed) {
        throw new Error(this._trans.__('The run store is closed.'));
      }
      await this._ready;
      return work(await this._notebook(notebookPath));
    });
    const settled = done.then(
      () => undefined,
      () => undefined
    );
    this._chains.set(notebookPath, settled);
    this._tasks.add(settled);
    void settled.then(() => this._tasks.delete(settled));
    return done;
  }

  /**
   * An operation's result; its failure, when the server cannot be reached,
   * as an `Error` saying so.
   */
  private async _unreachable<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (reason) {
      throw new Error(
        this._trans.__(
          'The Jupyter server cannot be reached (%1); nothing was changed.',
          reason instanceof Error ? reason.message : String(reason)
        )
      );
    }
  }

  /**
   * Read from a notebook's store once the writes of this page are queued,
   * after checking the store's version.
   */
  private async _reading<T>(
    notebookPath: string,
    empty: T,
    read: (layout: StoreLayout, key: string) => Promise<StoredRun.Result<T>>
  ): Promise<StoredRun.Result<T>> {
    await this._ready;
    await this._settle();
    const notebook = await this._notebook(notebookPath);
    const refused = await this._storeProblem(notebook.layout);
    if (refused !== null) {
      return { value: empty, problems: [refused] };
    }
    return read(notebook.layout, notebook.key);
  }

  /**
   * Run work on a notebook after the work already queued for it: every
   * change to a notebook happens in the order it was asked for.
   */
  private _task(
    notebookPath: string,
    work: (notebook: RunStore.INotebook) => Promise<void>
  ): Promise<void> {
    const previous = this._chains.get(notebookPath) ?? this._ready;
    const done = previous.then(async () => {
      if (!this._isDisposed) {
        await work(await this._notebook(notebookPath));
      }
    });
    const settled = done.catch(reason => {
      console.error(
        `jupyterlab-runs: could not record a change to the runs of "${notebookPath}".`,
        reason
      );
    });
    this._chains.set(notebookPath, settled);
    this._tasks.add(settled);
    void settled.then(() => this._tasks.delete(settled));
    return settled;
  }

  /**
   * Wait until no notebook work is queued.
   */
  private async _settle(): Promise<void> {
    while (this._tasks.size > 0) {
      await Promise.all([...this._tasks]);
    }
  }

  private async _adoptPending(): Promise<void> {
    try {
      this._queue.adopt(await this._local.adoptPending(this._server));
      const elsewhere = await this._local.pendingElsewhere(this._server);
      if (elsewhere.length > 0) {
        this._onHeld(elsewhere, 'server');
      }
    } catch (reason) {
      console.warn(
        'jupyterlab-runs: could not read the writes left pending in this browser.',
        reason
      );
    }
  }

  /**
   * The state of a notebook in the current store folder, created once.
   */
  private _notebook(path: string): Promise<RunStore.INotebook> {
    const layout = this._layout;
    const id = `${layout.folder}\n${path}`;
    let opening = this._notebooks.get(id);
    if (!opening) {
      opening = notebookKey(path).then(key => ({
        path,
        key,
        layout,
        state: createNotebookState(path),
        writer: this._writer,
        pack: null,
        packCount: 0,
        scan: null,
        head: null,
        missingRuns: new Set<string>(),
        brokenRuns: new Map<string, string>(),
        timer: null,
        due: 0,
        written: Promise.resolve(),
        onWritten: () => undefined,
        index: null,
        annotations: null,
        checking: null,
        recheck: false,
        listed: null,
        lastWrite: 0,
        warnings: 0
      }));
      this._notebooks.set(id, opening);
    }
    return opening;
  }

  private async _applyEvents(
    notebook: RunStore.INotebook,
    events: readonly Runs.KernelEvent[]
  ): Promise<void> {
    for (const event of events) {
      const blobs = await this._prepare(notebook, event);
      if (blobs === null) {
        continue;
      }
      const broken = isValidId(event.run)
        ? notebook.brokenRuns.get(event.run)
        : undefined;
      if (broken !== undefined) {
        this._warnEvent(notebook, event, `names a run that ${broken}`);
        continue;
      }
      const applied = applyEvent(
        notebook.state,
        await this._pack(notebook),
        event,
        blobs
      );
      if (applied.kind === 'refused') {
        this._warnEvent(notebook, event, applied.reason);
      } else if (applied.kind === 'applied') {
        if (applied.warning !== undefined) {
          this._warnEvent(notebook, event, applied.warning, true);
        }
        this._schedule(notebook, applied.urgent);
        const run = isValidId(event.run)
          ? notebook.state.runs.get(event.run)
          : undefined;
        if (run && run.pendingPoints >= MAX_PENDING_POINTS) {
          await this._write(notebook);
        }
      }
    }
  }

  /**
   * Load what an event needs and store the blob it carries; null for an
   * event the store already holds.
   */
  private async _prepare(
    notebook: RunStore.INotebook,
    event: Runs.KernelEvent
  ): Promise<EventBlobs | null> {
    const { state } = notebook;
    if (event.kind === 'session' && isValidId(event.session)) {
      await this._head(notebook, false);
      this._loadSession(notebook, event.session);
      const stored = (await this._scan(notebook)).sessions.get(event.session);
      const known = state.sessions.get(event.session);
      if (
        (known && event.seq <= known.seq) ||
        (stored !== undefined && event.seq <= stored)
      ) {
        state.currentSession = event.session;
        return null;
      }
    }
    if (isValidId(event.run)) {
      await this._loadRun(notebook, event.run, event.kind !== 'run_start');
      const run = state.runs.get(event.run);
      if ((run && event.seq <= run.seq) || notebook.brokenRuns.has(event.run)) {
        return notebook.brokenRuns.has(event.run) ? {} : null;
      }
    }
    const content = blobContentOf(event);
    if (content?.kind === 'env') {
      return { env: await this._putBlob(notebook, content.data) };
    }
    if (content?.kind === 'source') {
      return { source: await this._putBlob(notebook, content.data) };
    }
    return {};
  }

  /**
   * The run a frontend change applies to, loaded; null (and a warning) when
   * its id is invalid or the run is unknown or unreadable.
   */
  private async _runToChange(
    notebook: RunStore.INotebook,
    runId: string,
    what: string
  ): Promise<RunState | null> {
    if (!isValidId(runId)) {
      console.warn(
        `jupyterlab-runs: ignored a ${what} for the invalid run id ${JSON.stringify(runId)}.`
      );
      return null;
    }
    await this._loadRun(notebook, runId, true);
    const run = notebook.state.runs.get(runId);
    if (!run) {
      console.warn(
        `jupyterlab-runs: ignored a ${what} for run "${runId}" of "${notebook.path}": ${
          notebook.brokenRuns.get(runId) ?? 'the run is not recorded'
        }.`
      );
    }
    return run ?? null;
  }

  /**
   * Load a run from the index: the head, and for an older run (`older`)
   * its sealed segments.
   */
  private async _loadRun(
    notebook: RunStore.INotebook,
    id: string,
    older: boolean
  ): Promise<void> {
    if (
      notebook.state.runs.has(id) ||
      notebook.missingRuns.has(id) ||
      notebook.brokenRuns.has(id)
    ) {
      return;
    }
    let head = await this._head(notebook, false);
    if (older && head && !head.rows.has(id) && !head.broken.has(id)) {
      // Another page may have written it since: one that handed this page
      // the kernel's events (docs/CAPTURE.md, "Who gets the events").
      head = await this._head(notebook, true);
    }
    let row = head?.rows.get(id);
    const broken = head?.broken.get(id);
    if (!row && broken === undefined && older && head?.sealed) {
      const { rows } = await this._rows.rows(
        notebook.layout,
        notebook.key,
        notebook.path
      );
      row = rows.find(item => item.id === id);
    }
    if (broken !== undefined) {
      // Never rewrite a row that cannot be read: it may be newer.
      notebook.brokenRuns.set(id, `cannot be read: ${broken}`);
      return;
    }
    const blocks = (await this._scan(notebook)).runs.get(id) ?? [];
    const packed = blocks.length > 0 ? rowFromBlocks(blocks) : null;
    if (row && !(packed && packed.updatedAt > row.updatedAt)) {
      const run = runStateFromRow(row, notebook.path);
      blocks.forEach(({ pack }) => run.packs.add(pack));
      run.seq = Math.max(run.seq, packed?.seq ?? 0);
      notebook.state.runs.set(id, run);
    } else if (packed) {
      // A page wrote the run's pack, then died before writing the index:
      // the packs know more than the row, or the index lost the run.
      const run = runStateFromRow(packed, notebook.path);
      row?.packs.forEach(pack => run.packs.add(pack));
      run.dirty = true;
      notebook.state.runs.set(id, run);
      this._schedule(notebook, true);
    } else if (!older) {
      notebook.missingRuns.add(id);
    }
  }

  /**
   * Load a kernel session from the index head, if it is there.
   */
  private _loadSession(notebook: RunStore.INotebook, id: string): void {
    const entry = notebook.head?.sessions.find(item => item.id === id);
    if (entry && !notebook.state.sessions.has(id)) {
      notebook.state.sessions.set(
        id,
        sessionStateFromEntry(entry, ref => blobAddress(ref, ''))
      );
    }
  }

  /**
   * The index head as this page last read it: its rows by id, the rows it
   * cannot read, its sessions. Read again when `fresh`.
   */
  private async _head(
    notebook: RunStore.INotebook,
    fresh: boolean
  ): Promise<RunStore.IHead | null> {
    if (notebook.head && !fresh) {
      return notebook.head;
    }
    const path = notebook.layout.indexFile(notebook.key);
    const parsed = await this._retrying(() =>
      readStoreFile('index', path, p => this._read(p), this._trans)
    );
    const head: RunStore.IHead = {
      rows: new Map(),
      broken: new Map(),
      sessions: [],
      sealed: false
    };
    if (parsed?.ok) {
      parsed.value.runs.forEach((row, index) => {
        const checked = checkIndexRow(row, `runs[${index}]`, this._trans);
        if (checked.ok) {
          head.rows.set(checked.value.id, checked.value);
        } else if (isValidId((row as { id?: unknown } | null)?.id)) {
          head.broken.set(
            (row as { id: string }).id,
            `${path} ${checked.problem}`
          );
        }
      });
      head.sessions = [...parsed.value.sessions];
      head.sealed = parsed.value.segments.length > 0;
    }
    notebook.head = head;
    return head;
  }

  /**
   * The pack this page writes for a notebook, opened when missing.
   */
  private async _pack(notebook: RunStore.INotebook): Promise<PackBuilder> {
    await this._scan(notebook);
    if (!notebook.pack) {
      notebook.pack = new PackBuilder(
        `${notebook.writer}-${notebook.packCount}`,
        notebook.path
      );
      notebook.packCount += 1;
    }
    return notebook.pack;
  }

  /**
   * What the notebook's packs hold, read once per page the first time it
   * is needed: where each blob is, by content digest, so that identical
   * sources, outputs and environments are stored once per notebook; and the
   * blocks of each run and the highest `seq` of each session, so that a
   * page that died after writing a pack but before the index loses nothing
   * and duplicates nothing.
   */
  private async _scan(notebook: RunStore.INotebook): Promise<PackScan> {
    if (!notebook.scan) {
      notebook.scan = this._scanPacks(notebook);
    }
    return notebook.scan;
  }

  private async _scanPacks(notebook: RunStore.INotebook): Promise<PackScan> {
    const names = await this._retrying(() =>
      this._runs.packNames(notebook.layout, notebook.key)
    );
    while (names.some(name => name.startsWith(`${notebook.writer}-`))) {
      // Another page took this writer id for this notebook.
      notebook.writer = newWriterId();
    }
    const packs = await Promise.all(
      names.map(async name => {
        const path = notebook.layout.packFile(notebook.key, name);
        const parsed = await this._retrying(() =>
          readStoreFile('pack', path, p => this._read(p), this._trans)
        );
        if (!parsed?.ok || parsed.value.pack !== name) {
          console.warn(
            `jupyterlab-runs: ${path} ${parsed && !parsed.ok ? parsed.problem : 'cannot be used'}; its blobs will be stored again if needed.`
          );
          return null;
        }
        return parsed.value;
      })
    );
    return scanPacks(
      packs.filter((pack): pack is StoreFormat.PackFile => pack !== null),
      this._trans
    );
  }

  /**
   * Store a blob in the open pack, unless the notebook holds it already;
   * returns where it is.
   */
  private async _putBlob(
    notebook: RunStore.INotebook,
    data: unknown
  ): Promise<BlobAddress> {
    const { blobs } = await this._scan(notebook);
    const digest = await digestOf(data);
    const known = blobs.get(digest);
    if (known) {
      return known;
    }
    const address = (await this._pack(notebook)).addBlob(data);
    blobs.set(digest, address);
    return address;
  }

  /**
   * Plan the next write of a notebook's changes: soon when `urgent`,
   * otherwise no sooner than the running interval after the last write.
   */
  private _schedule(notebook: RunStore.INotebook, urgent: boolean): void {
    const now = this._now();
    const delay = urgent
      ? this._debounce
      : Math.max(
          this._debounce,
          notebook.lastWrite + this._runningInterval - now
        );
    if (notebook.timer !== null && notebook.due <= now + delay) {
      return;
    }
    if (notebook.timer !== null) {
      clearTimeout(notebook.timer);
    } else {
      notebook.written = new Promise(resolve => (notebook.onWritten = resolve));
    }
    notebook.due = now + delay;
    notebook.timer = setTimeout(() => {
      notebook.timer = null;
      void this._task(notebook.path, current => this._write(current)).then(
        notebook.onWritten
      );
    }, delay);
  }

  /**
   * Turn a notebook's changes into files and queue them, each file after
   * those it refers to: the open pack, then the index.
   */
  private async _write(notebook: RunStore.INotebook): Promise<void> {
    const { key, layout, state, pack } = notebook;
    const rows: StoreFormat.IndexRow[] = [];
    for (const run of state.runs.values()) {
      if (run.dirty) {
        rows.push(toIndexRow(run));
      }
    }
    const sessions = [...state.sessions.values()].filter(
      session => session.dirty
    );
    if (!pack || (rows.length === 0 && sessions.length === 0)) {
      return;
    }
    const now = this._now();
    const files = pack.toFiles(run => {
      const known = state.runs.get(run);
      if (!known) {
        throw new Error(`jupyterlab-runs: pack block of unknown run ${run}`);
      }
      return known;
    }, now);
    const text = JSON.stringify(files.pack);
    const writes: RunStore.IFileWrite[] = [];
    if (files.points) {
      const points = JSON.stringify(files.points);
      pack.pointsSize = points.length;
      writes.push({ path: layout.pointsFile(key, pack.name), text: points });
    }
    writes.push({ path: layout.packFile(key, pack.name), text });
    rows.push(...(await this._lostRows(notebook)));
    writes.push(...(await this._indexWrites(notebook, rows)));
    for (const run of state.runs.values()) {
      run.dirty = false;
      run.urgent = false;
      run.pendingPoints = 0;
    }
    sessions.forEach(session => (session.dirty = false));
    if (text.length + pack.pointsSize > PACK_LIMIT) {
      // Full: the next change opens the next pack.
      notebook.pack = null;
    }
    notebook.lastWrite = this._now();
    if ((await this._ensureStoreFile(layout)).writable) {
      this._enqueue(layout, writes, state.path);
    }
  }

  /**
   * The rows of runs that the notebook's recent packs (other pages') hold
   * and its run list lacks: a page's index write replaced by another page's
   * at the same moment. Written back with this page's next index write;
   * none when the store cannot be read now.
   */
  private async _lostRows(
    notebook: RunStore.INotebook
  ): Promise<StoreFormat.IndexRow[]> {
    const { layout, key, path, state, writer } = notebook;
    try {
      const found = await this._orphans.find(
        layout,
        key,
        name => !name.startsWith(`${writer}-`),
        async () => {
          const { rows, problems } = await this._rows.rows(layout, key, path);
          if (problems.length > 0) {
            // A row that cannot be read may be the one missing.
            throw new Error('the run list cannot be read whole');
          }
          return new Set(rows.map(row => row.id));
        }
      );
      if (found.length > 0) {
        console.info(
          `jupyterlab-runs: the run list of "${path}" lacked ${found.length} run(s) that its packs hold; written back.`
        );
      }
      return found.filter(row => !state.runs.has(row.id));
    } catch {
      return [];
    }
  }

  /**
   * The index head to write for changed rows: the head merged with what
   * the store holds now (another tab may have added runs). It is merged
   * again with the server's head right before it is sent, and rows past the
   * head's size are then moved to a segment (`IndexWriteTarget`): what is
   * queued while the server is away never replaces what other pages wrote
   * meanwhile.
   */
  private async _indexWrites(
    notebook: RunStore.INotebook,
    rows: readonly StoreFormat.IndexRow[]
  ): Promise<RunStore.IFileWrite[]> {
    const { key, layout, path, state } = notebook;
    const headPath = layout.indexFile(key);
    // While the server is away, the head this page last wrote will do: the
    // writes can then wait in the browser's log.
    const text = notebook.index
      ? await this._read(headPath).catch(() => undefined)
      : await this._retrying(() => this._read(headPath));
    const parsed =
      text === undefined ? undefined : readIndexText(text, this._trans);
    if (typeof parsed === 'string') {
      console.warn(`jupyterlab-runs: ${headPath} ${parsed}`);
      return [];
    }
    const stored =
      parsed === undefined
        ? notebook.index && { file: notebook.index, unreadable: [] }
        : parsed;
    const dirty = [...state.sessions.values()].filter(session => session.dirty);
    const ours: StoreFormat.IndexFile = {
      format: 'jupyterlab-runs/index',
      version: 2,
      notebookPath: path,
      updatedAt: this._now(),
      segments: [],
      sessions: [...state.sessions.values()].map(session => ({
        id: session.id,
        seq: session.seq,
        env: session.env ? `${session.env.pack}/${session.env.index}` : null
      })),
      runs: rows
    };
    const merge = {
      rows: rows.map(row => row.id),
      sessions: dirty.map(session => session.id)
    };
    // Every session this page knows is written with its highest seq.
    const merged = mergeIndex(
      stored ?? null,
      ours,
      { ...merge, sessions: ours.sessions.map(session => session.id) },
      this._now()
    );
    const index: StoreFormat.IndexFile = {
      ...merged.file,
      runs: [
        ...merged.file.runs,
        ...(merged.unreadable as StoreFormat.IndexRow[])
      ]
    };
    notebook.index = index;
    return [{ ...fileWrite(headPath, index), merge }];
  }

  /**
   * Why the store folder cannot be used ("<store.json> <problem>"), or null
   * when it is a store of this version or not a store yet.
   */
  private _storeProblem(layout: StoreLayout): Promise<string | null> {
    let checking = this._storeChecks.get(layout.folder);
    if (!checking) {
      checking = (async () => {
        const parsed = await this._retrying(() =>
          readStoreFile(
            'store',
            layout.storeFile,
            p => this._read(p),
            this._trans
          )
        );
        if (parsed === null || parsed.ok) {
          return null;
        }
        return this._trans.__(
          '%1 %2. Runs are not recorded or listed from this folder: choose another store folder in the settings, or move this one aside.',
          layout.storeFile,
          parsed.problem
        );
      })();
      this._storeChecks.set(layout.folder, checking);
    }
    return checking;
  }

  /**
   * Make sure the store folder is a store of this version with an id
   * (`StoreIds.ensure`), writing its `store.json` the first time. Not
   * writable, with one warning, for a folder whose `store.json` is of
   * another version or unreadable: nothing is written there.
   */
  private _ensureStoreFile(layout: StoreLayout): Promise<StoreIdentity> {
    let checking = this._storeWrites.get(layout.folder);
    if (!checking) {
      checking = this._storeIds.ensure(layout).then(identity => {
        if (identity.writable) {
          this._storeChecks.set(layout.folder, Promise.resolve(null));
        }
        return identity;
      });
      this._storeWrites.set(layout.folder, checking);
    }
    return checking;
  }

  private _enqueue(
    layout: StoreLayout,
    writes: readonly RunStore.IFileWrite[],
    notify: string | null = null
  ): void {
    this._queue.enqueue(
      writes.map((write, index): PendingWrite => ({
        folder: layout.folder,
        path: write.path,
        text: write.text,
        once: false,
        notify: index === writes.length - 1 ? notify : null,
        ...(write.merge ? { merge: write.merge } : {}),
        server: this._server,
        store: this._storeIds.idOf(layout.folder)
      }))
    );
  }

  /**
   * Retry an operation while the server is away.
   */
  private async _retrying<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await operation();
        this._onWriteProblem(null, null);
        return result;
      } catch (reason) {
        if (this._isDisposed) {
          throw reason;
        }
        this._onWriteProblem(reason, null);
        const wait = wakeableDelay(
          (this._retryDelay ?? defaultRetryDelay)(attempt)
        );
        this._wakeRetry = wait.wake;
        await wait.done;
        this._wakeRetry = null;
      }
    }
  }

  /**
   * A file as the store will hold it: the newest pending write, or the
   * server's copy (null when missing).
   */
  private async _read(path: string): Promise<string | null> {
    const pending = this._queue.pendingWrite(path);
    if (pending === undefined) {
      return this._drive.read(path);
    }
    if (!pending.merge) {
      return pending.text;
    }
    // A head waiting to be merged: what the server holds, with this page's
    // changes laid over it (only them, while the server is away).
    const server = await this._drive.read(path).catch(() => undefined);
    return server === undefined
      ? pending.text
      : mergedText(server, pending, this._trans, this._now());
  }

  private _warnEvent(
    notebook: RunStore.INotebook,
    event: Runs.KernelEvent,
    reason: string,
    partly = false
  ): void {
    notebook.warnings += 1;
    if (notebook.warnings <= MAX_EVENT_WARNINGS) {
      console.warn(
        `jupyterlab-runs: ${partly ? 'stored part of' : 'ignored'} kernel event ${event.seq} (${String(event.kind)}) of "${notebook.path}": it ${reason}.`
      );
    }
  }

  /**
   * Follow a write (or a read the store depends on) failing with `reason`,
   * or succeeding again (null): the health changes, and the console is told
   * once per change of state.
   */
  private _onWriteProblem(reason: unknown, path: string | null): void {
    if (reason === null) {
      if (this._health.writes !== 'saving') {
        console.info('jupyterlab-runs: runs are saved again.');
        this._setHealth({
          writes: 'saving',
          reason: null,
          path: null,
          since: null
        });
      }
      return;
    }
    const writes = isServerUnreachable(reason) ? 'offline' : 'refused';
    const said = problemText(reason);
    if (writes === this._health.writes && said === this._health.reason) {
      return;
    }
    const message =
      writes === 'offline'
        ? this._trans.__(
            'Runs cannot be saved: the Jupyter server cannot be reached (%1). They are kept in this browser and saved when it is back.',
            said
          )
        : this._trans.__(
            'Runs cannot be saved: the server refused to write %1 (%2). Saving is paused; runs are kept in this browser and saved once the store folder can be written.',
            path ?? this._layout.folder,
            said
          );
    if (writes !== this._health.writes) {
      console.warn(`jupyterlab-runs: ${message}`);
    }
    this._setHealth({
      writes,
      reason: said,
      path: writes === 'refused' ? (path ?? this._health.path) : null,
      since: this._health.since ?? this._now()
    });
  }

  /**
   * Follow the browser's store failing: writes still go to the server, but
   * those waiting would not survive a reload. Said once.
   */
  private _onLocalProblem(reason: unknown): void {
    if (this._health.localProblem !== null) {
      return;
    }
    const said = problemText(reason);
    console.warn(
      `jupyterlab-runs: the browser's storage (IndexedDB) cannot be used (${said}); runs are written to the server directly, and writes waiting for it will not survive a reload.`
    );
    this._setHealth({ localProblem: said });
  }

  private _setHealth(change: Partial<Runs.StoreHealth>): void {
    this._health = { ...this._health, ...change };
    this._healthChanged.emit(this._health);
  }

  private _onSettingsChanged(_: IRunsSettings, config: Runs.Config): void {
    if (config.storeFolder !== this._layout.folder) {
      // Runs go to the new folder from now on; writes already queued still
      // land in the folder they were made for.
      this._layout = new StoreLayout(config.storeFolder);
      this._chains.clear();
    }
  }

  private readonly _chains = new Map<string, Promise<void>>();
  private readonly _debounce: number;
  private readonly _drive: StoreDrive;
  private _isDisposed = false;
  private _layout: StoreLayout;
  private readonly _local: ILocalStore;
  private readonly _notebooks = new Map<string, Promise<RunStore.INotebook>>();
  /** The notebook path of each notebook folder, by store folder and key. */
  private readonly _notebookPaths = new Map<string, string>();
  private readonly _now: () => number;
  private readonly _queue: WriteQueue;
  private readonly _ready: Promise<void>;
  private readonly _retryDelay: ((attempt: number) => number) | undefined;
  private readonly _rows: RunListReader;
  private readonly _runningInterval: number;
  private readonly _runs: RunReader;
  private _runsChanged = new Signal<this, string>(this);
  private _health: Runs.StoreHealth = {
    writes: 'saving',
    reason: null,
    path: null,
    since: null,
    localProblem: null
  };
  private readonly _healthChanged = new Signal<this, Runs.StoreHealth>(this);
  private _wakeRetry: (() => void) | null = null;
  private readonly _settings: IRunsSettings;
  private readonly _storeChecks = new Map<string, Promise<string | null>>();
  private readonly _storeWrites = new Map<string, Promise<StoreIdentity>>();
  private readonly _storeIds: StoreIds;
  private readonly _orphans: OrphanFinder;
  private readonly _server: string;
  private readonly _onHeld: RunStore.HeldWrites;
  private readonly _tasks = new Set<Promise<void>>();
  private readonly _trans: TranslationBundle;
  private readonly _writer = newWriterId();
}

/**
 * Types of the run store.
 */
export namespace RunStore {
  export interface IOptions {
    /** The Contents API of the Jupyter server. */
    contents: Contents.IManager;
    /** Where runs are stored. */
    settings: IRunsSettings;
    /**
     * Pending writes and cached run lists in the browser; IndexedDB, or
     * memory where it is missing, by default.
     */
    local?: ILocalStore | Promise<ILocalStore>;
    translator?: ITranslator;
    /** Milliseconds from a run starting or ending to its write; 500. */
    debounce?: number;
    /** Least milliseconds between two writes of a running run; 3000. */
    runningInterval?: number;
    /** Milliseconds before retry `attempt` of a failed request. */
    retryDelay?: (attempt: number) => number;
    /** The clock, in epoch milliseconds. */
    now?: () => number;
    /**
     * The Jupyter server's identity (`serverIdentity`): the writes this
     * browser logged for other servers are left for them.
     */
    server?: string;
    /**
     * Milliseconds to wait before reading `store.json` back after giving the
     * store its id; 1000.
     */
    settle?: number;
    /**
     * Told about writes logged in this browser that are not sent: they are
     * for another server, or for a store the folder no longer holds. They
     * stay logged.
     */
    onHeld?: HeldWrites;
  }

  /**
   * Told about writes kept for another `server`, or another `store`.
   */
  export type HeldWrites = (
    writes: readonly PendingWrite[],
    why: 'server' | 'store'
  ) => void;

  /**
   * A file the store is about to write.
   */
  export interface IFileWrite {
    readonly path: string;
    readonly text: string;
    /** What this page changed of a file other pages write too. */
    readonly merge?: PendingMerge;
  }

  /**
   * The index head as a page read it.
   */
  export interface IHead {
    readonly rows: Map<string, StoreFormat.IndexRow>;
    /** Rows that cannot be read, by run id: why. */
    readonly broken: Map<string, string>;
    sessions: StoreFormat.SessionEntry[];
    /** Whether older rows were moved to segments. */
    sealed: boolean;
  }

  /**
   * What the store holds for one notebook in one store folder.
   */
  export interface INotebook {
    readonly path: string;
    readonly key: string;
    readonly layout: StoreLayout;
    readonly state: NotebookState;
    /** This page's writer id for the notebook: its packs' names start so. */
    writer: string;
    /** The pack this page writes, or null until the next change. */
    pack: PackBuilder | null;
    /** How many packs this page opened for the notebook. */
    packCount: number;
    /** What the notebook's packs held when first needed. */
    scan: Promise<PackScan> | null;
    /** The index head as last read. */
    head: IHead | null;
    /** Runs not in the index. */
    readonly missingRuns: Set<string>;
    /** Runs whose row cannot be read, with why: never rewritten. */
    readonly brokenRuns: Map<string, string>;
    timer: ReturnType<typeof setTimeout> | null;
    /** When the planned write is due, epoch milliseconds. */
    due: number;
    /** Resolves once the planned write is queued. */
    written: Promise<void>;
    onWritten: () => void;
    /** The index head this page wrote last. */
    index: StoreFormat.IndexFile | null;
    /**
     * The user's changes to the notebook's runs as this page last read or
     * made them; null until first needed.
     */
    annotations: Annotations | null;
    /** Resolves once the annotations file was read back after writes. */
    checking: Promise<void> | null;
    /** Whether the annotations file must be read back again. */
    recheck: boolean;
    /** The status of each run as the notebook's runs were last listed. */
    listed: Map<string, Runs.RunStatus> | null;
    lastWrite: number;
    warnings: number;
  }
}

/**
 * The entries of a map sorted by key.
 */
function sortById<T>(map: ReadonlyMap<string, T>): [string, T][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function fileWrite(path: string, content: object): RunStore.IFileWrite {
  return { path, text: JSON.stringify(content) };
}

/**
 * A new writer id: 8 random lowercase letters and digits.
 */
function newWriterId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, byte => alphabet[byte % alphabet.length]).join('');
}
