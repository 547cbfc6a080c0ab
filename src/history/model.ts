import { PathExt } from '@jupyterlab/coreutils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IActiveRuns, IRunsSettings, IRunStore, Runs } from '../tokens';

/**
 * State of the Runs sidebar: which notebook is active, whether tracking is
 * on, and the runs recorded for that notebook.
 *
 * #### Notes
 * The runs are read from the store only while the panel is visible; changes
 * made while it is hidden are caught up with when it is shown again.
 */
export class RunsPanelModel implements IDisposable {
  constructor(options: RunsPanelModel.IOptions) {
    this._settings = options.settings;
    this._notebooks = options.notebooks;
    this._store = options.store;
    this._activeRuns = options.activeRuns ?? null;
    this._settings.changed.connect(this._onSettingsChanged, this);
    this._notebooks.currentChanged.connect(this._onCurrentChanged, this);
    this._store.runsChanged.connect(this._onRunsChanged, this);
    this._activeRuns?.changed.connect(this._onActiveRunChanged, this);
    this._follow(this._notebooks.currentWidget);
  }

  /**
   * Emitted whenever anything the panel shows changes.
   */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
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
   * The runs recorded for the active notebook, newest first.
   */
  get runs(): readonly Runs.RunSummary[] {
    return this._list.runs;
  }

  /**
   * One line per stored item of the active notebook that could not be read.
   */
  get problems(): readonly string[] {
    return this._list.problems;
  }

  /**
   * Why the runs of the active notebook could not be read at all, or `null`.
   */
  get readError(): string | null {
    return this._readError;
  }

  /**
   * Whether the runs shown are being read for the first time: nothing is
   * known yet, so an empty list does not mean there are none.
   */
  get isLoading(): boolean {
    return this._loadedPath !== this.notebook?.path;
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
   * Whether the runs are shown. While they are not, the store is not read.
   */
  get isVisible(): boolean {
    return this._isVisible;
  }

  set isVisible(visible: boolean) {
    if (visible === this._isVisible) {
      return;
    }
    this._isVisible = visible;
    if (visible && this._isStale) {
      void this.refresh();
    }
  }

  /**
   * Read the active notebook's runs from the store again, if visible.
   */
  async refresh(): Promise<void> {
    const notebook = this.notebook;
    if (!this._isVisible) {
      this._isStale = true;
      return;
    }
    this._isStale = false;
    const request = ++this._request;
    if (!notebook) {
      this._readError = null;
      this._setList(null, EMPTY_LIST);
      return;
    }
    let list: Runs.RunList = EMPTY_LIST;
    let readError: string | null = null;
    try {
      list = await this._store.listRuns(notebook.path);
    } catch (reason) {
      readError = reason instanceof Error ? reason.message : String(reason);
    }
    // A newer request (another notebook, another change) answers instead.
    if (request === this._request && !this._isDisposed) {
      this._readError = readError;
      this._setList(notebook.path, list);
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
    this._follow(null);
    this._settings.changed.disconnect(this._onSettingsChanged, this);
    this._notebooks.currentChanged.disconnect(this._onCurrentChanged, this);
    this._store.runsChanged.disconnect(this._onRunsChanged, this);
    this._activeRuns?.changed.disconnect(this._onActiveRunChanged, this);
    Signal.clearData(this);
  }

  private _onCurrentChanged(
    _tracker: INotebookTracker,
    panel: NotebookPanel | null
  ): void {
    this._follow(panel);
    this._stateChanged.emit();
    void this.refresh();
  }

  private _onPathChanged(): void {
    this._stateChanged.emit();
    void this.refresh();
  }

  private _onRunsChanged(_: IRunStore, path: string): void {
    if (path === this.notebook?.path) {
      void this.refresh();
    }
  }

  private _onActiveRunChanged(_: IActiveRuns, path: string): void {
    if (path === this.notebook?.path) {
      this._stateChanged.emit();
    }
  }

  private _setList(path: string | null, list: Runs.RunList): void {
    this._loadedPath = path;
    this._list = list;
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
  private _isDisposed = false;
  private _isStale = true;
  private _isVisible = false;
  private _list: Runs.RunList = EMPTY_LIST;
  private _loadedPath: string | null = null;
  private readonly _notebooks: INotebookTracker;
  private _panel: NotebookPanel | null = null;
  private _readError: string | null = null;
  private _request = 0;
  private readonly _settings: IRunsSettings;
  private _stateChanged = new Signal<this, void>(this);
  private readonly _store: IRunStore;
}

const EMPTY_LIST: Runs.RunList = { runs: [], problems: [] };

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
     * Where the runs are read from.
     */
    store: IRunStore;

    /**
     * The runs active in the notebooks' kernels, to highlight them; without
     * it no run is highlighted.
     */
    activeRuns?: IActiveRuns | null;
  }

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
}
