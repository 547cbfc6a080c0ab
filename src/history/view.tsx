import { Time } from '@jupyterlab/coreutils';
import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { SidePanel, VDomRenderer } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { statusLabel } from '../capture/view';
import { runsIcon } from '../icons';
import type { Runs } from '../tokens';
import type { RunsPanelModel } from './model';

/**
 * The Runs sidebar.
 *
 * #### Notes
 * The panel owns its model and disposes it with itself.
 */
export class RunsPanel extends SidePanel {
  constructor(options: RunsPanel.IOptions) {
    super({ content: new Panel(), translator: options.translator });
    const trans = options.translator.load('jupyterlab_runs');
    this._model = options.model;

    this.id = 'jupyterlab-runs-panel';
    this.addClass('jp-RunsPanel');
    this.title.icon = runsIcon;
    this.title.caption = trans.__('Runs');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', trans.__('Runs'));

    this.addWidget(new RunsBody(this._model, trans));
  }

  /**
   * The model the panel renders.
   */
  get model(): RunsPanelModel {
    return this._model;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.dispose();
    super.dispose();
  }

  // The model reads the store only while the runs can be seen.
  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._model.isVisible = this.isVisible;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._model.isVisible = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._model.isVisible = false;
  }

  protected onBeforeDetach(msg: Message): void {
    this._model.isVisible = false;
    super.onBeforeDetach(msg);
  }

  private readonly _model: RunsPanelModel;
}

/**
 * Types of the Runs sidebar.
 */
export namespace RunsPanel {
  export interface IOptions {
    model: RunsPanelModel;
    translator: ITranslator;
  }
}

/**
 * The body of the sidebar, re-rendered when its model changes.
 */
class RunsBody extends VDomRenderer<RunsPanelModel> {
  constructor(model: RunsPanelModel, trans: TranslationBundle) {
    super(model);
    this._trans = trans;
    this.addClass('jp-RunsPanel-body');
  }

  protected onUpdateRequest(msg: Message): void {
    // A collapsed sidebar is not rendered; it catches up when shown again.
    if (!this.isVisible) {
      this._isStale = true;
      return;
    }
    this._isStale = false;
    super.onUpdateRequest(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this._isStale) {
      this.update();
    }
  }

  protected render(): React.ReactElement {
    return <RunsView model={this.model} trans={this._trans} />;
  }

  private _isStale = false;
  private readonly _trans: TranslationBundle;
}

/**
 * What the sidebar shows for a model.
 */
function RunsView(props: {
  model: RunsPanelModel;
  trans: TranslationBundle;
}): React.ReactElement {
  const { model, trans } = props;
  const notebook = model.notebook;
  return (
    <>
      <h2 className="jp-RunsPanel-title">{trans.__('Runs')}</h2>
      {!model.trackingEnabled && (
        <p className="jp-RunsPanel-notice">
          {trans.__(
            'Tracking is off, so new runs are not recorded. Turn it on in Settings Editor › Runs.'
          )}
        </p>
      )}
      {notebook === null ? (
        <p className="jp-RunsPanel-empty">
          {trans.__('Open a notebook to see its runs.')}
        </p>
      ) : (
        <NotebookRuns notebook={notebook} model={model} trans={trans} />
      )}
    </>
  );
}

/**
 * The runs of the active notebook, under its name.
 */
function NotebookRuns(props: {
  notebook: RunsPanelModel.NotebookInfo;
  model: RunsPanelModel;
  trans: TranslationBundle;
}): React.ReactElement {
  const { notebook, model, trans } = props;
  const activeRunId = model.activeRunId;
  return (
    <section className="jp-RunsPanel-notebook">
      <h3 className="jp-RunsPanel-notebookName" title={notebook.path}>
        {notebook.name}
      </h3>
      <Problems model={model} trans={trans} />
      {model.runs.length > 0 ? (
        <ul className="jp-RunsPanel-list">
          {model.runs.map(run => (
            <RunItem
              key={run.id}
              run={run}
              isActive={run.id === activeRunId}
              trans={trans}
            />
          ))}
        </ul>
      ) : model.isLoading ? (
        <p className="jp-RunsPanel-empty">{trans.__('Reading the runs…')}</p>
      ) : (
        <p className="jp-RunsPanel-empty">
          {trans.__('No runs recorded for %1 yet.', notebook.name)}
        </p>
      )}
    </section>
  );
}

/**
 * What could not be read, one line per broken item.
 */
function Problems(props: {
  model: RunsPanelModel;
  trans: TranslationBundle;
}): React.ReactElement | null {
  const { model, trans } = props;
  const lines = [...model.problems];
  if (model.readError !== null) {
    lines.unshift(trans.__('The runs could not be read: %1', model.readError));
  }
  if (lines.length === 0) {
    return null;
  }
  return (
    <ul className="jp-RunsPanel-problems" aria-label={trans.__('Problems')}>
      {lines.map((line, index) => (
        <li key={index} className="jp-RunsPanel-problem">
          {line}
        </li>
      ))}
    </ul>
  );
}

/**
 * How many parameters and metrics a run line shows; the rest are a click
 * away in the run itself.
 */
const SHOWN_VALUES = 3;

/**
 * One run: name, status, start time, key parameters and last metric values.
 */
function RunItem(props: {
  run: Runs.RunSummary;
  isActive: boolean;
  trans: TranslationBundle;
}): React.ReactElement {
  const { run, isActive, trans } = props;
  const started = new Date(run.startedAt);
  const params = Object.entries(run.params).slice(0, SHOWN_VALUES);
  const metrics = Object.entries(run.metrics).slice(0, SHOWN_VALUES);
  return (
    <li
      className={`jp-RunsPanel-item${isActive ? ' jp-mod-active' : ''}`}
      aria-current={isActive ? 'true' : undefined}
    >
      <div className="jp-RunsPanel-itemHeader">
        <span className="jp-RunsPanel-runName">{run.name}</span>
        <span className={`jp-RunsPanel-status jp-mod-${run.status}`}>
          {statusLabel(run.status, trans)}
        </span>
      </div>
      <time
        className="jp-RunsPanel-time"
        dateTime={started.toISOString()}
        title={Time.format(started)}
      >
        {Time.formatHuman(started)}
      </time>
      {params.length > 0 && (
        <ul className="jp-RunsPanel-values" aria-label={trans.__('Parameters')}>
          {params.map(([name, value]) => (
            <li key={name} className="jp-RunsPanel-value">
              <span className="jp-RunsPanel-valueName">{name}</span>
              <span className="jp-RunsPanel-valueData">
                {formatScalar(value)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {metrics.length > 0 && (
        <ul className="jp-RunsPanel-values" aria-label={trans.__('Metrics')}>
          {metrics.map(([name, value]) => (
            <li key={name} className="jp-RunsPanel-value jp-mod-metric">
              <span className="jp-RunsPanel-valueName">{name}</span>
              <span className="jp-RunsPanel-valueData">
                {formatMetric(value)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/**
 * A parameter value as Python wrote it: strings quoted, `None`, `True`.
 */
export function formatScalar(value: Runs.Scalar): string {
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const METRIC_FORMAT = new Intl.NumberFormat(undefined, {
  maximumSignificantDigits: 4
});

/**
 * A metric value to four significant digits; a dash for a value that is not
 * a finite number (stored as `null`).
 */
export function formatMetric(value: number | null): string {
  return value === null ? '—' : METRIC_FORMAT.format(value);
}
