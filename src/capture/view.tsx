import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IRunStore, Runs } from '../tokens';
import type { ActiveRunModel } from './model';

/**
 * The notebook toolbar item naming the notebook's active run and its status,
 * and, when runs are not being saved, saying so.
 */
export class ActiveRunIndicator extends ReactWidget {
  constructor(
    model: ActiveRunModel,
    trans: TranslationBundle,
    store: IRunStore | null = null
  ) {
    super();
    this._model = model;
    this._trans = trans;
    this._store = store;
    this.addClass('jp-RunsIndicator');
  }

  protected render(): React.ReactElement {
    const store = this._store;
    return (
      <>
        <UseSignal signal={this._model.changed}>
          {() => <Indicator model={this._model} trans={this._trans} />}
        </UseSignal>
        {store && (
          <UseSignal signal={store.healthChanged}>
            {() => <SavingState health={store.health} trans={this._trans} />}
          </UseSignal>
        )}
      </>
    );
  }

  private readonly _model: ActiveRunModel;
  private readonly _store: IRunStore | null;
  private readonly _trans: TranslationBundle;
}

/**
 * "not saving" or "offline" beside the run while its records do not reach
 * the store folder; nothing while they do.
 */
function SavingState(props: {
  health: Runs.StoreHealth;
  trans: TranslationBundle;
}): React.ReactElement | null {
  const { health, trans } = props;
  if (health.writes === 'saving') {
    return null;
  }
  const refused = health.writes === 'refused';
  return (
    <span
      className={`jp-RunsIndicator-saving jp-mod-${health.writes}`}
      title={
        refused
          ? trans.__(
              'Not saving: the server refused to write %1 (%2). Runs are kept in this browser and saved once the store folder can be written.',
              health.path ?? '',
              health.reason ?? ''
            )
          : trans.__(
              'The Jupyter server cannot be reached (%1). Runs are kept in this browser and saved when it is back.',
              health.reason ?? ''
            )
      }
    >
      {refused ? trans.__('not saving') : trans.__('offline')}
    </span>
  );
}

/**
 * What the indicator shows for a model's state.
 */
function Indicator(props: {
  model: ActiveRunModel;
  trans: TranslationBundle;
}): React.ReactElement {
  const { model, trans } = props;
  const run = model.run;
  if (model.capture === 'recording' || (run && model.capture !== 'off')) {
    return run ? (
      <RunLabel run={run} trans={trans} />
    ) : (
      <span
        className="jp-RunsIndicator-state"
        title={trans.__(
          'Ready to record: the first run starts with the next cell you run.'
        )}
      >
        {trans.__('Ready to record')}
      </span>
    );
  }
  const { text, title } = describeCapture(model.capture, trans);
  return (
    <span className="jp-RunsIndicator-state" title={title}>
      {text}
    </span>
  );
}

/**
 * The run's name, with a dot coloured by its status.
 */
function RunLabel(props: {
  run: Runs.ActiveRun;
  trans: TranslationBundle;
}): React.ReactElement {
  const { run, trans } = props;
  const status = statusLabel(run.status, trans);
  return (
    <span
      className={`jp-RunsIndicator-run jp-mod-${run.status}`}
      title={trans.__(
        'Run %1 (%2). Parameters: %3. Metrics: %4.',
        run.name,
        status,
        run.paramsCount,
        run.metricsCount
      )}
    >
      <span className="jp-RunsIndicator-dot" aria-hidden="true">
        ●
      </span>
      <span className="jp-RunsIndicator-name">
        {trans.__('run %1', run.name)}
      </span>
      <span className="jp-RunsIndicator-status">{status}</span>
    </span>
  );
}

/**
 * A run status as shown to the user.
 */
export function statusLabel(
  status: Runs.RunStatus,
  trans: TranslationBundle
): string {
  switch (status) {
    case 'running':
      return trans.__('running');
    case 'finished':
      return trans.__('finished');
    case 'failed':
      return trans.__('failed');
    case 'interrupted':
      return trans.__('interrupted');
    case 'crashed':
      return trans.__('crashed');
  }
}

/**
 * What the indicator says while no run is known.
 */
function describeCapture(
  capture: ActiveRunModel.Capture,
  trans: TranslationBundle
): { text: string; title: string } {
  switch (capture) {
    case 'off':
      return {
        text: trans.__('Not recording'),
        title: trans.__(
          'Tracking is off for this notebook or in the settings: runs are not recorded.'
        )
      };
    case 'other-tab':
      return {
        text: trans.__('Recorded in another tab'),
        title: trans.__(
          'Another tab of this browser, or the page of a collaborator on this notebook, records the runs of this kernel; this tab takes over when that one closes.'
        )
      };
    case 'failed':
      return {
        text: trans.__('Not recording'),
        title: trans.__(
          'The run recorder could not start in this kernel; the browser console says why.'
        )
      };
    case 'waiting':
    case 'attaching':
    case 'recording':
      return {
        text: trans.__('Starting…'),
        title: trans.__('Waiting for the kernel to start recording runs.')
      };
    case 'idle':
      return {
        text: trans.__('No kernel'),
        title: trans.__('Runs are recorded once the notebook has a kernel.')
      };
  }
}
