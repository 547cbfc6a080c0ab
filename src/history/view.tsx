import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { SidePanel, VDomRenderer } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { Chart } from '../charts/component';
import { runsChartSpec, trendRuns } from '../charts/specs';
import { runsIcon } from '../icons';
import { CompletingInput } from './completion';
import { RunsPanelModel } from './model';
import type { Column } from './row';
import { columnsOf, RunRowView } from './row';
import type { SortColumn } from './rows';
import {
  escapeToList,
  handleListKey,
  openContextMenuAt,
  returnFocusAfterMenu,
  useFocusedRowMark
} from './keyboard';
import { rowWindow, scrollToRow } from './window';

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

    this._body = new RunsBody(this._model, trans);
    this.addWidget(this._body);
  }

  /**
   * Draw the trend chart again, in the colours of the current theme.
   */
  refreshCharts(): void {
    this._body.themeVersion += 1;
    this._body.update();
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
  private readonly _body: RunsBody;
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

  /**
   * Changes with the theme, so the trend chart draws in its colours.
   */
  themeVersion = 0;

  protected render(): React.ReactElement {
    return (
      <RunsView
        model={this.model}
        trans={this._trans}
        themeVersion={this.themeVersion}
      />
    );
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
  themeVersion: number;
}): React.ReactElement {
  const { model, trans, themeVersion } = props;
  const notebook = model.notebook;
  return (
    <>
      <h2 className="jp-RunsPanel-title">{trans.__('Runs')}</h2>
      <ConnectionStatus model={model} trans={trans} />
      {!model.trackingEnabled && (
        <p className="jp-RunsPanel-notice">
          {trans.__(
            'Tracking is off, so new runs are not recorded. Turn it on in Settings Editor › Runs.'
          )}
        </p>
      )}
      <Controls model={model} trans={trans} />
      {model.allNotebooks ? (
        <NotebookRuns
          title={trans.__('All notebooks')}
          model={model}
          trans={trans}
          themeVersion={themeVersion}
        />
      ) : notebook === null ? (
        <p className="jp-RunsPanel-empty">
          {trans.__('Open a notebook to see its runs.')}
        </p>
      ) : (
        <NotebookRuns
          title={notebook.name}
          tooltip={notebook.path}
          model={model}
          trans={trans}
          themeVersion={themeVersion}
        />
      )}
    </>
  );
}

/**
 * Says when the server cannot be reached and the runs shown are those this
 * browser last read, and that runs recorded meanwhile wait in this browser.
 * The live region is always there, empty while online, so screen readers
 * announce the change both ways.
 */
function ConnectionStatus(props: {
  model: RunsPanelModel;
  trans: TranslationBundle;
}): React.ReactElement {
  const { model, trans } = props;
  const offline = model.offline;
  const localProblem = model.localProblem;
  let content: React.ReactNode = null;
  if (offline !== null) {
    content = (
      <>
        <span className="jp-RunsPanel-offlineBadge">{trans.__('Offline')}</span>
        <span className="jp-RunsPanel-offlineText">
          <span>
            {offline.readAt === null
              ? trans.__('Showing the runs this browser last read.')
              : trans.__(
                  'Showing the runs this browser last read, at %1.',
                  CLOCK_FORMAT.format(new Date(offline.readAt))
                )}
          </span>{' '}
          <span className="jp-RunsPanel-pending">
            {localProblem === null
              ? trans.__(
                  'Runs recorded meanwhile are kept in this browser and saved when the server is back.'
                )
              : trans.__(
                  'Runs recorded meanwhile are kept in this page and saved when the server is back; a reload loses them, as this browser cannot store them (%1).',
                  localProblem
                )}
          </span>
        </span>
      </>
    );
  }
  return (
    <>
      <WritesRefused model={model} trans={trans} />
      <div
        className="jp-RunsPanel-connection"
        role="status"
        title={
          offline === null
            ? undefined
            : trans.__(
                'The Jupyter server cannot be reached (%1). The runs are asked for again every few seconds.',
                offline.reason
              )
        }
      >
        {content}
      </div>
    </>
  );
}

/**
 * Says that the server answers writes with an error (a read-only store
 * folder, a full disk), with a button to try again now. Not "Offline": the
 * server answers, and the runs shown are read from it.
 */
function WritesRefused(props: {
  model: RunsPanelModel;
  trans: TranslationBundle;
}): React.ReactElement | null {
  const { model, trans } = props;
  const refused = model.refused;
  if (refused === null) {
    return null;
  }
  return (
    <div className="jp-RunsPanel-refused" role="alert">
      <p className="jp-RunsPanel-refusedText">
        {trans.__(
          'Not saving: the server refused to write %1 (%2). Runs are kept in this browser and saved once the store folder can be written.',
          refused.path,
          refused.reason
        )}
      </p>
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-reject jp-RunsPanel-retry"
        title={trans.__('Try the writes waiting in this browser again now')}
        onClick={() => model.retryNow()}
      >
        {trans.__('Retry now')}
      </button>
    </div>
  );
}

/**
 * The time of day, as the user's locale writes hours and minutes.
 */
const CLOCK_FORMAT = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit'
});

/**
 * A labelled checkbox above the table.
 */
function Switch(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}): React.ReactElement {
  return (
    <label className="jp-RunsPanel-switch">
      <input
        type="checkbox"
        checked={props.checked}
        onChange={event => props.onChange(event.currentTarget.checked)}
      />
      {props.label}
    </label>
  );
}

/**
 * The filter box and the switches above the table.
 */
function Controls(props: {
  model: RunsPanelModel;
  trans: TranslationBundle;
}): React.ReactElement {
  const { model, trans } = props;
  const error = model.queryError;
  const errorId = 'jp-RunsPanel-filterError';
  return (
    <div className="jp-RunsPanel-controls">
      <FilterBox model={model} trans={trans} errorId={error ? errorId : null} />
      {error && (
        <p id={errorId} className="jp-RunsPanel-filterError" role="alert">
          {error.message}
        </p>
      )}
      <div className="jp-RunsPanel-switches">
        <Switch
          label={trans.__('All notebooks')}
          checked={model.allNotebooks}
          onChange={checked => (model.allNotebooks = checked)}
        />
        <Switch
          label={trans.__('Archived')}
          checked={model.showArchived}
          onChange={checked => (model.showArchived = checked)}
        />
      </div>
    </div>
  );
}

/**
 * The filter input. It keeps what is typed itself: the model answers after
 * the next render, and a controlled input would lose the caret meanwhile.
 */
function FilterBox(props: {
  model: RunsPanelModel;
  trans: TranslationBundle;
  errorId: string | null;
}): React.ReactElement {
  const { model, trans, errorId } = props;
  const [text, setText] = React.useState(model.queryText);
  return (
    <CompletingInput
      inputProps={{
        type: 'search',
        className: 'jp-RunsPanel-filter',
        'aria-label': trans.__('Filter runs'),
        'aria-invalid': errorId !== null,
        'aria-describedby': errorId ?? undefined,
        placeholder: trans.__('Filter, e.g. status = failed'),
        spellCheck: false
      }}
      runs={model.runs}
      trans={trans}
      value={text}
      onKeyDown={escapeToList}
      onValue={value => {
        setText(value);
        model.queryText = value;
      }}
    />
  );
}

/**
 * The runs shown, under the notebook's name.
 */
function NotebookRuns(props: {
  title: string;
  tooltip?: string;
  model: RunsPanelModel;
  trans: TranslationBundle;
  themeVersion: number;
}): React.ReactElement {
  const { title, tooltip, model, trans, themeVersion } = props;
  const rows = model.rows;
  let empty: string | null = null;
  if (rows.length === 0) {
    if (model.isLoading) {
      empty = trans.__('Reading the runs…');
    } else if (model.runs.length === 0 && model.offline !== null) {
      empty = trans.__(
        'This browser has not read these runs before: they show once the server answers.'
      );
    } else if (model.runs.length === 0) {
      empty = model.allNotebooks
        ? trans.__('No runs recorded yet.')
        : trans.__('No runs recorded for %1 yet.', title);
    } else if (model.queryError) {
      empty = trans.__('No runs are shown until the filter can be read.');
    } else {
      empty = trans.__('No run matches the filter.');
    }
  }
  return (
    <section className="jp-RunsPanel-notebook">
      <h3 className="jp-RunsPanel-notebookName" title={tooltip}>
        {title}
      </h3>
      <Problems model={model} trans={trans} />
      <RunsTrend model={model} trans={trans} themeVersion={themeVersion} />
      {empty === null ? (
        <RunsTable model={model} trans={trans} />
      ) : (
        <p className="jp-RunsPanel-empty">{empty}</p>
      )}
    </section>
  );
}

/**
 * The first main metric across the runs shown, once two runs have it;
 * clicking a point selects its run in the table.
 */
function RunsTrend(props: {
  model: RunsPanelModel;
  trans: TranslationBundle;
  themeVersion: number;
}): React.ReactElement | null {
  const { model, trans, themeVersion } = props;
  const metric = model.primaryMetrics[0] ?? null;
  const runs = model.rows.map(row => row.run);
  const plotted = metric ? trendRuns(runs, metric).length : 0;
  const built = React.useMemo(
    () =>
      metric
        ? runsChartSpec(runs, metric, {
            trans,
            height: 110,
            maxRuns: MAX_TREND_RUNS
          })
        : null,
    [model.rows, metric]
  );
  // The list is read again every few seconds while a run goes on; the chart
  // is drawn again only when what it shows changed.
  const spec = useStableValue(built);
  if (!spec || !metric || plotted < 2) {
    return null;
  }
  const onRunSelected = (runId: string | null) => {
    const run = runId
      ? model.rows.find(row => row.run.id === runId)?.run
      : null;
    model.select(run ? RunsPanelModel.rowKey(run) : null);
  };
  return (
    <figure
      className="jp-RunsPanel-trend"
      aria-label={trans.__('%1 across runs', metric)}
    >
      <Chart
        spec={spec}
        trans={trans}
        fileName={`runs-${metric}`}
        themeVersion={themeVersion}
        onRunSelected={onRunSelected}
        // At most MAX_TREND_RUNS points: SVG draws them as fast as a canvas,
        // and keeps each point an element the page can find and hover.
        renderer="svg"
      />
      {plotted > MAX_TREND_RUNS && (
        <figcaption className="jp-RunsPanel-trendNote">
          {trans.__(
            'The newest %1 of %2 runs with %3.',
            MAX_TREND_RUNS.toLocaleString(),
            plotted.toLocaleString(),
            metric
          )}
        </figcaption>
      )}
    </figure>
  );
}

/**
 * How many runs the sidebar's trend plots at most: in a sidebar's width,
 * more are a blur, and thousands take seconds to draw.
 */
const MAX_TREND_RUNS = 500;

/**
 * `value`, or the previous value when it is the same as JSON: an object
 * that changes only when its content does.
 */
function useStableValue<T>(value: T): T {
  const last = React.useRef<{ input: T; value: T; json: string } | null>(null);
  // Rendered every second while a run goes on: compare only a new value.
  if (last.current?.input !== value) {
    const json = JSON.stringify(value);
    last.current =
      last.current === null || last.current.json !== json
        ? { input: value, value, json }
        : { ...last.current, input: value };
  }
  return last.current.value;
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
  const item = (line: string, index: number) => (
    <li key={index} className="jp-RunsPanel-problem">
      {line}
    </li>
  );
  // Many lines (a store written by a newer version, say) would push the
  // runs out of view: the first few show, the rest on demand.
  const shown =
    lines.length > PROBLEMS_SHOWN + 1 ? PROBLEMS_SHOWN : lines.length;
  return (
    <div className="jp-RunsPanel-problems">
      <ul aria-label={trans.__('Problems')}>
        {lines.slice(0, shown).map(item)}
      </ul>
      {shown < lines.length && (
        <details>
          <summary>
            {trans._n(
              '%1 more problem',
              '%1 more problems',
              lines.length - shown
            )}
          </summary>
          <ul aria-label={trans.__('More problems')}>
            {lines.slice(shown).map((line, index) => item(line, shown + index))}
          </ul>
        </details>
      )}
    </div>
  );
}

/**
 * How many problem lines show before the rest are folded away.
 */
const PROBLEMS_SHOWN = 3;

export {
  formatChange,
  formatDuration,
  formatMetric,
  formatMetricArrow,
  formatMetricDelta,
  formatScalar
} from './row';

/**
 * The height of a row in pixels, as style/history.css draws it (two lines:
 * name and main metric, then what changed): the table renders only the rows
 * in view, and places them by this height.
 */
export const ROW_HEIGHT = 42;

/**
 * The viewport height assumed before the table is laid out.
 */
const DEFAULT_VIEWPORT = 480;

/**
 * The runs as a grid: one row per run, sortable column headers, only the
 * rows in view rendered. The keys are those of a list whose runs can be
 * selected several at once (./keyboard.ts); a click selects, Ctrl/Cmd-click
 * and Shift-click select several; Enter and a double click open the run.
 */
function RunsTable(props: {
  model: RunsPanelModel;
  trans: TranslationBundle;
}): React.ReactElement {
  const { model, trans } = props;
  const rows = model.rows;
  const columns = columnsOf(model, trans);
  const scroller = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [viewport, setViewport] = React.useState(DEFAULT_VIEWPORT);
  // Set by the keyboard: the selection is then scrolled into view.
  const follow = React.useRef(false);

  React.useLayoutEffect(() => {
    const node = scroller.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() => {
      setViewport(bodyHeight(node));
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  const selectedIndex = model.selectedIndex;
  React.useLayoutEffect(() => {
    const node = scroller.current;
    if (!follow.current || !node || selectedIndex < 0) {
      return;
    }
    follow.current = false;
    const top = scrollToRow(
      selectedIndex,
      node.scrollTop,
      bodyHeight(node),
      ROW_HEIGHT
    );
    if (top !== node.scrollTop) {
      node.scrollTop = top;
      setScrollTop(top);
    }
  }, [selectedIndex]);

  const window = rowWindow(scrollTop, viewport, ROW_HEIGHT, rows.length);
  const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
  // The keys of a multi-select list (./keyboard.ts); the context menu
  // opens at the focused row, scrolled into view first.
  const openMenu = () => {
    const node = scroller.current;
    const index = model.selectedIndex;
    if (!node || index < 0) {
      return;
    }
    const row = node.ownerDocument.getElementById(rowId(index));
    if (row) {
      openContextMenuAt(row);
      return;
    }
    const top = scrollToRow(
      index,
      node.scrollTop,
      bodyHeight(node),
      ROW_HEIGHT
    );
    node.scrollTop = top;
    setScrollTop(top);
    setTimeout(() => {
      const drawn = node.ownerDocument.getElementById(rowId(index));
      if (drawn) {
        openContextMenuAt(drawn);
      }
    }, 0);
  };
  const onKeyDown = (event: React.KeyboardEvent<HTMLElement>) =>
    handleListKey(event, model, {
      page,
      follow: () => {
        follow.current = true;
      },
      openMenu
    });
  // Escape in the context menu opened on a run gives the keyboard back to
  // the list.
  const stopWaiting = React.useRef<(() => void) | null>(null);
  React.useEffect(() => () => stopWaiting.current?.(), []);
  const onContextMenu = () => {
    stopWaiting.current?.();
    stopWaiting.current = scroller.current
      ? returnFocusAfterMenu(scroller.current)
      : null;
  };

  const activeRunId = model.activeRunId;
  const shown = rows.slice(window.start, window.end);
  const activeDescendant =
    selectedIndex >= window.start && selectedIndex < window.end
      ? rowId(selectedIndex)
      : undefined;
  useFocusedRowMark(scroller, activeDescendant);
  return (
    <div
      ref={scroller}
      className="jp-RunsPanel-table"
      role="grid"
      aria-label={trans.__('Runs')}
      aria-rowcount={rows.length + 1}
      aria-colcount={columns.length}
      aria-activedescendant={activeDescendant}
      aria-multiselectable="true"
      tabIndex={0}
      onKeyDown={onKeyDown}
      onContextMenu={onContextMenu}
      onScroll={event => {
        setScrollTop(event.currentTarget.scrollTop);
        setViewport(bodyHeight(event.currentTarget));
      }}
    >
      <div className="jp-RunsPanel-head" role="rowgroup">
        <div className="jp-RunsPanel-row" role="row" aria-rowindex={1}>
          {columns.map((column, index) => (
            <HeaderCell
              key={column.id}
              column={column}
              index={index}
              model={model}
            />
          ))}
        </div>
      </div>
      <div className="jp-RunsPanel-rows" role="rowgroup">
        <div role="presentation" style={{ height: window.before }} />
        {shown.map((row, offset) => {
          const index = window.start + offset;
          const key = RunsPanelModel.rowKey(row.run);
          return (
            <RunRowView
              key={key}
              id={rowId(index)}
              index={index}
              row={row}
              columns={columns}
              isSelected={model.isSelected(key)}
              isActive={row.run.id === activeRunId}
              trans={trans}
              onSelect={event => {
                if (event.ctrlKey || event.metaKey) {
                  model.toggleSelected(key);
                } else if (event.shiftKey) {
                  model.selectRange(key);
                } else if (!model.isSelected(key) || event.button === 0) {
                  model.select(key);
                }
              }}
              onOpen={() => model.open(row.run)}
            />
          );
        })}
        <div role="presentation" style={{ height: window.after }} />
      </div>
    </div>
  );
}

/**
 * The height the rows are seen through: the table's, less its header (whose
 * sort buttons wrap onto more lines in a narrow panel).
 */
function bodyHeight(node: HTMLElement): number {
  const height = node.clientHeight;
  const head = node.firstElementChild as HTMLElement | null;
  return height > 0
    ? Math.max(0, height - (head?.offsetHeight || ROW_HEIGHT))
    : DEFAULT_VIEWPORT;
}

function rowId(index: number): string {
  return `jp-RunsPanel-row-${index}`;
}

/**
 * A column header: a button sorting by the column, with `aria-sort`.
 */
function HeaderCell(props: {
  column: Column;
  index: number;
  model: RunsPanelModel;
}): React.ReactElement {
  const { column, index, model } = props;
  const sort = model.sort;
  const sorted = sort.column === column.id ? sort.direction : undefined;
  return (
    <div
      className={`jp-RunsPanel-header${sorted ? ' jp-mod-sorted' : ''}`}
      role="columnheader"
      aria-colindex={index + 1}
      aria-sort={column.sortable ? (sorted ?? 'none') : undefined}
      title={column.label}
    >
      {column.sortable ? (
        <button
          type="button"
          className="jp-RunsPanel-sortButton"
          onClick={() => model.sortBy(column.id as SortColumn)}
        >
          <span className="jp-RunsPanel-headerLabel">{column.label}</span>
          {sorted && (
            <span className="jp-RunsPanel-sortArrow" aria-hidden="true">
              {sorted === 'ascending' ? '▲' : '▼'}
            </span>
          )}
        </button>
      ) : (
        <span className="jp-RunsPanel-headerLabel">{column.label}</span>
      )}
    </div>
  );
}
