import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  DifferencesSwitch,
  useDifferencesOnly
} from '../compare/differencesSwitch';
import { withoutIdentical } from '../compare/identical';
import type { StoreFormat } from '../store/format';
import type { Runs } from '../tokens';
import type { RerunModel } from './model';
import type { Reproduction } from './verdict';
import { changedSeeds, paramDiffers } from './verdict';

/**
 * What the view's buttons do, by the app's commands.
 */
export interface IRerunActions {
  openRun(notebookPath: string, runId: string): void;
  compare(notebookPath: string, runIds: readonly string[]): void;
}

/**
 * A re-run in the main area: its progress while it goes (with Cancel), then
 * the verdict: reproduced or not, per metric (by how much) and parameter,
 * and whether the seed changed. Every stored text renders as text.
 */
export class RerunView extends ReactWidget {
  constructor(options: RerunView.IOptions) {
    super();
    this.model = options.model;
    this._trans = options.trans;
    this._actions = options.actions;
    this._tolerance = options.tolerance;
    this.addClass('jp-RunsRerun');
    this.model.stateChanged.connect(this.update, this);
  }

  readonly model: RerunModel;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected render(): React.ReactElement {
    const model = this.model;
    const state = model.state;
    const trans = this._trans;
    return (
      <article className="jp-RunsRerun-body">
        <header className="jp-RunsRerun-header">
          <h1>{trans.__('Re-run of %1', originalName(state, model.runId))}</h1>
          <p className="jp-RunsRerun-what">
            {model.order === 'executed'
              ? trans.__(
                  'Its executions in the order the kernel ran them, in a fresh kernel; the notebook %1 is not touched.',
                  model.notebookPath
                )
              : trans.__(
                  'The code cells of its notebook snapshot from top to bottom, in a fresh kernel; the notebook %1 is not touched.',
                  model.notebookPath
                )}
          </p>
        </header>
        {state.kind === 'preparing' && (
          <p className="jp-RunsRerun-status" role="status">
            {preparingText(state.message, trans)}
          </p>
        )}
        {state.kind === 'running' && <Progress state={state} trans={trans} />}
        {model.isActive && (
          <button
            className="jp-mod-styled jp-mod-reject"
            onClick={() => model.cancel()}
          >
            {trans.__('Cancel')}
          </button>
        )}
        {state.kind === 'failed' && (
          <p className="jp-RunsRerun-failure" role="alert">
            {trans.__('The re-run failed: %1', state.message)}
          </p>
        )}
        {(state.kind === 'done' || state.kind === 'cancelled') && (
          <Verdict
            state={state}
            notebookPath={model.notebookPath}
            tolerance={this._tolerance}
            actions={this._actions}
            trans={trans}
          />
        )}
      </article>
    );
  }

  private readonly _actions: IRerunActions;
  private readonly _tolerance: Reproduction.Tolerance;
  private readonly _trans: TranslationBundle;
}

export namespace RerunView {
  export interface IOptions {
    model: RerunModel;
    trans: TranslationBundle;
    actions: IRerunActions;
    tolerance: Reproduction.Tolerance;
  }
}

/**
 * The original run's name once read, else its id.
 */
function originalName(state: RerunModel.State, runId: string): string {
  return state.kind === 'done' || state.kind === 'cancelled'
    ? state.original.name
    : runId;
}

function preparingText(
  message: Extract<RerunModel.State, { kind: 'preparing' }>['message'],
  trans: TranslationBundle
): string {
  switch (message) {
    case 'reading':
      return trans.__('Reading the run…');
    case 'starting':
      return trans.__('Starting a fresh kernel…');
    case 'finishing':
      return trans.__('Storing the re-run…');
    default:
      return trans.__('Waiting…');
  }
}

function Progress(props: {
  state: Extract<RerunModel.State, { kind: 'running' }>;
  trans: TranslationBundle;
}): React.ReactElement {
  const { state, trans } = props;
  return (
    <div className="jp-RunsRerun-progress" role="status">
      <label>
        {trans.__('Execution %1 of %2', state.step, state.total)}
        <progress value={state.step - 1} max={state.total} />
      </label>
      <pre className="jp-RunsRerun-source">{state.source}</pre>
    </div>
  );
}

function Verdict(props: {
  state: Extract<RerunModel.State, { kind: 'done' | 'cancelled' }>;
  notebookPath: string;
  tolerance: Reproduction.Tolerance;
  actions: IRerunActions;
  trans: TranslationBundle;
}): React.ReactElement {
  const { state, notebookPath, tolerance, actions, trans } = props;
  const { verdict, original, rerun } = state;
  const seeds = changedSeeds(verdict.params);
  return (
    <section className="jp-RunsRerun-verdict" aria-label={trans.__('Verdict')}>
      <h2 className={`jp-RunsRerun-overall jp-mod-${verdict.overall}`}>
        {overallText(verdict.overall, trans)}
      </h2>
      <p>
        {state.kind === 'cancelled'
          ? trans.__(
              'Cancelled after %1 of %2 executions.',
              state.executed,
              state.total
            )
          : trans.__(
              '%1 of %2 executions ran. Metrics count as reproduced within a relative tolerance of %3 or an absolute one of %4 (Settings Editor, Runs Reproduction).',
              state.executed,
              state.total,
              tolerance.relative,
              tolerance.absolute
            )}
      </p>
      {state.error !== null && (
        <p className="jp-RunsRerun-failure">
          {trans.__(
            'The re-run stopped at execution %1: %2',
            state.executed,
            state.error
          )}
        </p>
      )}
      {verdict.overall === 'differs' &&
        verdict.params.every(param => param.outcome !== 'differs') && (
          <p className="jp-RunsRerun-why" role="note">
            {trans.__(
              'Every parameter is the same, yet a metric differs: something the parameters do not capture changed, such as unseeded randomness (a split or shuffle without a seed), the data read, or package versions.'
            )}
          </p>
        )}
      {seeds.length > 0 && (
        <p className="jp-RunsRerun-seed" role="note">
          {trans.__(
            'The re-run did not use the same seed: %1.',
            seeds
              .map(
                seed =>
                  `${seed.name} ${scalarText(seed.original)} → ${scalarText(seed.rerun)}`
              )
              .join(', ')
          )}
        </p>
      )}
      <div className="jp-RunsRerun-actions">
        <button
          className="jp-mod-styled jp-mod-accept"
          onClick={() => actions.openRun(notebookPath, rerun.id)}
        >
          {trans.__('Open Re-run')}
        </button>
        <button
          className="jp-mod-styled"
          onClick={() => actions.compare(notebookPath, [original.id, rerun.id])}
        >
          {trans.__('Compare With Original')}
        </button>
      </div>
      <h3>{trans.__('Metrics (last value)')}</h3>
      <MetricTable verdicts={verdict.metrics} trans={trans} />
      <h3>{trans.__('Parameters')}</h3>
      <ParamTable verdicts={verdict.params} trans={trans} />
    </section>
  );
}

function MetricTable(props: {
  verdicts: readonly Reproduction.MetricVerdict[];
  trans: TranslationBundle;
}): React.ReactElement {
  const { verdicts, trans } = props;
  if (verdicts.length === 0) {
    return <p>{trans.__('Neither run logged a metric.')}</p>;
  }
  return (
    <table className="jp-RunsCompare-table jp-RunsRerun-table">
      <thead>
        <tr>
          <th scope="col">{trans.__('Metric')}</th>
          <th scope="col">{trans.__('Original')}</th>
          <th scope="col">{trans.__('Re-run')}</th>
          <th scope="col">{trans.__('Difference')}</th>
          <th scope="col">{trans.__('Verdict')}</th>
        </tr>
      </thead>
      <tbody>
        {verdicts.map(verdict => (
          <tr
            key={`${verdict.source}\n${verdict.name}`}
            className={`jp-mod-${verdict.outcome}`}
          >
            <th scope="row" title={verdict.source}>
              {verdict.name}
            </th>
            <td>{metricText(verdict.original)}</td>
            <td>{metricText(verdict.rerun)}</td>
            <td>{differenceText(verdict)}</td>
            <td>{outcomeText(verdict.outcome, trans)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ParamTable(props: {
  verdicts: readonly Reproduction.ParamVerdict[];
  trans: TranslationBundle;
}): React.ReactElement {
  const { trans } = props;
  const [differencesOnly, setDifferencesOnly] = useDifferencesOnly(
    props.verdicts.length
  );
  if (props.verdicts.length === 0) {
    return <p>{trans.__('Neither run recorded a parameter.')}</p>;
  }
  const { shown: verdicts, hidden } = withoutIdentical(
    props.verdicts,
    paramDiffers,
    differencesOnly
  );
  return (
    <>
      <DifferencesSwitch
        checked={differencesOnly}
        onChange={setDifferencesOnly}
        hidden={hidden}
        trans={trans}
      />
      {verdicts.length > 0 && <ParamRows verdicts={verdicts} trans={trans} />}
    </>
  );
}

function ParamRows(props: {
  verdicts: readonly Reproduction.ParamVerdict[];
  trans: TranslationBundle;
}): React.ReactElement {
  const { verdicts, trans } = props;
  return (
    <table className="jp-RunsCompare-table jp-RunsRerun-table">
      <thead>
        <tr>
          <th scope="col">{trans.__('Parameter')}</th>
          <th scope="col">{trans.__('Original')}</th>
          <th scope="col">{trans.__('Re-run')}</th>
          <th scope="col">{trans.__('Verdict')}</th>
        </tr>
      </thead>
      <tbody>
        {verdicts.map(verdict => (
          <tr key={verdict.name} className={`jp-mod-${verdict.outcome}`}>
            <th scope="row">{verdict.name}</th>
            <td>{scalarText(verdict.original)}</td>
            <td>{scalarText(verdict.rerun)}</td>
            <td>{outcomeText(verdict.outcome, trans)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function overallText(
  overall: Reproduction.Overall,
  trans: TranslationBundle
): string {
  switch (overall) {
    case 'reproduced':
      return trans.__('Reproduced');
    case 'differs':
      return trans.__('Differs');
    default:
      return trans.__('Incomplete: something the original recorded is missing');
  }
}

function outcomeText(
  outcome: Reproduction.Outcome,
  trans: TranslationBundle
): string {
  switch (outcome) {
    case 'reproduced':
      return trans.__('reproduced');
    case 'differs':
      return trans.__('differs');
    case 'missing':
      return trans.__('missing in the re-run');
    default:
      return trans.__('only in the re-run');
  }
}

function metricText(value: StoreFormat.MetricValue | null): string {
  return value === null
    ? '—'
    : typeof value === 'number'
      ? String(Number(value.toPrecision(8)))
      : value;
}

/**
 * The difference and, when defined, its size relative to the original.
 */
function differenceText(verdict: Reproduction.MetricVerdict): string {
  if (verdict.difference === null || verdict.outcome === 'reproduced') {
    return verdict.outcome === 'reproduced' && verdict.difference !== null
      ? signed(verdict.difference)
      : '—';
  }
  const relative =
    verdict.relative === null
      ? ''
      : ` (${signed(Number((verdict.relative * 100).toPrecision(3)))}%)`;
  return `${signed(verdict.difference)}${relative}`;
}

function signed(value: number): string {
  const text = String(Number(value.toPrecision(4)));
  return value > 0 ? `+${text}` : text;
}

function scalarText(value: Runs.Scalar | undefined): string {
  return value === undefined ? '—' : String(value);
}
