import { PathExt } from '@jupyterlab/coreutils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IRunsSettings, Runs } from '../tokens';

/**
 * State of the Runs sidebar: which notebook is active, whether tracking is
 * on, and the runs recorded for that notebook.
 */
export class RunsPanelModel implements IDisposable {
  constructor(options: RunsPanelModel.IOptions) {
    this._settings = options.settings;
    this._notebooks = options.notebooks;
    this._settings.changed.connect(this._onSettingsChanged, this);
    this._notebooks.currentChanged.connect(this._onCurrentChanged, this);
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
   *
   * #### Notes
   * Always empty until run capture lands.
   */
  get runs(): readonly Runs.RunSummary[] {
    return this._runs;
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
    Signal.clearData(this);
  }

  private _onCurrentChanged(
    _tracker: INotebookTracker,
    panel: NotebookPanel | null
  ): void {
    this._follow(panel);
    this._stateChanged.emit();
  }

  private _onPathChanged(): void {
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

  private _isDisposed = false;
  private readonly _notebooks: INotebookTracker;
  private _panel: NotebookPanel | null = null;
  private readonly _runs: readonly Runs.RunSummary[] = [];
  private readonly _settings: IRunsSettings;
  private _stateChanged = new Signal<this, void>(this);
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
