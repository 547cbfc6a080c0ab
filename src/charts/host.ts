import type { IDisposable } from '@lumino/disposable';
import type { TopLevelSpec } from 'vega-lite';

import type { IChart, RenderOptions } from './render';
import { renderChart } from './render';

/**
 * Keeps one chart drawn in a node: what a view holds to show a spec, redraw
 * it when the JupyterLab theme changes, and clean up.
 *
 * A view connects the theme manager itself, e.g.
 * `themeManager.themeChanged.connect(this._onThemeChanged, this)` calling
 * `host.refresh()`: the theme's variables are read at each drawing.
 *
 * Drawing is asynchronous (the first one loads vega), and one drawing runs at
 * a time: vega-embed empties the node it draws into, so two overlapping ones
 * could leave the older on screen. Calls made meanwhile are merged, the
 * latest spec wins, and each call resolves once the node shows a spec at
 * least as recent as its own.
 */
export class ChartHost implements IDisposable {
  constructor(
    readonly node: HTMLElement,
    private readonly _options: RenderOptions
  ) {}

  /**
   * The chart on the page, or null before the first drawing has finished.
   */
  get chart(): IChart | null {
    return this._chart;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Draws `spec`, replacing the current chart. Rejects when vega fails to
   * load or the spec is invalid.
   */
  render(spec: TopLevelSpec): Promise<void> {
    if (this._isDisposed) {
      return Promise.resolve();
    }
    this._spec = spec;
    this._pending = spec;
    if (this._drawing === null) {
      this._drawing = this._draw().finally(() => {
        this._drawing = null;
      });
    }
    return this._drawing;
  }

  /**
   * Draws the last spec again, with the theme as it is now.
   */
  async refresh(): Promise<void> {
    if (this._spec) {
      await this.render(this._spec);
    }
  }

  /**
   * Re-measures the chart after its container changed size.
   */
  async resize(): Promise<void> {
    await this._chart?.resize();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._chart?.dispose();
    this._chart = null;
    this._spec = null;
    this._pending = null;
  }

  /**
   * Draws the pending specs until none is left.
   */
  private async _draw(): Promise<void> {
    while (this._pending !== null && !this._isDisposed) {
      const spec = this._pending;
      this._pending = null;
      this._chart?.dispose();
      this._chart = null;
      const chart = await renderChart(this.node, spec, this._options);
      if (this._isDisposed) {
        chart.dispose();
        return;
      }
      this._chart = chart;
    }
  }

  private _chart: IChart | null = null;
  /** The spec shown, or being drawn. */
  private _spec: TopLevelSpec | null = null;
  /** The spec to draw once the current drawing is done. */
  private _pending: TopLevelSpec | null = null;
  private _drawing: Promise<void> | null = null;
  private _isDisposed = false;
}
