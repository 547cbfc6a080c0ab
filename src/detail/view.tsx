import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { Chart } from '../charts/component';
import { ChartsView } from '../charts/widget';
import { metricStepsSpec } from '../charts/specs';
import type { StoredRun } from '../store/reader';
import type { Fact } from './facts';
import {
  durationText,
  environmentFacts,
  metricRows,
  nonFiniteNote,
  overviewFacts,
  paramRow,
  sizeText,
  timeText
} from './facts';
import type { RunDetailModel } from './model';
import type { NamedParam } from './params';
import { groupParams } from './params';

/**
 * One run in the main area: overview, parameters, metrics with a chart each,
 * executions in order, environment and files. Every stored text is rendered
 * as text.
 */
export class RunDetailView extends ChartsView<RunDetailModel> {
  constructor(options: RunDetailView.IOptions) {
    super(options.model, options.trans);
    this.addClass('jp-RunDetail');
    this._openSnapshot = options.openSnapshot ?? null;
  }

  protected render(): React.ReactElement {
    const state = this.model.state;
    const trans = this.trans;
    switch (state.kind) {
      case 'loading':
        return (
          <p className="jp-RunDetail-notice">{trans.__('Reading the run…')}</p>
        );
      case 'error':
        return (
          <p className="jp-RunDetail-notice" role="alert">
            {trans.__('The run could not be read: %1', state.message)}
          </p>
        );
      case 'missing':
        return (
          <div className="jp-RunDetail-notice" role="alert">
            <p>
              {trans.__(
                'The store holds no run %1 of %2.',
                this.model.runId,
                this.model.notebookPath
              )}
            </p>
            <Problems problems={state.problems} trans={trans} />
          </div>
        );
      case 'ready':
        return (
          <RunDetails
            run={state.run}
            problems={state.problems}
            trans={trans}
            themeVersion={this.themeVersion}
            openSnapshot={this._openSnapshot}
          />
        );
    }
  }

  private readonly _openSnapshot: (() => void) | null;
}

export namespace RunDetailView {
  export interface IOptions {
    model: RunDetailModel;
    trans: TranslationBundle;
    /**
     * Open the notebook as the run left it; without it the view has no
     * Open Snapshot button.
     */
    openSnapshot?: () => void;
  }
}

type DetailsProps = {
  run: StoredRun.Run;
  problems: readonly string[];
  trans: TranslationBundle;
  themeVersion: number;
  openSnapshot: (() => void) | null;
};

function RunDetails(props: DetailsProps): React.ReactElement {
  const { run, problems, trans, themeVersion, openSnapshot } = props;
  const tags = Object.entries(run.tags);
  return (
    <article className="jp-RunDetail-body" aria-label={run.name}>
      <header className="jp-RunDetail-header">
        <h1 className="jp-RunDetail-name">{run.name}</h1>
        <span className={`jp-RunDetail-status jp-mod-${run.status}`}>
          {run.status}
        </span>
        {openSnapshot && (
          <button
            type="button"
            className="jp-mod-styled jp-RunDetail-action"
            disabled={run.snapshots.length === 0}
            title={
              run.snapshots.length === 0
                ? trans.__('This run has no snapshot yet')
                : trans.__('Open the notebook as the run left it, read-only')
            }
            onClick={openSnapshot}
          >
            {trans.__('Open Snapshot')}
          </button>
        )}
      </header>
      <Problems problems={problems} trans={trans} />
      <Section title={trans.__('Overview')}>
        <Facts facts={overviewFacts(run, trans)} />
        {tags.length > 0 && (
          <ul className="jp-RunDetail-tags" aria-label={trans.__('Tags')}>
            {tags.map(([key, value]) => (
              <li key={key} className="jp-RunDetail-tag">
                {key}: {value}
              </li>
            ))}
          </ul>
        )}
        {run.note && <p className="jp-RunDetail-note">{run.note}</p>}
      </Section>
      <ParamsSection run={run} trans={trans} />
      <MetricsSection run={run} trans={trans} themeVersion={themeVersion} />
      <ExecutionsSection run={run} trans={trans} />
      <EnvironmentSection run={run} trans={trans} />
      <FilesSection run={run} trans={trans} />
    </article>
  );
}

function Section(props: {
  title: string;
  children: React.ReactNode;
}): React.ReactElement {
  return (
    <section className="jp-RunDetail-section" aria-label={props.title}>
      <h2 className="jp-RunDetail-sectionTitle">{props.title}</h2>
      {props.children}
    </section>
  );
}

function Facts(props: { facts: readonly Fact[] }): React.ReactElement {
  return (
    <dl className="jp-RunDetail-facts">
      {props.facts.map(fact => (
        <React.Fragment key={fact.label}>
          <dt>{fact.label}</dt>
          <dd>{fact.value}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

function Problems(props: {
  problems: readonly string[];
  trans: TranslationBundle;
}): React.ReactElement | null {
  if (props.problems.length === 0) {
    return null;
  }
  return (
    <ul
      className="jp-RunDetail-problems"
      aria-label={props.trans.__('Problems')}
    >
      {props.problems.map((problem, index) => (
        <li key={index}>{problem}</li>
      ))}
    </ul>
  );
}

function ParamsSection(props: {
  run: StoredRun.Run;
  trans: TranslationBundle;
}): React.ReactElement {
  const { trans } = props;
  const groups = React.useMemo(
    () => groupParams(props.run.params),
    [props.run.params]
  );
  if (groups.own.length === 0 && groups.defaults.length === 0) {
    return (
      <Section title={trans.__('Parameters')}>
        <p className="jp-RunDetail-empty">{trans.__('No parameters.')}</p>
      </Section>
    );
  }
  // The user's own parameters first, each with those that got their value
  // from it; the estimators' defaults, which nobody wrote, out of the way.
  return (
    <Section title={trans.__('Parameters')}>
      {groups.own.length > 0 && (
        <ParamTable trans={trans}>
          {groups.own.map(own => (
            <React.Fragment key={own.name}>
              <ParamRow entry={own} />
              {own.derived.map(entry => (
                <ParamRow
                  key={entry.name}
                  entry={entry}
                  derivedTitle={trans.__('Got its value from %1', own.name)}
                />
              ))}
            </React.Fragment>
          ))}
        </ParamTable>
      )}
      {groups.defaults.length > 0 && (
        <details className="jp-RunDetail-defaults">
          <summary>
            {trans._n(
              '%1 estimator default',
              '%1 estimator defaults',
              groups.defaults.length
            )}
          </summary>
          <ParamTable trans={trans}>
            {groups.defaults.map(entry => (
              <ParamRow key={entry.name} entry={entry} />
            ))}
          </ParamTable>
        </details>
      )}
    </Section>
  );
}

function ParamTable(props: {
  trans: TranslationBundle;
  children: React.ReactNode;
}): React.ReactElement {
  const { trans } = props;
  return (
    <table className="jp-RunDetail-table jp-RunDetail-params">
      <thead>
        <tr>
          <th scope="col">{trans.__('Name')}</th>
          <th scope="col">{trans.__('Value')}</th>
          <th scope="col">{trans.__('Set by')}</th>
          <th scope="col">{trans.__('Execution')}</th>
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

/**
 * One parameter; a derived one is marked `↳` under the one it came from.
 */
function ParamRow(props: {
  entry: NamedParam;
  derivedTitle?: string;
}): React.ReactElement {
  const { entry, derivedTitle } = props;
  const row = paramRow(entry.name, entry.param);
  return (
    <tr className={derivedTitle ? 'jp-mod-derived' : undefined}>
      <th scope="row" title={derivedTitle}>
        {derivedTitle && (
          <span className="jp-RunDetail-derivedMark" aria-hidden="true">
            ↳{' '}
          </span>
        )}
        {row.name}
      </th>
      <td>{row.value}</td>
      <td>{row.source}</td>
      <td>{row.exec === null ? '—' : `[${row.exec}]`}</td>
    </tr>
  );
}

function MetricsSection(props: {
  run: StoredRun.Run;
  trans: TranslationBundle;
  themeVersion: number;
}): React.ReactElement {
  const { run, trans, themeVersion } = props;
  const rows = metricRows(run);
  if (rows.length === 0) {
    return (
      <Section title={trans.__('Metrics')}>
        <p className="jp-RunDetail-empty">{trans.__('No metrics.')}</p>
      </Section>
    );
  }
  return (
    <Section title={trans.__('Metrics')}>
      <table className="jp-RunDetail-table">
        <thead>
          <tr>
            <th scope="col">{trans.__('Metric')}</th>
            <th scope="col">{trans.__('Last')}</th>
            <th scope="col">{trans.__('Min')}</th>
            <th scope="col">{trans.__('Max')}</th>
            <th scope="col">{trans.__('Points')}</th>
            <th scope="col">{trans.__('From')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <tr key={`${row.name}/${row.source}`}>
              <th scope="row">{row.name}</th>
              <td>{row.last}</td>
              <td>{row.min}</td>
              <td>{row.max}</td>
              <td>{row.count}</td>
              <td>{row.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {run.metrics
        .filter(metric => metric.count > 1)
        .map(metric => (
          <MetricChart
            key={`${metric.name}/${metric.source}`}
            run={run}
            metric={metric}
            trans={trans}
            themeVersion={themeVersion}
          />
        ))}
    </Section>
  );
}

/**
 * One metric against its steps.
 */
function MetricChart(props: {
  run: StoredRun.Run;
  metric: StoredRun.Metric;
  trans: TranslationBundle;
  themeVersion: number;
}): React.ReactElement {
  const { run, metric, trans, themeVersion } = props;
  const spec = React.useMemo(
    () =>
      metricStepsSpec(
        [{ runId: run.id, runName: run.name, points: metric.points }],
        metric.name,
        { trans, height: 160 }
      ),
    [metric]
  );
  const notDrawn = nonFiniteNote(metric, trans);
  return (
    <figure className="jp-RunDetail-chart">
      <figcaption>
        {metric.name}
        {notDrawn !== null && (
          <span className="jp-RunDetail-chartNote jp-mod-warning">
            {notDrawn}
          </span>
        )}
        {metric.sampled && (
          <span className="jp-RunDetail-chartNote">
            {trans.__(
              'drawn from an overview of the %1 points that keeps every extreme',
              metric.count.toLocaleString()
            )}
          </span>
        )}
      </figcaption>
      <Chart
        spec={spec}
        trans={trans}
        fileName={`${run.name}-${metric.name}`}
        themeVersion={themeVersion}
      />
    </figure>
  );
}

function ExecutionsSection(props: {
  run: StoredRun.Run;
  trans: TranslationBundle;
}): React.ReactElement {
  const { run, trans } = props;
  return (
    <Section title={trans.__('Executions')}>
      {run.inherited.length > 0 && (
        <details className="jp-RunDetail-inherited">
          <summary>
            {trans._n(
              '%1 execution before the run built its state',
              '%1 executions before the run built its state',
              run.inherited.length
            )}
          </summary>
          <Executions executions={run.inherited} trans={trans} />
        </details>
      )}
      {run.executions.length === 0 ? (
        <p className="jp-RunDetail-empty">{trans.__('No executions.')}</p>
      ) : (
        <Executions executions={run.executions} trans={trans} />
      )}
    </Section>
  );
}

function Executions(props: {
  executions: readonly StoredRun.Execution[];
  trans: TranslationBundle;
}): React.ReactElement {
  const { trans } = props;
  return (
    <ol className="jp-RunDetail-executions">
      {props.executions.map(execution => (
        <li
          key={`${execution.run}/${execution.exec}`}
          className={`jp-RunDetail-execution jp-mod-${execution.outcome}`}
        >
          <div className="jp-RunDetail-executionHeader">
            <span className="jp-RunDetail-count">
              [{execution.executionCount ?? ' '}]
            </span>
            <span title={timeText(execution.startedAt)}>
              {durationText(execution.duration)}
            </span>
            <span className="jp-RunDetail-outcome">{execution.outcome}</span>
            {execution.cellId && (
              <span className="jp-RunDetail-cellId">
                {trans.__('cell %1', execution.cellId)}
              </span>
            )}
          </div>
          <pre className="jp-RunDetail-source">{execution.source}</pre>
          {execution.error && (
            <pre className="jp-RunDetail-error">
              {execution.error.name}: {execution.error.value}
            </pre>
          )}
        </li>
      ))}
    </ol>
  );
}

function EnvironmentSection(props: {
  run: StoredRun.Run;
  trans: TranslationBundle;
}): React.ReactElement {
  const { trans } = props;
  const { facts, packages } = environmentFacts(props.run.env, trans);
  return (
    <Section title={trans.__('Environment')}>
      {facts.length === 0 ? (
        <p className="jp-RunDetail-empty">
          {trans.__('No environment was recorded.')}
        </p>
      ) : (
        <Facts facts={facts} />
      )}
      {packages.length > 0 && (
        <details className="jp-RunDetail-packages">
          <summary>
            {trans._n('%1 package', '%1 packages', packages.length)}
          </summary>
          <Facts facts={packages} />
        </details>
      )}
    </Section>
  );
}

function FilesSection(props: {
  run: StoredRun.Run;
  trans: TranslationBundle;
}): React.ReactElement {
  const { run, trans } = props;
  return (
    <Section title={trans.__('Files')}>
      {run.files.length === 0 ? (
        <p className="jp-RunDetail-empty">
          {trans.__('No files were read or written.')}
        </p>
      ) : (
        <table className="jp-RunDetail-table">
          <thead>
            <tr>
              <th scope="col">{trans.__('Path')}</th>
              <th scope="col">{trans.__('Access')}</th>
              <th scope="col">{trans.__('Size')}</th>
              <th scope="col">{trans.__('SHA-256')}</th>
            </tr>
          </thead>
          <tbody>
            {run.files.map((file, index) => (
              <tr key={`${file.path}/${file.mode}/${index}`}>
                <th scope="row">{file.path}</th>
                <td>
                  {file.artifact
                    ? trans.__('%1 (artifact)', file.mode)
                    : file.mode}
                </td>
                <td>{sizeText(file.size)}</td>
                <td title={file.sha256 ?? undefined}>
                  {file.sha256 ? file.sha256.slice(0, 12) : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
