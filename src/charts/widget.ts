import type { IThemeManager, MainAreaWidget } from '@jupyterlab/apputils';
import { WidgetTracker } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';

/**
 * A model a charts view renders: it says when it changed, and the view
 * disposes it with itself.
 */
export interface IChartsViewModel extends IDisposable {
  readonly stateChanged: ISignal<unknown, unknown>;
}

/**
 * A main-area view with charts: it renders its model whenever the model
 * changes, draws its charts again in the new theme's colours on
 * `refreshCharts()`, and owns its model.
 */
export abstract class ChartsView<
  M extends IChartsViewModel
> extends ReactWidget {
  constructor(model: M, trans: TranslationBundle) {
    super();
    this.model = model;
    this.trans = trans;
    model.stateChanged.connect(this.update, this);
  }

  /**
   * The model the view renders.
   */
  readonly model: M;

  /**
   * Draw the charts again, in the colours of the current theme.
   */
  refreshCharts(): void {
    this.themeVersion += 1;
    this.update();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected readonly trans: TranslationBundle;

  /**
   * Changes with the theme; charts draw again when it does.
   */
  protected themeVersion = 0;
}

/**
 * A tracker of the main-area charts views of one kind, whose charts are
 * drawn again when the theme changes.
 */
export function chartsViewTracker<V extends ChartsView<IChartsViewModel>>(
  namespace: string,
  themes: IThemeManager | null
): WidgetTracker<MainAreaWidget<V>> {
  const tracker = new WidgetTracker<MainAreaWidget<V>>({ namespace });
  themes?.themeChanged.connect(() =>
    tracker.forEach(widget => widget.content.refreshCharts())
  );
  return tracker;
}
