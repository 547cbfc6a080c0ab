import { PathExt } from '@jupyterlab/coreutils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IActiveRuns, IRunsSettings, IRunStore, Runs } from '../tokens';
import { isServerUnreachable } from '../store/unreachable';
import type { KnownFields, Query, QueryError } from './query';
import { compileQuery, knownFields, parseQuery } from './query';
import { PendingDeletions } from './deletion';
import type { RunRow, Sort, SortColumn } from './rows';
import { RunSelection } from './selection';
import {
  DEFAULT_SORT,
  deriveRows,
  nextSort,
  primaryMetrics,
  visibleRows
} from './rows';

/**
 * State of the Runs sidebar: which notebook is active, whether tracking is
 * on, the runs recorded for that notebook (or for all of them), and how the
 * table shows them: sort, filter, archived runs, selection, metric columns.
 *
 * #### Notes
 * The runs are read from the store only while the panel is visible; changes
 * made while it is hidden are caught up with when it is shown again. One
 * timer, also only while visible, ages the relative start times every minute
 * and the duration of running runs every second. When the server cannot be
 * reached, the runs this browser last read stay shown, marked `offline`,
 * and the store is asked again every few seconds while visible. The store's
 * health is followed too: writes that cannot reach the server mark the
 * panel offline at once, even while nothing is read; writes the server
 * refuses are said on a line of their own (`refused`). So are the Lab's
 * own requests that find no server (`connectionFailure`): an idle page
 * learns that the server went away without waiting for a read of its own.
 */
export class RunsPanelModel implements IDisposable {
  constructor(options: RunsPanelModel.IOptions) {
    this._settings = options.settings;
    this._notebooks = options.notebooks;
    this._store = options.store;
    this._deletions = new PendingDeletions({
      store: this._store,
      onChange: () => this._invalidate(true)
    });
    this._activeRuns = options.activeRuns ?? null;
    this._metricChoices = options.metricChoices ?? null;
    this._trans = options.trans;
    this._clock = options.clock ?? Date.now;
    this._now = this._clock();
    this._settings.changed.connect(this._onSettingsChanged, this);
    this._notebooks.currentChanged.connect(this._onCurrentChanged, this);
    this._store.runsChanged.connect(this._onRunsChanged, this);
    this._store.healthChanged.connect(this._onHealthChanged, this);
    this._activeRuns?.changed.connect(this._onActiveRunChanged, this);
    this._metricChoices?.changed.connect(this._onChoicesChanged, this);
    this._connectionFailure = options.connectionFailure ?? null;
    this._connectionFailure?.connect(this._onConnectionFailure, this);
    this._writes = this._store.health.writes;
    this._follow(this._notebooks.currentWidget);
  }

  /**
   * Emitted whenever anything the panel shows changes.
   */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /**
   * Emitted with a run the user asked to open (Enter, a double click).
   */
  get runOpened(): ISignal<this, Runs.RunSummary> {
    return this._runOpened;
  }

  /**
   * Open a run: the plugin shows it in the main area.
   */
  open(run: Runs.RunSummary): void {
    this._runOpened.emit(run);
  }

  /**
   * The active notebook, or `null` when no notebook is open.
   */
  get notebook(): RunsPanelModel.NotebookInfo | null {
    if (!this._panel) {
      return null;
    }
    const path = this._panel.context.path;
    return { path, name: PathExt.basename(path) };
  }

  /**
   * Whether notebook runs are being recorded.
   */
  get trackingEnabled(): boolean {
    return this._settings.config.trackingEnabled;
  }

  /**
   * Whether the runs of every notebook the store holds are shown, rather
   * than those of the active notebook.
   */
  get allNotebooks(): boolean {
    return this._allNotebooks;
  }

  set allNotebooks(all: boolean) {
    if (all === this._allNotebooks) {
      return;
    }
    this._allNotebooks = all;
    this._stateChanged.emit();
    void this.refresh();
  }

  /**
   * The runs read, as the store gives them: newest first per notebook.
   */
  get runs(): readonly Runs.RunSummary[] {
    if (this._runs === null) {
      const lists = [...this._lists.values()];
      const runs =
        lists.length === 1
          ? lists[0].runs
          : ([] as Runs.RunSummary[]).concat(...lists.map(list => list.runs));
      // Runs deleted but still undoable are gone for the user.
      this._runs = !this._deletions.hidesAny
        ? runs
        : runs.filter(run => !this._deletions.has(RunsPanelModel.rowKey(run)));
    }
    return this._runs;
  }

  /**
   * One line per stored item that could not be read.
   */
  get problems(): readonly string[] {
    const lists = [...this._lists.values()];
    return ([] as string[]).concat(...lists.map(list => list.problems));
  }

  /**
   * Why the runs could not be read at all, or `null`. A server that cannot
   * be reached is not a read error: see `offline`.
   */
  get readError(): string | null {
    return this._readError;
  }

  /**
   * Set while the server cannot be reached, for reading the runs or for
   * writing them: the runs shown are those this browser last read; `null`
   * once the server answers again and writes land.
   */
  get offline(): RunsPanelModel.Offline | null {
    if (this._offline !== null) {
      return this._offline;
    }
    const health = this._store.health;
    if (health.writes !== 'offline') {
      return null;
    }
    if (
      this._writesOffline === null ||
      this._writesOffline.reason !== (health.reason ?? '')
    ) {
      this._writesOffline = {
        reason: health.reason ?? '',
        readAt: this._oldestRead(this._lists.keys())
      };
    }
    return this._writesOffline;
  }

  /**
   * Set while the server answers writes with an error (a read-only store
   * folder, a full disk): saving is paused and writes wait in this
   * browser. `null` otherwise.
   */
  get refused(): RunsPanelModel.Refused | null {
    const health = this._store.health;
    if (health.writes !== 'refused') {
      return null;
    }
    if (
      this._refused === null ||
      this._refused.path !== health.path ||
      this._refused.reason !== health.reason
    ) {
      this._refused = {
        path: health.path ?? this._settings.config.storeFolder,
        reason: health.reason ?? '',
        since: health.since
      };
    }
    return this._refused;
  }

  /**
   * Why writes waiting for the server would not survive a reload (this
   * browser's storage cannot be used), or `null`.
   */
  get localProblem(): string | null {
    return this._store.health.localProblem;
  }

  /**
   * Try the writes waiting for the server now.
   */
  retryNow(): void {
    this._store.retryNow();
  }

  /**
   * Whether the runs shown are being read for the first time: nothing is
   * known yet, so an empty list does not mean there are none.
   */
  get isLoading(): boolean {
    return this._loadedKey !== this._key();
  }

  /**
   * The id of the run active in the notebook's kernel, or `null`.
   */
  get activeRunId(): string | null {
    const notebook = this.notebook;
    if (!notebook || !this._activeRuns) {
      return null;
    }
    const run = this._activeRuns.get(notebook.path);
    return run?.status === 'running' ? run.id : null;
  }

  /**
   * The present the relative times and live durations are measured from,
   * in epoch milliseconds; moves on while the panel is visible.
   */
  get now(): number {
    return this._now;
  }

  /**
   * The filter query as the user typed it.
   */
  get queryText(): string {
    return this._queryText;
  }

  set queryText(text: string) {
    if (text === this._queryText) {
      return;
    }
    this._queryText = text;
    this._readQuery();
    this._invalidate(false);
  }

  /**
   * Read the query against the names the runs at hand record. A query that
   * cannot be read filters out every run: the table says why instead of
   * showing a result that is not the query's.
   */
  private _readQuery(): void {
    const runs = this.runs;
    const result = parseQuery(
      this._queryText,
      this._trans,
      // Before any run is read, every name is unknown: nothing to check.
      runs.length > 0 ? (this._known ??= knownFields(runs)) : undefined
    );
    this._query = result.ok ? result.query : null;
    this._queryError = result.ok ? null : result.error;
  }

  /**
   * Why the query cannot be read, or `null`; `start` and `end` are offsets
   * in `queryText`.
   */
  get queryError(): QueryError | null {
    return this._queryError;
  }

  /**
   * The order of the table.
   */
  get sort(): Sort {
    return this._sort;
  }

  set sort(sort: Sort) {
    this._sort = sort;
    this._invalidate(false);
  }

  /**
   * Sort by a column: the other way round if it is already the sort column.
   */
  sortBy(column: SortColumn): void {
    this.sort = nextSort(this._sort, column);
  }

  /**
   * Whether archived runs are shown.
   */
  get showArchived(): boolean {
    return this._showArchived;
  }

  set showArchived(show: boolean) {
    if (show === this._showArchived) {
      return;
    }
    this._showArchived = show;
    this._invalidate(false);
  }

  /**
   * The metrics shown as columns: those chosen for the notebook, else the
   * first ones logged.
   */
  get primaryMetrics(): readonly string[] {
    if (this._metrics === null) {
      const key = this._choiceKey();
      const chosen =
        key !== null ? (this._metricChoices?.get(key) ?? null) : null;
      this._metrics = primaryMetrics(this.runs, chosen);
    }
    return this._metrics;
  }

  /**
   * Whether the metric columns can be chosen: there is a notebook (or all
   * notebooks) to keep the choice for, and a place to keep it.
   */
  get canChooseMetrics(): boolean {
    return this._metricChoices !== null && this._choiceKey() !== null;
  }

  /**
   * Choose the metrics shown as columns for the notebook shown (or for all
   * notebooks together); an empty list goes back to the default.
   */
  async choosePrimaryMetrics(names: readonly string[]): Promise<void> {
    const key = this._choiceKey();
    if (key === null || !this._metricChoices) {
      return;
    }
    await this._metricChoices.set(key, names);
  }

  /**
   * The rows of the table, in order: derived, filtered, sorted, pinned first.
   */
  get rows(): readonly RunRow[] {
    if (this._derived === null) {
      this._derived = deriveRows(this.runs, this._now);
    }
    if (this._visible === null) {
      if (this._queryError !== null) {
        this._visible = [];
        return this._visible;
      }
      this._visible = visibleRows(this._derived, {
        sort: this._sort,
        predicate: this._query
          ? compileQuery(this._query, { now: this._now })
          : null,
        showArchived: this._showArchived
      });
    }
    return this._visible;
  }

  /**
   * The key of the focused row (see `RunsPanelModel.rowKey`), or `null`:
   * the row the keyboard is on, and the one single-run actions act on.
   */
  get selectedKey(): string | null {
    return this._selection.focused;
  }

  /**
   * The run single-run actions act on: the focused run if it is selected,
   * else the only selected run; `null` when there is none, or when several
   * runs are selected and the focus is on none of them.
   */
  get selectedRun(): Runs.RunSummary | null {
    const index = this.selectedIndex;
    if (index >= 0 && this._selection.has(this._keyAt(index))) {
      return this.rows[index].run;
    }
    const selected = this.selectedRuns;
    return selected.length === 1 ? selected[0] : null;
  }

  /**
   * The index of the focused row in `rows`, or -1.
   */
  get selectedIndex(): number {
    const key = this._selection.focused;
    if (key === null) {
      return -1;
    }
    return this.rows.findIndex(row => RunsPanelModel.rowKey(row.run) === key);
  }

  /**
   * Select a run by its row key, focused, or nothing; the other selected
   * runs are let go.
   */
  select(key: string | null): void {
    if (this._selection.select(key)) {
      this._stateChanged.emit();
    }
  }

  /**
   * Whether the run of a row key is selected (one of several, maybe).
   */
  isSelected(key: string): boolean {
    return this._selection.has(key);
  }

  /**
   * Add a run to the selection, or take it out, and focus it
   * (Ctrl/Cmd-click).
   */
  toggleSelected(key: string): void {
    this._selection.toggle(key);
    this._stateChanged.emit();
  }

  /**
   * Add the focused run to the selection, or take it out (Ctrl/Cmd+Space);
   * from no focus, select the first row.
   */
  toggleFocused(): void {
    const key = this._selection.focused;
    if (key === null || this.selectedIndex < 0) {
      this.moveSelection(0);
      return;
    }
    this.toggleSelected(key);
  }

  /**
   * Select the rows from the anchor (the row last clicked or toggled) to
   * `key`, and focus `key` (Shift-click).
   */
  selectRange(key: string): void {
    this._selection.extendTo(key, this._rowKeys());
    this._stateChanged.emit();
  }

  /**
   * Select every row shown (Ctrl/Cmd+A).
   */
  selectAll(): void {
    this._selection.selectAll(this._rowKeys());
    this._stateChanged.emit();
  }

  /**
   * The selected runs shown in the table, in its order.
   */
  get selectedRuns(): Runs.RunSummary[] {
    return this.rows
      .filter(row => this._selection.has(RunsPanelModel.rowKey(row.run)))
      .map(row => row.run);
  }

  /**
   * Move the focus by `delta` rows, staying within the table; from no
   * focus, a move goes to the first row. `select` (arrow keys) selects the
   * row reached alone, `extend` (Shift+Arrow) selects from the anchor to
   * it, `focus` (Ctrl/Cmd+Arrow) keeps the selection.
   */
  moveSelection(delta: number, mode: RunSelection.MoveMode = 'select'): void {
    const keys = this._rowKeys();
    if (keys.length === 0) {
      return;
    }
    this._selection.move(delta, mode, keys);
    this._stateChanged.emit();
  }

  /**
   * Change a run in the store: rename, note, tags, pin, archive. The store
   * says when it is done, and the table reads the runs again.
   */
  updateRun(run: Runs.RunSummary, change: Runs.RunChange): Promise<void> {
    return this._store.updateRun(run.notebookPath, run.id, change);
  }

  /**
   * Delete runs, undoably: they leave the table at once and the store
   * deletes them after `undoFor` milliseconds, unless `undo()` is called
   * first (see `PendingDeletions`). The selection lets them go.
   */
  deleteRuns(
    runs: readonly Runs.RunSummary[],
    undoFor: number = RunsPanelModel.UNDO_DELETE_FOR
  ): PendingDeletions.IDeletion {
    const keys = this._rowKeys();
    this._selection.forget(new Set(runs.map(RunsPanelModel.rowKey)), keys);
    return this._deletions.add(runs, RunsPanelModel.rowKey, undoFor);
  }

  /**
   * Whether runs wait to be deleted (their time to undo is not over).
   */
  get hasPendingDeletions(): boolean {
    return this._deletions.size > 0;
  }

  /**
   * Delete what waits to be deleted now, without waiting for the time to
   * undo.
   */
  flushDeletions(): Promise<void> {
    return this._deletions.flush();
  }

  /**
   * The keys of the rows shown, in order.
   */
  private _rowKeys(): string[] {
    return this.rows.map(row => RunsPanelModel.rowKey(row.run));
  }

  private _keyAt(index: number): string {
    return RunsPanelModel.rowKey(this.rows[index].run);
  }

  /**
   * Whether the runs are shown. While they are not, the store is not read
   * and the clock does not tick.
   */
  get isVisible(): boolean {
    return this._isVisible;
  }

  set isVisible(visible: boolean) {
    if (visible === this._isVisible) {
      return;
    }
    this._isVisible = visible;
    if (visible) {
      this._tick();
      if (this._isStale) {
        void this.refresh();
      }
    } else {
      this._stopClock();
      if (this._offline !== null) {
        // Asked again when the runs are seen again, not meanwhile.
        this._stopRetry();
        this._isStale = true;
      }
    }
  }

  /**
   * Read the runs shown from the store again, if visible.
   */
  async refresh(): Promise<void> {
    if (!this._isVisible) {
      this._isStale = true;
      return;
    }
    this._isStale = false;
    this._stopRetry();
    const request = ++this._request;
    const key = this._key();
    if (!this._allNotebooks && key !== null && this._loadedKey !== key) {
      void this._showCached(key, request);
    }
    const lists = new Map<string, Runs.RunList>();
    let failure: { reason: unknown } | null = null;
    try {
      const paths = this._allNotebooks
        ? await this._store.listNotebooks()
        : key !== null
          ? [key]
          : [];
      const read = await Promise.all(
        paths.map(path => this._store.listRuns(path))
      );
      paths.forEach((path, i) => lists.set(path, read[i]));
    } catch (reason) {
      failure = { reason };
    }
    // A newer request (another notebook, another change) answers instead.
    if (request !== this._request || this._isDisposed) {
      return;
    }
    // The store answers with this browser's copy when the server cannot be
    // reached for one notebook, and says so.
    const offline = [...lists.values()].find(list => list.offline)?.offline;
    if (failure !== null && isServerUnreachable(failure.reason)) {
      await this._showOffline(key, request, failure.reason);
      return;
    }
    if (failure === null && offline !== undefined) {
      await this._showOffline(key, request, offline, lists);
      return;
    }
    const readAt = this._clock();
    for (const path of lists.keys()) {
      this._readAt.set(path, readAt);
    }
    if (this._allNotebooks && failure === null) {
      this._knownNotebooks = [...lists.keys()];
    }
    if (failure === null && this._store.health.writes === 'offline') {
      // The server answers: the writes waiting for it need not wait for
      // the end of their pause between attempts.
      this._store.retryNow();
    }
    this._offline = null;
    this._readError = failure === null ? null : messageOf(failure.reason);
    this._loadedKey = key;
    this._lists = lists;
    this._invalidate(true);
  }

  /**
   * Show the runs this browser last read for a notebook while the server is
   * asked, unless its answer came first.
   */
  private async _showCached(key: string, request: number): Promise<void> {
    const cached = await this._store.cachedRuns(key).catch(() => null);
    if (
      cached &&
      request === this._request &&
      this._loadedKey !== key &&
      !this._isDisposed
    ) {
      this._loadedKey = key;
      this._lists = new Map([[key, cached]]);
      this._invalidate(true);
    }
  }

  /**
   * Keep showing what was read while the server cannot be reached: the
   * runs shown, if they are those asked for, else the copies this browser
   * kept (for all notebooks: of the notebooks listed last, or shown last),
   * or those `kept` the store gave. Ask again after a while.
   */
  private async _showOffline(
    key: string | null,
    request: number,
    reason: unknown,
    kept?: Map<string, Runs.RunList>
  ): Promise<void> {
    let lists = this._lists;
    if (this._loadedKey !== key && kept) {
      lists = kept;
    } else if (this._loadedKey !== key) {
      const paths =
        key === null
          ? []
          : this._allNotebooks
            ? [...new Set([...this._knownNotebooks, ...this._lists.keys()])]
            : [key];
      const cached = await Promise.all(
        paths.map(path => this._store.cachedRuns(path).catch(() => null))
      );
      if (request !== this._request || this._isDisposed) {
        return;
      }
      lists = new Map();
      paths.forEach((path, i) => {
        const list = cached[i];
        if (list) {
          lists.set(path, list);
        }
      });
    }
    const offline: RunsPanelModel.Offline = {
      reason: messageOf(reason),
      readAt: this._oldestRead(lists.keys())
    };
    const runsChanged = lists !== this._lists || this._loadedKey !== key;
    const stateChanged =
      runsChanged ||
      this._readError !== null ||
      this._offline?.reason !== offline.reason ||
      this._offline?.readAt !== offline.readAt;
    this._offline = offline;
    this._readError = null;
    this._loadedKey = key;
    this._lists = lists;
    // A retry that fails again changes nothing: the table and its chart are
    // not drawn again every few seconds.
    if (runsChanged) {
      this._invalidate(true);
    } else if (stateChanged) {
      this._stateChanged.emit();
    }
    if (!this._isVisible) {
      this._isStale = true;
      return;
    }
    this._stopRetry();
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null;
      void this.refresh();
    }, OFFLINE_RETRY);
  }

  /**
   * When the oldest of these notebooks' runs were read from the server by
   * this page, or `null` when one of them was not (a copy kept from an
   * earlier visit).
   */
  private _oldestRead(paths: Iterable<string>): number | null {
    let oldest: number | null = null;
    for (const path of paths) {
      const readAt = this._readAt.get(path);
      if (readAt === undefined) {
        return null;
      }
      oldest = oldest === null ? readAt : Math.min(oldest, readAt);
    }
    return oldest;
  }

  private _stopRetry(): void {
    if (this._retryTimer !== null) {
      clearTimeout(this._retryTimer);
      this._retryTimer = null;
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
    // What waits to be deleted is deleted: the undo went with the panel.
    void this._deletions.flush();
    this._stopClock();
    this._stopRetry();
    this._follow(null);
    this._settings.changed.disconnect(this._onSettingsChanged, this);
    this._notebooks.currentChanged.disconnect(this._onCurrentChanged, this);
    this._store.runsChanged.disconnect(this._onRunsChanged, this);
    this._store.healthChanged.disconnect(this._onHealthChanged, this);
    this._activeRuns?.changed.disconnect(this._onActiveRunChanged, this);
    this._metricChoices?.changed.disconnect(this._onChoicesChanged, this);
    this._connectionFailure?.disconnect(this._onConnectionFailure, this);
    Signal.clearData(this);
  }

  /**
   * What is read: the active notebook's path, the all-notebooks marker, or
   * `null` for nothing.
   */
  private _key(): string | null {
    return this._allNotebooks ? ALL_NOTEBOOKS : (this.notebook?.path ?? null);
  }

  /**
   * Where the metric choice is kept: per notebook, and one for all notebooks.
   */
  private _choiceKey(): string | null {
    return this._allNotebooks ? '' : (this.notebook?.path ?? null);
  }

  /**
   * Forget what is derived from the runs (all of it when the runs or the
   * clock changed, only the filtered and sorted rows otherwise) and say so.
   */
  private _invalidate(runsChanged: boolean): void {
    if (runsChanged) {
      this._runs = null;
      this._derived = null;
      this._metrics = null;
      this._known = null;
      if (this._queryText) {
        // The names it may use are those of the runs now at hand.
        this._readQuery();
      }
    }
    this._visible = null;
    this._stateChanged.emit();
    if (runsChanged && this._isVisible) {
      // Running runs tick every second, the others every minute.
      this._tick();
    }
  }

  /**
   * Move the clock on and schedule the next tick.
   */
  private _tick(): void {
    this._stopClock();
    const now = this._clock();
    if (now !== this._now) {
      this._now = now;
      this._derived = null;
      this._visible = null;
      this._stateChanged.emit();
    }
    const running = this.runs.some(run => run.status === 'running');
    this._timer = setTimeout(() => this._tick(), running ? LIVE_TICK : MINUTE);
  }

  private _stopClock(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _onCurrentChanged(
    _tracker: INotebookTracker,
    panel: NotebookPanel | null
  ): void {
    this._follow(panel);
    this._metrics = null;
    this._stateChanged.emit();
    if (!this._allNotebooks) {
      void this.refresh();
    }
  }

  private _onPathChanged(): void {
    this._metrics = null;
    this._stateChanged.emit();
    if (!this._allNotebooks) {
      void this.refresh();
    }
  }

  private _onRunsChanged(_: IRunStore, path: string): void {
    if (this._allNotebooks || path === this.notebook?.path) {
      void this.refresh();
    }
  }

  /**
   * Follow whether writes land: offline or refused shows at once, and the
   * runs are read again (offline: to ask the server every few seconds;
   * saving again: what was waiting has landed).
   */
  private _onHealthChanged(_: IRunStore, health: Runs.StoreHealth): void {
    const writes = health.writes;
    const before = this._writes;
    this._writes = writes;
    if (writes !== 'offline') {
      this._writesOffline = null;
    }
    this._stateChanged.emit();
    if (
      writes !== before &&
      (writes === 'saving' || (writes === 'offline' && this._offline === null))
    ) {
      void this.refresh();
    }
  }

  /**
   * A request of the Lab found no server: say so at once, keeping the runs
   * shown, and ask the store again every few seconds.
   */
  private _onConnectionFailure(_: unknown, error: Error): void {
    if (this._offline !== null || this._isDisposed) {
      return;
    }
    void this._showOffline(this._key(), this._request, error);
  }

  private _onActiveRunChanged(_: IActiveRuns, path: string): void {
    if (path === this.notebook?.path) {
      this._stateChanged.emit();
    }
  }

  private _onChoicesChanged(): void {
    this._metrics = null;
    this._stateChanged.emit();
  }

  private _onSettingsChanged(): void {
    this._stateChanged.emit();
  }

  /**
   * Watch the given notebook for renames, and stop watching the previous one.
   */
  private _follow(panel: NotebookPanel | null): void {
    this._panel?.context.pathChanged.disconnect(this._onPathChanged, this);
    this._panel = panel;
    this._panel?.context.pathChanged.connect(this._onPathChanged, this);
  }

  private readonly _activeRuns: IActiveRuns | null;
  private _allNotebooks = false;
  private readonly _clock: () => number;
  private readonly _connectionFailure: ISignal<unknown, Error> | null;
  private _derived: RunRow[] | null = null;
  private _isDisposed = false;
  private _isStale = true;
  private _isVisible = false;
  private _knownNotebooks: string[] = [];
  private _lists = new Map<string, Runs.RunList>();
  private _loadedKey: string | null = null;
  private readonly _metricChoices: RunsPanelModel.IMetricChoices | null;
  private _metrics: string[] | null = null;
  private readonly _notebooks: INotebookTracker;
  private _now: number;
  private _offline: RunsPanelModel.Offline | null = null;
  private _panel: NotebookPanel | null = null;
  private _query: Query | null = null;
  private _queryError: QueryError | null = null;
  /** The names the runs record, read once per list of runs. */
  private _known: KnownFields | null = null;
  private _queryText = '';
  private _readAt = new Map<string, number>();
  private _readError: string | null = null;
  private _refused: RunsPanelModel.Refused | null = null;
  private _request = 0;
  private _retryTimer: ReturnType<typeof setTimeout> | null = null;
  private _runs: readonly Runs.RunSummary[] | null = null;
  private readonly _selection = new RunSelection();
  private readonly _deletions: PendingDeletions;
  private readonly _settings: IRunsSettings;
  private _showArchived = false;
  private _sort: Sort = DEFAULT_SORT;
  private _stateChanged = new Signal<this, void>(this);
  private _runOpened = new Signal<this, Runs.RunSummary>(this);
  private readonly _store: IRunStore;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private readonly _trans: TranslationBundle | undefined;
  private _visible: RunRow[] | null = null;
  private _writes: Runs.StoreHealth['writes'];
  private _writesOffline: RunsPanelModel.Offline | null = null;
}

/**
 * The key the runs of all notebooks are read under: not a path.
 */
const ALL_NOTEBOOKS = '\0all';

const MINUTE = 60_000;

/**
 * How often the durations of running runs move on.
 */
const LIVE_TICK = 1_000;

/**
 * How long after failing to reach the server the runs are asked for again.
 */
const OFFLINE_RETRY = 5_000;

/**
 * The message of a failure, to show.
 */
function messageOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/**
 * Types of the Runs panel model.
 */
export namespace RunsPanelModel {
  export interface IOptions {
    /**
     * The settings service, to show whether tracking is on.
     */
    settings: IRunsSettings;

    /**
     * The notebook tracker, to follow the active notebook.
     */
    notebooks: INotebookTracker;

    /**
     * Where the runs are read from and changed.
     */
    store: IRunStore;

    /**
     * The runs active in the notebooks' kernels, to highlight them; without
     * it no run is highlighted.
     */
    activeRuns?: IActiveRuns | null;

    /**
     * Where the metrics chosen as columns are kept; without it the first
     * metrics logged are shown and cannot be changed.
     */
    metricChoices?: IMetricChoices | null;

    /**
     * Emitted when a request to the Jupyter server fails for want of an
     * answer (the service manager's `connectionFailure`): the panel says at
     * once that it is offline.
     */
    connectionFailure?: ISignal<unknown, Error> | null;

    /**
     * Translates the messages of queries that cannot be read.
     */
    trans?: TranslationBundle;

    /**
     * The present in epoch milliseconds; `Date.now` by default.
     */
    clock?: () => number;
  }

  /**
   * The metrics chosen as columns, per notebook path (`''` for all notebooks).
   */
  export interface IMetricChoices {
    /**
     * The names chosen, or `null` for the default.
     */
    get(key: string): readonly string[] | null;

    /**
     * Keep a choice; an empty list forgets it.
     */
    set(key: string, names: readonly string[]): Promise<void>;

    /**
     * Emitted when a choice changed.
     */
    readonly changed: ISignal<IMetricChoices, void>;
  }

  /**
   * The runs shown while the server cannot be reached.
   */
  export type Offline = {
    /**
     * Why: the network failure, as the browser gave it.
     */
    readonly reason: string;

    /**
     * When the runs shown were read from the server (epoch milliseconds),
     * or `null` when not by this page: they were kept from an earlier one.
     */
    readonly readAt: number | null;
  };

  /**
   * Writes the server answers with an error: saving is paused.
   */
  export type Refused = {
    /**
     * The store file whose write was refused (the store folder when not
     * known).
     */
    readonly path: string;

    /**
     * Why, in the server's words.
     */
    readonly reason: string;

    /**
     * Since when writes do not land (epoch milliseconds), or `null`.
     */
    readonly since: number | null;
  };

  /**
   * The notebook the panel shows runs for.
   */
  export type NotebookInfo = {
    /**
     * Path relative to the server root.
     */
    readonly path: string;

    /**
     * File name shown to the user.
     */
    readonly name: string;
  };

  /**
   * How long a deletion can be undone, in milliseconds.
   */
  export const UNDO_DELETE_FOR = 10_000;

  /**
   * What identifies a row across notebooks.
   */
  export function rowKey(run: Runs.RunSummary): string {
    return `${run.notebookPath}\n${run.id}`;
  }
}
