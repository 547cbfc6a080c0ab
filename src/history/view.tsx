import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { SidePanel, VDomRenderer } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { runsIcon } from '../icons';
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
  return (
    <section className="jp-RunsPanel-notebook">
      <h3 className="jp-RunsPanel-notebookName" title={notebook.path}>
        {notebook.name}
      </h3>
      {model.runs.length === 0 ? (
        <p className="jp-RunsPanel-empty">
          {trans.__('No runs recorded for %1 yet.', notebook.name)}
        </p>
      ) : (
        <ul className="jp-RunsPanel-list">
          {model.runs.map(run => (
            <li key={run.id} className="jp-RunsPanel-item">
              {run.name}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
