import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { Chart } from '../charts/component';
import { ChartsView } from '../charts/widget';
import { parallelCoordinatesSpec } from '../charts/parallel';
import { metricStepsSpec, scatterSpec } from '../charts/specs';
import type { StoredRun } from '../store/reader';
import { CellDiffs, EnvDiffTable } from './diffs';
import { diffEnvironments } from './env';
import { DifferencesSwitch, useDifferencesOnly } from './differencesSwitch';
import { diffExecutions } from './executions';
import { withoutIdentical } from './identical';
import { seedOnlyDifference } from './seeds';
import type { ComparisonModel } from './model';
import { summarizeCells, summarizeEnvironment } from './summary';
import type { CompareRow } from './table';
import {
  chartedMetrics,
  comparisonCsv,
  metricPoints,
  metricTable,
  paramTable,
  summariesOf
} from './table';

/**
 * Runs side by side in the main area: parameters and metrics with the
 * differences first and highlighted, overlaid metric charts, parallel
 * coordinates and a scatter, and the code and package diffs of two of them.
 * Every stored text is rendered as text.
 */
export class ComparisonView extends ChartsView<ComparisonModel> {
  constructor(options: ComparisonView.IOptions) {
    super(options.model, options.trans);
    this.addClass('jp-RunsCompare');
  }

  protected render(): React.ReactElement {
    const state = this.model.state;
    const trans = this.trans;
    if (state.kind === 'loading') {
      return (
        <p className="jp-RunsCompare-notice">{trans.__('Reading the runs…')}</p>
      );
    }
    if (state.kind === 'error') {
      return (
        <p className="jp-RunsCompare-notice" role="alert">
          {trans.__('The runs could not be read: %1', state.message)}
        </p>
      );
    }
    return (
      <Comparison
        runs={state.runs}
        problems={state.problems}
        trans={trans}
        themeVersion={this.themeVersion}
      />
    );
  }
}

export namespace ComparisonView {
  export interface IOptions {
    model: ComparisonModel;
    trans: TranslationBundle;
  }
}

/**
 * Parallel axes beyond this many get too narrow to read.
 */
const MAX_AXES = 12;

type Props = {
  runs: readonly StoredRun.Run[];
  trans: TranslationBundle;
  themeVersion: number;
};

function Comparison(
  props: Props & { problems: readonly string[] }
): React.ReactElement {
  const { runs, problems, trans } = props;
  return (
    <article className="jp-RunsCompare-body">
      <header className="jp-RunsCompare-header">
        <h1>
          {trans._n('Comparing %1 run', 'Comparing %1 runs', runs.length)}
        </h1>
        <button
          className="jp-mod-styled jp-mod-accept"
          onClick={() => downloadCsv(runs)}
        >
          {trans.__('Export CSV')}
        </button>
      </header>
      {problems.length > 0 && (
        <ul
          className="jp-RunsCompare-problems"
          aria-label={trans.__('Problems')}
        >
          {problems.map((problem, index) => (
            <li key={index}>{problem}</li>
          ))}
        </ul>
      )}
      <SeedNotice runs={runs} trans={trans} />
      <ParamSection runs={runs} trans={trans} />
      <Section title={trans.__('Metrics')}>
        <CompareTable runs={runs} rows={metricTable(runs)} trans={trans} />
      </Section>
      <ChartsSection {...props} />
      <PairSection runs={runs} trans={trans} />
    </article>
  );
}

/**
 * Says plainly when the runs' parameters differ only in their seeds: then
 * what tells their metrics apart is chance, not a setting.
 */
function SeedNotice(props: {
  runs: readonly StoredRun.Run[];
  trans: TranslationBundle;
}): React.ReactElement | null {
  const { runs, trans } = props;
  const seeds = React.useMemo(
    () => seedOnlyDifference(summariesOf(runs)),
    [runs]
  );
  if (seeds === null) {
    return null;
  }
  // `model.random_state` given `seed` is the same change: said once.
  const derived = (name: string) =>
    runs.every(run => {
      const from = run.params[name]?.from;
      return from !== undefined && seeds.some(seed => seed.name === from);
    });
  const said = seeds.filter(seed => !derived(seed.name));
  const changes = said
    .map(
      seed =>
        `${seed.name} ${seed.values.map(value => (value === undefined ? '—' : String(value))).join(' → ')}`
    )
    .join(', ');
  return (
    <p className="jp-RunsCompare-seedNotice" role="note">
      {trans._n(
        'Only the seed differs among their parameters: %2. Differences in their metrics come from randomness, not from the other settings.',
        'Only the seeds differ among their parameters: %2. Differences in their metrics come from randomness, not from the other settings.',
        said.length,
        changes
      )}
    </p>
  );
}

/**
 * The parameters side by side; with more than a handful, only those that
 * differ at first, and how many identical ones are hidden.
 */
function ParamSection(props: {
  runs: readonly StoredRun.Run[];
  trans: TranslationBundle;
}): React.ReactElement {
  const { runs, trans } = props;
  const rows = React.useMemo(() => paramTable(runs), [runs]);
  const [differencesOnly, setDifferencesOnly] = useDifferencesOnly(rows.length);
  const { shown, hidden } = withoutIdentical(
    rows,
    row => row.differs,
    differencesOnly
  );
  return (
    <Section title={trans.__('Parameters')}>
      {rows.length > 0 && (
        <DifferencesSwitch
          checked={differencesOnly}
          onChange={setDifferencesOnly}
          hidden={hidden}
          trans={trans}
        />
      )}
      {(shown.length > 0 || hidden === 0) && (
        <CompareTable runs={runs} rows={shown} trans={trans} />
      )}
    </Section>
  );
}

function Section(props: {
  title: string;
  children: React.ReactNode;
}): React.ReactElement {
  return (
    <section className="jp-RunsCompare-section" aria-label={props.title}>
      <h2 className="jp-RunsCompare-sectionTitle">{props.title}</h2>
      {props.children}
    </section>
  );
}

/**
 * Rows of values, one column per run; rows whose values differ are marked,
 * and seed-like ones say so.
 */
function CompareTable(props: {
  runs: readonly StoredRun.Run[];
  rows: readonly CompareRow[];
  trans: TranslationBundle;
}): React.ReactElement {
  const { runs, rows, trans } = props;
  if (rows.length === 0) {
    return <p className="jp-RunsCompare-empty">{trans.__('None.')}</p>;
  }
  // Two runs: the change gets a column of its own; more: it goes under each
  // value, against the first (oldest) run.
  const changeColumn = runs.length === 2 && rows.some(row => row.changes);
  return (
    <div className="jp-RunsCompare-tableScroll">
      <table className="jp-RunsCompare-table">
        <thead>
          <tr>
            <th scope="col">{trans.__('Name')}</th>
            {runs.map((run, index) => (
              <th
                scope="col"
                key={run.id}
                title={trans.__(
                  '%1, started %2',
                  run.notebookPath,
                  new Date(run.startedAt).toLocaleString()
                )}
              >
                {run.name}
                {index === 0 && runs.length > 1 && (
                  <span className="jp-RunsCompare-base">
                    {trans.__('base')}
                  </span>
                )}
              </th>
            ))}
            {changeColumn && <th scope="col">{trans.__('Change')}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <tr
              key={row.name}
              className={row.differs ? 'jp-mod-differs' : undefined}
            >
              <th
                scope="row"
                className={row.from ? 'jp-mod-derived' : undefined}
                title={
                  row.from
                    ? trans.__('Got its value from %1', row.from)
                    : undefined
                }
              >
                {row.from && (
                  <span
                    className="jp-RunsCompare-derivedMark"
                    aria-hidden="true"
                  >
                    ↳{' '}
                  </span>
                )}
                {row.name}
                {row.differs && row.seedLike && (
                  <span className="jp-RunsCompare-seed">
                    {trans.__('seed differs')}
                  </span>
                )}
              </th>
              {row.values.map((value, index) => (
                <td key={index}>
                  {value ?? '—'}
                  {!changeColumn && row.changes?.[index] && (
                    <span className="jp-RunsCompare-change">
                      {row.changes[index]}
                    </span>
                  )}
                </td>
              ))}
              {changeColumn && (
                <td className="jp-RunsCompare-changeCell">
                  {row.changes?.[1] ?? '—'}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ChartsSection(props: Props): React.ReactElement | null {
  const { runs, trans, themeVersion } = props;
  const metrics = chartedMetrics(runs);
  const lastMetrics = metricTable(runs).map(row => row.name);
  const paramRows = paramTable(runs);
  const params = paramRows.map(row => row.name);
  // Only the parameters that differ tell anything on parallel axes, and
  // one that got its value from another would only repeat its axis.
  const axes = paramRows
    .filter(row => row.differs && row.from === undefined)
    .slice(0, MAX_AXES)
    .map(row => row.name);
  const summaries = React.useMemo(() => summariesOf(runs), [runs]);
  const [metric, setMetric] = React.useState(lastMetrics[0] ?? '');
  const [param, setParam] = React.useState(params[0] ?? '');
  const stepSpecs = React.useMemo(
    () =>
      metrics.map(name => ({
        name,
        spec: metricStepsSpec(
          runs.map(run => ({
            runId: run.id,
            runName: run.name,
            points: metricPoints(run, name)
          })),
          name,
          { trans, height: 200 }
        )
      })),
    [runs]
  );
  if (lastMetrics.length === 0) {
    return null;
  }
  return (
    <Section title={trans.__('Charts')}>
      {stepSpecs.map(({ name, spec }) => (
        <figure key={name} className="jp-RunsCompare-chart">
          <figcaption>{name}</figcaption>
          <Chart
            spec={spec}
            trans={trans}
            fileName={`compare-${name}`}
            themeVersion={themeVersion}
          />
        </figure>
      ))}
      {params.length > 0 && (
        <>
          <div className="jp-RunsCompare-controls">
            <Choice
              label={trans.__('Metric')}
              value={metric}
              options={lastMetrics}
              onChange={setMetric}
            />
            <Choice
              label={trans.__('Parameter')}
              value={param}
              options={params}
              onChange={setParam}
            />
          </div>
          {axes.length > 0 && (
            <figure className="jp-RunsCompare-chart">
              <figcaption>{trans.__('Parameters → %1', metric)}</figcaption>
              <Chart
                spec={parallelCoordinatesSpec(summaries, axes, metric, {
                  trans
                })}
                trans={trans}
                fileName={`compare-parallel-${metric}`}
                themeVersion={themeVersion}
              />
            </figure>
          )}
          <figure className="jp-RunsCompare-chart">
            <figcaption>{trans.__('%1 against %2', metric, param)}</figcaption>
            <Chart
              spec={scatterSpec(summaries, param, metric, { trans })}
              trans={trans}
              fileName={`compare-${param}-${metric}`}
              themeVersion={themeVersion}
            />
          </figure>
        </>
      )}
    </Section>
  );
}

/**
 * The code and environment differences of two of the runs, chosen by the
 * user: the first two by default.
 */
function PairSection(props: {
  runs: readonly StoredRun.Run[];
  trans: TranslationBundle;
}): React.ReactElement | null {
  const { runs, trans } = props;
  const labels = runs.map(run => `${run.name} (${run.id})`);
  const [oldIndex, setOld] = React.useState(0);
  const [newIndex, setNew] = React.useState(Math.min(1, runs.length - 1));
  const older = runs[oldIndex];
  const newer = runs[newIndex];
  const cells = React.useMemo(
    () => older && newer && diffExecutions(older.executions, newer.executions),
    [older, newer]
  );
  const env = React.useMemo(
    () => older && newer && diffEnvironments(older.env, newer.env),
    [older, newer]
  );
  if (!older || !newer || !cells || !env) {
    return null;
  }
  const pick = (setter: (index: number) => void) => (label: string) =>
    setter(labels.indexOf(label));
  return (
    <>
      <div className="jp-RunsCompare-controls">
        <Choice
          label={trans.__('From')}
          value={labels[oldIndex]}
          options={labels}
          onChange={pick(setOld)}
        />
        <Choice
          label={trans.__('To')}
          value={labels[newIndex]}
          options={labels}
          onChange={pick(setNew)}
        />
      </div>
      <Section title={trans.__('Code')}>
        <p className="jp-RunsCompare-summary">{summarizeCells(cells, trans)}</p>
        <CellDiffs diff={cells} trans={trans} />
      </Section>
      <Section title={trans.__('Packages')}>
        <p className="jp-RunsCompare-summary">
          {summarizeEnvironment(env, trans)}
        </p>
        <EnvDiffTable diff={env} trans={trans} />
      </Section>
    </>
  );
}

function Choice(props: {
  label: string;
  value: string;
  options: readonly string[];
  onChange: (value: string) => void;
}): React.ReactElement {
  return (
    <label className="jp-RunsCompare-choice">
      {props.label}
      <select
        className="jp-mod-styled"
        value={props.value}
        onChange={event => props.onChange(event.target.value)}
      >
        {props.options.map(option => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Save the comparison as a CSV file through the browser.
 */
function downloadCsv(runs: readonly StoredRun.Run[]): void {
  const blob = new Blob([comparisonCsv(runs)], { type: 'text/csv' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = 'runs-comparison.csv';
  link.click();
  URL.revokeObjectURL(url);
}
