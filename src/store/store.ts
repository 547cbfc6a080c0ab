import type { Contents } from '@jupyterlab/services';
import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { nullTranslator } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IRunsSettings, IRunStore, Runs } from '../tokens';
import { StoreDrive } from './drive';
import type { StoreFormat } from './format';
import { isValidId, parseStoreFile } from './format';
import { canonicalJSON, sha256Hex } from './hash';
import type { ILocalStore, PendingWrite } from './local';
import { deferredLocalStore, openLocalStore } from './local';
import { notebookKey, StoreLayout } from './paths';
import { defaultRetryDelay, WriteQueue } from './queue';
import type { NotebookState, RunState } from './reducer';
import {
  applyEnd,
  applyEvent,
  applyOutputs,
  applySnapshot,
  blobContentOf,
  createNotebookState,
  runStateFromFile,
  sessionStateFromFile,
  takeMetricSegment,
  toIndexRow,
  toRunFile,
  toSessionFile
} from './reducer';
import { RunListReader } from './reader';
import { mergeRows, sealOldRows } from './rows';
import { snapshotContent } from './snapshot';

/**
 * Points a run may hold in memory before they are written as a segment
 * without waiting for the next scheduled write.
 */
const MAX_PENDING_POINTS = 20000;

/**
 * How many ignored kernel events are reported in the console per notebook.
 */
const MAX_EVENT_WARNINGS = 10;

/**
 * The run store: turns kernel events, outputs and snapshots into store files
 * (docs/FORMAT.md) and lists the recorded runs, through the Contents API.
 *
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
      Promise.resolve(options.local ?? openLocalStore())
    );
    this._queue = new WriteQueue({
      target: this._drive,
      local: this._local,
      retryDelay: options.retryDelay,
      onLanded: path => this._runsChanged.emit(path),
      onOutage: reason => this._onOutage(reason)
    });
    this._layout = new StoreLayout(this._settings.config.storeFolder);
    this._reader = new RunListReader(path => this._read(path), this._trans);
    this._settings.changed.connect(this._onSettingsChanged, this);
    this._ready = this._adoptPending();
  }

  get runsChanged(): ISignal<this, string> {
    return this._runsChanged;
  }

  /**
   * Emitted with a message when writes start failing because the server
   * cannot be reached, and with null once they land again.
   */
  get serverProblem(): ISignal<this, string | null> {
    return this._serverProblem;
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
      if (!run || !Number.isInteger(outputs.exec)) {
        return;
      }
      const digest = await this._putBlob(notebook, outputs.outputs);
      applyOutputs(run, outputs.exec, digest, this._now());
      this._schedule(notebook, false);
    });
  }

  saveSnapshot(notebookPath: string, snapshot: Runs.NotebookSnapshot): void {
    this._task(notebookPath, async notebook => {
      const run = await this._runToChange(notebook, snapshot.run, 'snapshot');
      if (!run) {
        return;
      }
      const content = await snapshotContent(snapshot, data =>
        this._putBlob(notebook, data)
      );
      applySnapshot(run, content, this._now());
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
      if (run && applyEnd(run, status, this._now())) {
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
      await this._loadSession(notebook, session);
      const path = notebook.layout.sessionFile(notebook.key, session);
      const text = await this._readRetrying(path);
      const parsed =
        text === null ? null : parseStoreFile('session', text, this._trans);
      stored = parsed?.ok ? parsed.value.lastSeq : 0;
    });
    return stored;
  }

  /**
   * Resolves once everything added so far is written.
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
      const list = await this._reader.read(
        notebook.layout,
        notebook.key,
        notebookPath
      );
      void this._local.setRunList(cacheKey, list).catch(() => undefined);
      return list;
    } catch (reason) {
      const cached = await this._local.getRunList(cacheKey).catch(() => null);
      return {
        runs: cached?.runs ?? [],
        problems: [
          this._trans.__(
            'The Jupyter server cannot be reached (%1); showing the runs last read in this browser.',
            String(reason)
          ),
          ...(cached?.problems ?? [])
        ]
      };
    }
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
      this._queue.adopt(await this._local.adoptPending());
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
        missingRuns: new Set<string>(),
        brokenRuns: new Map<string, string>(),
        triedSessions: new Set<string>(),
        timer: null,
        due: 0,
        written: Promise.resolve(),
        onWritten: () => undefined,
        index: null,
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
      const broken = isValidId(event.run)
        ? notebook.brokenRuns.get(event.run)
        : undefined;
      if (broken !== undefined) {
        this._warnEvent(notebook, event, `names a run that ${broken}`);
        continue;
      }
      const applied = applyEvent(notebook.state, event, blobs);
      if (applied.kind === 'refused') {
        this._warnEvent(notebook, event, applied.reason);
      } else if (applied.kind === 'applied') {
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
   * Load what an event needs and store the blob it carries.
   */
  private async _prepare(
    notebook: RunStore.INotebook,
    event: Runs.KernelEvent
  ): Promise<Map<Runs.KernelEvent, string>> {
    const { state } = notebook;
    const blobs = new Map<Runs.KernelEvent, string>();
    if (event.kind === 'session' && isValidId(event.session)) {
      await this._loadSession(notebook, event.session);
      const known = state.sessions.get(event.session);
      if (known && event.seq <= known.lastSeq) {
        return blobs;
      }
    }
    if (isValidId(event.run)) {
      await this._loadRun(notebook, event.run);
      const run = state.runs.get(event.run);
      if (
        (run && event.seq <= run.lastSeq) ||
        notebook.brokenRuns.has(event.run)
      ) {
        return blobs;
      }
      if (event.kind === 'run_start' && state.currentSession !== null) {
        await this._loadSession(notebook, state.currentSession);
        const session = state.sessions.get(state.currentSession);
        for (const id of session?.runs ?? []) {
          await this._loadRun(notebook, id);
        }
      }
    }
    const content = blobContentOf(event);
    if (content?.kind === 'env') {
      blobs.set(event, await this._putEnv(notebook, content.data));
    } else if (content?.kind === 'blob') {
      blobs.set(event, await this._putBlob(notebook, content.data));
    }
    return blobs;
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
    await this._loadRun(notebook, runId);
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

  private async _loadRun(
    notebook: RunStore.INotebook,
    id: string
  ): Promise<void> {
    if (
      notebook.state.runs.has(id) ||
      notebook.missingRuns.has(id) ||
      notebook.brokenRuns.has(id)
    ) {
      return;
    }
    const path = notebook.layout.runFile(notebook.key, id);
    const text = await this._readRetrying(path);
    if (text === null) {
      notebook.missingRuns.add(id);
      return;
    }
    const parsed = parseStoreFile('run', text, this._trans);
    if (!parsed.ok) {
      // Never overwrite a file that cannot be read: it may be newer.
      notebook.brokenRuns.set(id, `cannot be read: ${path} ${parsed.problem}`);
    } else if (parsed.value.id !== id) {
      notebook.brokenRuns.set(
        id,
        `cannot be read: ${path} holds run "${parsed.value.id}"`
      );
    } else {
      notebook.state.runs.set(id, runStateFromFile(parsed.value));
    }
  }

  private async _loadSession(
    notebook: RunStore.INotebook,
    id: string
  ): Promise<void> {
    if (notebook.state.sessions.has(id) || notebook.triedSessions.has(id)) {
      return;
    }
    notebook.triedSessions.add(id);
    const path = notebook.layout.sessionFile(notebook.key, id);
    const text = await this._readRetrying(path);
    const parsed =
      text === null ? null : parseStoreFile('session', text, this._trans);
    if (parsed?.ok) {
      notebook.state.sessions.set(id, sessionStateFromFile(parsed.value));
    } else if (parsed) {
      console.warn(`jupyterlab-runs: ${path} ${parsed.problem}`);
    }
  }

  /**
   * Store a content-addressed blob (once) and return its digest.
   */
  private _putBlob(
    notebook: RunStore.INotebook,
    data: unknown
  ): Promise<string> {
    const text = canonicalJSON({
      format: 'jupyterlab-runs/blob',
      version: 1,
      data
    });
    return this._putOnce(notebook, text, digest =>
      notebook.layout.blob(digest)
    );
  }

  private _putEnv(
    notebook: RunStore.INotebook,
    env: Record<string, unknown>
  ): Promise<string> {
    const text = canonicalJSON({
      format: 'jupyterlab-runs/env',
      version: 1,
      env
    });
    return this._putOnce(notebook, text, digest => notebook.layout.env(digest));
  }

  private async _putOnce(
    notebook: RunStore.INotebook,
    text: string,
    pathOf: (digest: string) => string
  ): Promise<string> {
    const digest = await sha256Hex(text);
    const path = pathOf(digest);
    if (
      !this._knownFiles.has(path) &&
      (await this._ensureStoreFile(notebook.layout))
    ) {
      this._knownFiles.add(path);
      this._enqueue(notebook.layout, [{ path, text, once: true }]);
    }
    return digest;
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
   * those it refers to: snapshots and metric segments, then `run.json`,
   * then session files, then the index.
   */
  private async _write(notebook: RunStore.INotebook): Promise<void> {
    const { key, layout, state } = notebook;
    const writes: RunStore.IFileWrite[] = [];
    const rows: StoreFormat.IndexRow[] = [];
    for (const run of state.runs.values()) {
      if (!run.dirty && run.pendingPoints === 0) {
        continue;
      }
      for (const snapshot of run.pendingSnapshots.splice(0)) {
        writes.push(
          fileWrite(layout.snapshot(key, run.id, snapshot.snapshot), snapshot)
        );
      }
      const segment = takeMetricSegment(run);
      if (segment) {
        writes.push(
          fileWrite(layout.metricSegment(key, run.id, segment.segment), segment)
        );
      }
      writes.push(fileWrite(layout.runFile(key, run.id), toRunFile(run)));
      rows.push(toIndexRow(run));
      run.dirty = false;
      run.urgent = false;
    }
    for (const session of state.sessions.values()) {
      if (session.dirty) {
        writes.push(
          fileWrite(
            layout.sessionFile(key, session.id),
            toSessionFile(state.path, session)
          )
        );
        session.dirty = false;
      }
    }
    if (writes.length === 0) {
      return;
    }
    if (rows.length > 0) {
      writes.push(...(await this._indexWrites(notebook, rows)));
    }
    notebook.lastWrite = this._now();
    if (await this._ensureStoreFile(layout)) {
      this._enqueue(layout, writes, state.path);
    }
  }

  /**
   * The index files to write for changed rows: the head merged with what
   * the store holds now (another tab may have added runs), and a new
   * segment when the head grew too long.
   */
  private async _indexWrites(
    notebook: RunStore.INotebook,
    rows: readonly StoreFormat.IndexRow[]
  ): Promise<RunStore.IFileWrite[]> {
    const { key, layout, path } = notebook;
    const headPath = layout.indexFile(key);
    // While the server is away, the head this page last wrote will do: the
    // writes can then wait in the browser's log.
    const text = notebook.index
      ? await this._read(headPath).catch(() => undefined)
      : await this._readRetrying(headPath);
    let segments: StoreFormat.IndexSegmentRef[] = [];
    let stored: StoreFormat.IndexRow[] = [];
    if (text === undefined && notebook.index) {
      segments = [...notebook.index.segments];
      stored = [...notebook.index.runs];
    } else if (text) {
      const parsed = parseStoreFile('index', text, this._trans);
      if (parsed.ok) {
        segments = [...parsed.value.segments];
        // Rows that cannot be read are reported by `listRuns`.
        stored = this._reader.checkRows(headPath, parsed.value.runs, []);
      } else if (parsed.problem.includes('format version')) {
        console.warn(`jupyterlab-runs: ${headPath} ${parsed.problem}`);
        return [];
      } else {
        console.warn(
          `jupyterlab-runs: ${headPath} ${parsed.problem}; writing a new index.`
        );
      }
    }
    const { head, sealed } = sealOldRows(mergeRows(stored, rows));
    const writes: RunStore.IFileWrite[] = [];
    for (const runs of sealed) {
      const segment = segments.reduce(
        (next, ref) => Math.max(next, ref.segment + 1),
        0
      );
      const file: StoreFormat.IndexSegmentFile = {
        format: 'jupyterlab-runs/index-segment',
        version: 1,
        notebookPath: path,
        segment,
        runs
      };
      writes.push(fileWrite(layout.indexSegment(key, segment), file));
      segments = [{ segment, count: runs.length }, ...segments];
    }
    const index: StoreFormat.IndexFile = {
      format: 'jupyterlab-runs/index',
      version: 1,
      notebookPath: path,
      updatedAt: this._now(),
      segments,
      runs: head
    };
    writes.push(fileWrite(headPath, index));
    notebook.index = index;
    return writes;
  }

  /**
   * Make sure the store folder is a version 1 store, writing its
   * `store.json` the first time. Returns false, with one warning, for a
   * folder whose `store.json` is of another version or unreadable: nothing
   * is written there.
   */
  private _ensureStoreFile(layout: StoreLayout): Promise<boolean> {
    let checking = this._storeChecks.get(layout.folder);
    if (!checking) {
      checking = (async () => {
        const text = await this._readRetrying(layout.storeFile);
        if (text === null) {
          const file: StoreFormat.StoreFile = {
            format: 'jupyterlab-runs/store',
            version: 1,
            createdAt: this._now()
          };
          this._enqueue(layout, [fileWrite(layout.storeFile, file)]);
          return true;
        }
        const parsed = parseStoreFile('store', text, this._trans);
        if (!parsed.ok) {
          console.warn(
            `jupyterlab-runs: not recording runs: ${layout.storeFile} ${parsed.problem}.`
          );
        }
        return parsed.ok;
      })();
      this._storeChecks.set(layout.folder, checking);
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
        once: write.once,
        notify: index === writes.length - 1 ? notify : null
      }))
    );
  }

  /**
   * A file as the store will hold it: the newest pending write, or the
   * server's copy (null when missing). Retries while the server is away.
   */
  private async _readRetrying(path: string): Promise<string | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        const text = await this._read(path);
        this._onOutage(null);
        return text;
      } catch (reason) {
        if (this._isDisposed) {
          throw reason;
        }
        this._onOutage(reason);
        await new Promise(resolve =>
          setTimeout(resolve, (this._retryDelay ?? defaultRetryDelay)(attempt))
        );
      }
    }
  }

  private async _read(path: string): Promise<string | null> {
    const pending = this._queue.pending(path);
    return pending !== undefined ? pending : this._drive.read(path);
  }

  private _warnEvent(
    notebook: RunStore.INotebook,
    event: Runs.KernelEvent,
    reason: string
  ): void {
    notebook.warnings += 1;
    if (notebook.warnings <= MAX_EVENT_WARNINGS) {
      console.warn(
        `jupyterlab-runs: ignored kernel event ${event.seq} (${String(event.kind)}) of "${notebook.path}": it ${reason}.`
      );
    }
  }

  /**
   * Tell once that the server cannot be reached (`reason`), and once that
   * it can again (null).
   */
  private _onOutage(reason: unknown): void {
    if ((reason !== null) === this._outage) {
      return;
    }
    this._outage = reason !== null;
    if (reason === null) {
      console.info('jupyterlab-runs: the server is back; writing runs again.');
      this._serverProblem.emit(null);
      return;
    }
    const message = this._trans.__(
      'Runs cannot be saved: the Jupyter server cannot be reached (%1). They are kept in this browser and saved when it is back.',
      reason instanceof Error ? reason.message : String(reason)
    );
    console.warn(`jupyterlab-runs: ${message}`);
    this._serverProblem.emit(message);
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
  private readonly _knownFiles = new Set<string>();
  private _layout: StoreLayout;
  private readonly _local: ILocalStore;
  private readonly _notebooks = new Map<string, Promise<RunStore.INotebook>>();
  private readonly _now: () => number;
  private _outage = false;
  private readonly _queue: WriteQueue;
  private readonly _reader: RunListReader;
  private readonly _ready: Promise<void>;
  private readonly _retryDelay: ((attempt: number) => number) | undefined;
  private readonly _runningInterval: number;
  private _runsChanged = new Signal<this, string>(this);
  private _serverProblem = new Signal<this, string | null>(this);
  private readonly _settings: IRunsSettings;
  private readonly _storeChecks = new Map<string, Promise<boolean>>();
  private readonly _tasks = new Set<Promise<void>>();
  private readonly _trans: TranslationBundle;
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
  }

  /**
   * A file the store is about to write.
   */
  export interface IFileWrite {
    readonly path: string;
    readonly text: string;
    readonly once: boolean;
  }

  /**
   * What the store holds for one notebook in one store folder.
   */
  export interface INotebook {
    readonly path: string;
    readonly key: string;
    readonly layout: StoreLayout;
    readonly state: NotebookState;
    /** Runs with no `run.json`. */
    readonly missingRuns: Set<string>;
    /** Runs whose `run.json` cannot be read, with why: never overwritten. */
    readonly brokenRuns: Map<string, string>;
    readonly triedSessions: Set<string>;
    timer: ReturnType<typeof setTimeout> | null;
    /** When the planned write is due, epoch milliseconds. */
    due: number;
    /** Resolves once the planned write is queued. */
    written: Promise<void>;
    onWritten: () => void;
    /** The index head this page wrote last. */
    index: StoreFormat.IndexFile | null;
    lastWrite: number;
    warnings: number;
  }
}

function fileWrite(path: string, content: object): RunStore.IFileWrite {
  return { path, text: JSON.stringify(content), once: false };
}
