import { PathExt, Time } from '@jupyterlab/coreutils';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { statusLabel } from '../capture/view';
import { isSeedLike } from '../compare/seeds';
import type { Runs } from '../tokens';
import type { RunsPanelModel } from './model';
import type { ParamChange, RunRow, SortColumn } from './rows';
import { metricChange } from './rows';

/*
 * One row of the Runs sidebar: what a run is (status, name), what it did
 * (its main metric and how that moved since the run before) and what
 * changed (the parameter badges), laid out by style/history.css.
 */

/**
 * A column of the table.
 */
export type Column = {
  readonly id: SortColumn | 'changes';
  readonly label: string;
  readonly sortable: boolean;
};

/**
 * The table's columns, in the order of the cells of a row. The row does not
 * lay them out side by side: style/history.css wraps them onto two lines
 * that follow the panel's width (name and main metric, then what changed),
 * so a narrow sidebar shows what matters without scrolling sideways.
 */
export function columnsOf(
  model: RunsPanelModel,
  trans: TranslationBundle
): Column[] {
  const columns: Column[] = [
    {
      id: 'status',
      label: trans.__('Status'),
      sortable: true
    },
    {
      id: 'name',
      label: trans.__('Name'),
      sortable: true
    }
  ];
  if (model.allNotebooks) {
    columns.push({
      id: 'notebook',
      label: trans.__('Notebook'),
      sortable: true
    });
  }
  columns.push(
    {
      id: 'started',
      label: trans.__('Started'),
      sortable: true
    },
    {
      id: 'duration',
      label: trans.__('Duration'),
      sortable: true
    }
  );
  for (const name of model.primaryMetrics) {
    columns.push({
      id: `metrics.${name}`,
      label: name,
      sortable: true
    });
  }
  columns.push({
    id: 'changes',
    label: trans.__('Changed'),
    sortable: false
  });
  return columns;
}

/**
 * One run: status, name, start, duration, metrics, changed parameters and
 * tags.
 */
export function RunRowView(props: {
  id: string;
  index: number;
  row: RunRow;
  columns: readonly Column[];
  isSelected: boolean;
  isActive: boolean;
  trans: TranslationBundle;
  onSelect: (event: React.MouseEvent) => void;
  onOpen: () => void;
}): React.ReactElement {
  const {
    id,
    index,
    row,
    columns,
    isSelected,
    isActive,
    trans,
    onSelect,
    onOpen
  } = props;
  const run = row.run;
  const mainMetric = columns.find(column =>
    column.id.startsWith('metrics.')
  )?.id;
  const classes = ['jp-RunsPanel-row', 'jp-RunsPanel-item'];
  if (isSelected) {
    classes.push('jp-mod-selected');
  }
  if (isActive) {
    classes.push('jp-mod-active');
  }
  if (run.pinned) {
    classes.push('jp-mod-pinned');
  }
  if (run.archived) {
    classes.push('jp-mod-archived');
  }
  return (
    <div
      id={id}
      className={classes.join(' ')}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={isSelected}
      aria-current={isActive ? 'true' : undefined}
      data-run-id={run.id}
      onClick={onSelect}
      onDoubleClick={onOpen}
      onMouseDown={event => {
        // A right click on a run outside the selection selects it, so the
        // context menu acts on it; inside, it keeps the selection.
        if (event.button === 2) {
          onSelect(event);
        }
      }}
    >
      {columns.map((column, col) => (
        <div
          key={column.id}
          className={`jp-RunsPanel-cell jp-RunsPanel-cell-${cellClass(column.id)}${
            column.id === mainMetric ? ' jp-mod-main' : ''
          }`}
          role="gridcell"
          aria-colindex={col + 1}
        >
          <CellContent column={column} row={row} trans={trans} />
        </div>
      ))}
      {/* Where the first line (name, main metric) ends. */}
      <div className="jp-RunsPanel-rowBreak" role="presentation" />
    </div>
  );
}

function cellClass(id: Column['id']): string {
  return id.startsWith('metrics.') ? 'metric' : id;
}

function CellContent(props: {
  column: Column;
  row: RunRow;
  trans: TranslationBundle;
}): React.ReactElement | null {
  const { column, row, trans } = props;
  const run = row.run;
  switch (column.id) {
    case 'status': {
      const label = statusLabel(run.status, trans);
      return (
        <span
          className={`jp-RunsPanel-status jp-mod-${run.status}`}
          title={label}
        >
          <span className="jp-RunsPanel-statusDot" aria-hidden="true">
            ●
          </span>
          <span className="jp-RunsPanel-statusLabel">{label}</span>
        </span>
      );
    }
    case 'name': {
      const tooltip =
        run.note !== null && run.note !== undefined
          ? `${run.name}\n${run.note}`
          : run.name;
      return (
        <span className="jp-RunsPanel-runName" title={tooltip}>
          {run.pinned && (
            <span className="jp-RunsPanel-pin" title={trans.__('Pinned')}>
              {trans.__('Pinned')}
            </span>
          )}
          {run.name}
        </span>
      );
    }
    case 'notebook':
      return (
        <span className="jp-RunsPanel-cellText" title={run.notebookPath}>
          {PathExt.basename(run.notebookPath)}
        </span>
      );
    case 'started': {
      const started = new Date(run.startedAt);
      // A stored time outside the range of dates (1e308, say) is no date.
      if (Number.isNaN(started.getTime())) {
        return <span className="jp-RunsPanel-cellText">—</span>;
      }
      return (
        <time
          className="jp-RunsPanel-time"
          dateTime={started.toISOString()}
          title={Time.format(started)}
        >
          {Time.formatHuman(started)}
        </time>
      );
    }
    case 'duration':
      return (
        <span className="jp-RunsPanel-cellText">
          {row.duration === null ? '—' : formatDuration(row.duration, trans)}
        </span>
      );
    case 'changes':
      return (
        <ul className="jp-RunsPanel-badges" aria-label={trans.__('Changes')}>
          {row.changes.map(change => (
            <li key={`p:${change.name}`} className="jp-RunsPanel-badge">
              {formatChange(change)}
            </li>
          ))}
          {row.changes.length > 0 &&
            row.changes.every(change => isSeedLike(change.name)) && (
              <li
                className="jp-RunsPanel-badge jp-mod-seedOnly"
                title={trans.__(
                  'Of its parameters, only the seed differs from the run before: differences in their metrics come from randomness'
                )}
              >
                {trans.__('only the seed changed')}
              </li>
            )}
          {Object.entries(run.tags ?? {}).map(([name, value]) => (
            <li
              key={`t:${name}`}
              className="jp-RunsPanel-badge jp-mod-tag"
              title={trans.__('Tag')}
            >
              {value === '' ? name : `${name}=${value}`}
            </li>
          ))}
        </ul>
      );
  }
  const name = column.id.slice('metrics.'.length);
  const value = Object.prototype.hasOwnProperty.call(run.metrics, name)
    ? run.metrics[name]
    : undefined;
  const change = metricChange(row, name);
  return (
    <span className="jp-RunsPanel-cellText jp-RunsPanel-metric">
      {value === undefined ? '' : formatMetric(value)}
      {change && (
        <>
          {' '}
          <span
            className={`jp-RunsPanel-metricChange jp-mod-${
              change.delta > 0 ? 'up' : change.delta < 0 ? 'down' : 'same'
            }`}
            title={trans.__(
              '%1 since %2: %3',
              name,
              change.previous.name,
              formatMetricDelta(change.delta, change.relative)
            )}
          >
            {formatMetricArrow(change.delta)}
          </span>
        </>
      )}
    </span>
  );
}

/**
 * A metric's change as the row shows it beside the value: `▲0.02`,
 * `▼1.5`, `=0` when it did not move.
 */
export function formatMetricArrow(delta: number): string {
  if (delta === 0) {
    return '=0';
  }
  return `${delta > 0 ? '▲' : '▼'}${METRIC_FORMAT.format(Math.abs(delta))}`;
}

/**
 * A metric's change in full, signed, with its relative size when the
 * previous value was not 0: `+0.02 (+2.53%)`.
 */
export function formatMetricDelta(
  delta: number,
  relative: number | null
): string {
  const sign = (value: number) => (value > 0 ? '+' : value < 0 ? '−' : '±');
  const absolute = `${sign(delta)}${METRIC_FORMAT.format(Math.abs(delta))}`;
  if (relative === null) {
    return absolute;
  }
  return `${absolute} (${sign(relative)}${PERCENT_FORMAT.format(
    Math.abs(relative)
  )})`;
}

const PERCENT_FORMAT = new Intl.NumberFormat(undefined, {
  style: 'percent',
  maximumSignificantDigits: 3
});

/**
 * A changed parameter as a badge: `seed 69→42`; a dash for no value.
 */
export function formatChange(change: ParamChange): string {
  const side = (value: Runs.Scalar | undefined) =>
    value === undefined ? '—' : formatScalar(value);
  return `${change.name} ${side(change.before)}→${side(change.after)}`;
}

/**
 * A duration in seconds, short: `42s`, `3m 05s`, `1h 02m`, `2d 3h`.
 */
export function formatDuration(
  seconds: number,
  trans: TranslationBundle
): string {
  const total = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (total < 60) {
    return trans.__('%1s', total);
  }
  if (total < 3600) {
    return trans.__('%1m %2s', Math.floor(total / 60), pad(total % 60));
  }
  if (total < 86400) {
    return trans.__(
      '%1h %2m',
      Math.floor(total / 3600),
      pad(Math.floor(total / 60) % 60)
    );
  }
  return trans.__(
    '%1d %2h',
    Math.floor(total / 86400),
    Math.floor(total / 3600) % 24
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
