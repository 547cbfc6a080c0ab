import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IActiveRuns, IRunsSettings, IRunStore, Runs } from '../tokens';
import type { FrontendRecorder } from './frontend';
import type { ActiveRunModel } from './model';
import { NotebookCapture } from './notebook';

/**
 * The capture of every open notebook, created on first need and disposed
 * with its notebook; answers which run is active in each.
 */
export class CaptureRegistry implements IActiveRuns, IDisposable {
  constructor(options: CaptureRegistry.IOptions) {
    this._options = options;
  }

  /**
   * Emitted with a notebook path whenever that notebook's active run changed.
   */
  get changed(): ISignal<IActiveRuns, string> {
    return this._changed;
  }

  /**
   * The capture of a notebook panel, created the first time it is asked for.
   */
  forPanel(panel: NotebookPanel): NotebookCapture {
    let capture = this._captures.get(panel);
    if (!capture) {
      capture = new NotebookCapture({ ...this._options, panel });
      this._captures.set(panel, capture);
      capture.model.changed.connect(this._onRunChanged, this);
      panel.disposed.connect(this._onPanelDisposed, this);
    }
    return capture;
  }

  get(notebookPath: string): Runs.ActiveRun | null {
    for (const capture of this._captures.values()) {
      if (capture.path === notebookPath && capture.model.run) {
        return capture.model.run;
      }
    }
    return null;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const panel of [...this._captures.keys()]) {
      this._remove(panel);
    }
    Signal.clearData(this);
  }

  private _onRunChanged(model: ActiveRunModel): void {
    for (const capture of this._captures.values()) {
      if (capture.model === model) {
        this._changed.emit(capture.path);
      }
    }
  }

  private _onPanelDisposed(panel: NotebookPanel): void {
    this._remove(panel);
  }

  private _remove(panel: NotebookPanel): void {
    const capture = this._captures.get(panel);
    if (!capture) {
      return;
    }
    this._captures.delete(panel);
    panel.disposed.disconnect(this._onPanelDisposed, this);
    capture.model.changed.disconnect(this._onRunChanged, this);
    const path = capture.path;
    capture.dispose();
    this._changed.emit(path);
  }

  private readonly _captures = new Map<NotebookPanel, NotebookCapture>();
  private readonly _changed = new Signal<IActiveRuns, string>(this);
  private _isDisposed = false;
  private readonly _options: CaptureRegistry.IOptions;
}

/**
 * Types of the capture registry.
 */
export namespace CaptureRegistry {
  export interface IOptions {
    store: IRunStore;
    settings: IRunsSettings;
    /**
     * Loads the helper's Python source, for kernels that cannot import it.
     */
    helperSource: () => Promise<string>;

    /**
     * What the recorders of kernels that are not Python share in this page.
     */
    frontend?: FrontendRecorder.IShared;
  }
}
