import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import type { View } from 'vega';
import type * as VegaEmbed from 'vega-embed';
import type { EmbedOptions, Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';

import { RUN_SELECTION, selectedRunId } from './selection';
import type { ChartTheme } from './theme';
import { chartConfig, readChartTheme } from './theme';
import { tooltipOptions } from './tooltip';

/**
 * The vega-embed module, as `import()` gives it.
 */
export type VegaEmbedModule = typeof VegaEmbed;

/**
 * How a chart is drawn.
 */
export type RenderOptions = {
  /**
   * The bundle of the extension's domain, for the actions menu.
   */
  readonly trans: TranslationBundle;

  /**
   * `canvas` (the default) draws tens of thousands of points quickly; `svg`
   * keeps each mark in the DOM, which UI tests can query.
   */
  readonly renderer?: 'canvas' | 'svg';

  /**
   * The name of exported PNG and SVG files, without extension.
   */
  readonly fileName?: string;

  /**
   * The theme to draw with; read from the page when omitted.
   */
  readonly theme?: ChartTheme;

  /**
   * Called with the run id when a click selects a run, null when the
   * selection is cleared. Only charts with the run selection emit it.
   */
  readonly onRunSelected?: (runId: string | null) => void;
};

/**
 * A chart on the page.
 */
export interface IChart extends IDisposable {
  /**
   * The vega view, for what the views need beyond this module (signals,
   * data changes).
   */
  readonly view: View;

  /**
   * Re-measures the container: a Lumino panel resizes without a window
   * `resize` event, which is all vega listens to.
   */
  resize(): Promise<void>;
}

let loading: Promise<VegaEmbedModule> | null = null;

/**
 * Loads vega-embed (with vega and vega-lite), once.
 *
 * The dynamic `import()` is what keeps ~1 MB of vega out of the extension's
 * start-up bundle: webpack puts the module in chunks of its own, fetched the
 * first time a chart is drawn. A failed load (say the server went away) is
 * forgotten so the next chart tries again.
 */
export function loadVegaEmbed(): Promise<VegaEmbedModule> {
  if (loading === null) {
    const attempt = import('vega-embed');
    loading = attempt;
    attempt.catch(() => {
      if (loading === attempt) {
        loading = null;
      }
    });
  }
  return loading;
}

/**
 * Draws a vega-lite spec into `node`, replacing what it held, with the
 * current JupyterLab theme. Disposing the chart finalizes its view, which
 * removes its event listeners and timers.
 *
 * To follow a theme change, dispose and render again (see `ChartHost`): the
 * theme is read when the chart is drawn.
 */
export async function renderChart(
  node: HTMLElement,
  spec: TopLevelSpec,
  options: RenderOptions
): Promise<IChart> {
  const { default: embed } = await loadVegaEmbed();
  const theme = options.theme ?? readChartTheme();
  const result = await embed(node, spec, embedOptions(theme, options));
  return new Chart(result, options.onRunSelected);
}

/**
 * The vega-embed options: export to PNG and SVG only (the source and editor
 * actions would send stored data to an external editor), the theme's config,
 * and our tooltip format.
 */
export function embedOptions(
  theme: ChartTheme,
  options: RenderOptions
): EmbedOptions {
  const { trans } = options;
  return {
    mode: 'vega-lite',
    renderer: options.renderer ?? 'canvas',
    actions: { export: true, source: false, compiled: false, editor: false },
    downloadFileName: options.fileName ?? 'chart',
    config: chartConfig(theme),
    tooltip: tooltipOptions(theme.isDark),
    i18n: {
      CLICK_TO_VIEW_ACTIONS: trans.__('Click to view actions'),
      PNG_ACTION: trans.__('Save as PNG'),
      SVG_ACTION: trans.__('Save as SVG')
    }
  };
}

/**
 * A drawn chart and its selection listener.
 */
class Chart implements IChart {
  constructor(
    private readonly _result: Result,
    onRunSelected?: (runId: string | null) => void
  ) {
    if (onRunSelected && hasSignal(_result.view, RUN_SELECTION)) {
      this._listener = (_name, value) => onRunSelected(selectedRunId(value));
      _result.view.addSignalListener(RUN_SELECTION, this._listener);
    }
  }

  get view(): View {
    return this._result.view;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async resize(): Promise<void> {
    if (!this._isDisposed) {
      await this._result.view.resize().runAsync();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    if (this._listener) {
      this._result.view.removeSignalListener(RUN_SELECTION, this._listener);
    }
    this._result.finalize();
  }

  private _isDisposed = false;
  private _listener: ((name: string, value: unknown) => void) | null = null;
}

/**
 * Whether the view has a signal of that name: asking vega for a missing one
 * throws.
 */
function hasSignal(view: View, name: string): boolean {
  try {
    view.signal(name);
    return true;
  } catch {
    return false;
  }
}
