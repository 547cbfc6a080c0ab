import { Time } from '@jupyterlab/coreutils';
import type { NotebookPanel, NotebookTracker } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import type { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { RunsPanelModel } from '../history/model';
import {
  formatChange,
  formatDuration,
  formatMetric,
  formatMetricArrow,
  formatMetricDelta,
  formatScalar,
  RunsPanel
} from '../history/view';
import type { IActiveRuns, Runs } from '../tokens';
import { FakeRunStore, runSummary, settle } from './capture-fakes';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { TrackedNotebooks } from './notebooks';
import { drawnCharts } from './chart-fakes';

/**
 * Let the store answer, then deliver update requests and wait for React.
 */
async function rendered(panel: RunsPanel): Promise<HTMLElement> {
  await settle();
  MessageLoop.flush();
  await (panel.widgets[0] as ReactWidget).renderPromise;
  return panel.node;
}

const STARTED = Date.UTC(2024, 4, 6, 7, 8, 9);

/**
 * Change the fake store's health as RunStore does: the new state, then the
 * signal.
 */
function setHealth(
  store: FakeRunStore,
  change: Partial<Runs.StoreHealth>
): void {
  store.health = { ...store.health, ...change };
  store.healthChanged.emit(store.health);
}

jest.mock('../charts/host', () => ({
  ChartHost: jest.requireActual('./chart-fakes').FakeChartHost
}));

describe('RunsPanel (runs)', () => {
  let notebooks: NotebookTracker;
  let store: FakeRunStore;
  let active: Runs.ActiveRun | null;
  let panel: RunsPanel;
  let opened: TrackedNotebooks;

  function openNotebook(path: string): Promise<NotebookPanel> {
    return opened.open(path);
  }

  beforeEach(async () => {
    const settings = await resolveRunsSettings(createSettingRegistry());
    opened = new TrackedNotebooks();
    notebooks = opened.tracker;
    store = new FakeRunStore();
    active = null;
    const activeRuns = new (class implements IActiveRuns {
      readonly changed: Signal<IActiveRuns, string> = new Signal(this);
      get(): Runs.ActiveRun | null {
        return active;
      }
    })();
    const model = new RunsPanelModel({
      settings,
      notebooks,
      store,
      activeRuns
    });
    panel = new RunsPanel({ model, translator: nullTranslator });
    Widget.attach(panel, document.body);
  });

  afterEach(() => {
    panel.dispose();
    opened.dispose();
  });

  it('should show one row per run: status, name, start, duration, metrics and changed params', async () => {
    store.lists.set('train.ipynb', {
      runs: [
        runSummary({
          id: 'r2',
          name: 'calm-heron-2',
          status: 'crashed',
          startedAt: STARTED,
          endedAt: STARTED + 185_000,
          params: { seed: 42, alpha: 0.5 },
          metrics: { rmse: 6.61234, r2: null }
        }),
        runSummary({
          id: 'r1',
          name: 'brave-otter-1',
          startedAt: STARTED - 1000,
          params: { seed: 69, alpha: 0.5 },
          metrics: { rmse: 7 },
          tags: { model: 'xgboost' }
        })
      ],
      problems: []
    });
    await openNotebook('train.ipynb');
    const node = await rendered(panel);

    const grid = node.querySelector('[role="grid"]')!;
    expect(grid.getAttribute('aria-rowcount')).toBe('3');
    expect(
      [...grid.querySelectorAll('[role="columnheader"]')].map(
        header => header.textContent
      )
    ).toEqual([
      'Status',
      'Name',
      'Started▼',
      'Duration',
      'rmse',
      'r2',
      'Changed'
    ]);

    const items = node.querySelectorAll('.jp-RunsPanel-item');
    expect(items).toHaveLength(2);
    const first = items[0];
    expect(first.querySelector('.jp-RunsPanel-runName')?.textContent).toBe(
      'calm-heron-2'
    );
    const status = first.querySelector('.jp-RunsPanel-status');
    expect(status?.textContent).toBe('●crashed');
    expect(status?.classList.contains('jp-mod-crashed')).toBe(true);
    const time = first.querySelector('time');
    expect(time?.getAttribute('title')).toBe(Time.format(new Date(STARTED)));
    expect(time?.getAttribute('dateTime')).toBe('2024-05-06T07:08:09.000Z');
    expect(time?.textContent).toBe(Time.formatHuman(new Date(STARTED)));
    expect(
      [...first.querySelectorAll('[role="gridcell"]')]
        .slice(3)
        .map(cell => cell.textContent)
    ).toEqual([
      '3m 05s',
      '6.612 ▼0.3877',
      '—',
      'seed 69→42only the seed changed'
    ]);
    // Said in words when the seed is all that changed.
    expect(first.querySelector('.jp-mod-seedOnly')?.textContent).toBe(
      'only the seed changed'
    );
    expect(items[1].querySelector('.jp-mod-tag')?.textContent).toBe(
      'model=xgboost'
    );
    expect(node.textContent).not.toContain('No runs recorded');
  });

  it('should show in the row how the main metric moved since the run before, and end its first line after it', async () => {
    store.lists.set('train.ipynb', {
      runs: [
        runSummary({
          id: 'r2',
          name: 'calm-heron-2',
          startedAt: STARTED,
          params: { seed: 42 },
          metrics: { accuracy: 0.83 }
        }),
        runSummary({
          id: 'r1',
          name: 'brave-otter-1',
          startedAt: STARTED - 1000,
          params: { seed: 69 },
          metrics: { accuracy: 0.81 }
        })
      ],
      problems: []
    });
    await openNotebook('train.ipynb');
    const node = await rendered(panel);

    const [newer, older] = node.querySelectorAll('.jp-RunsPanel-item');
    const main = newer.querySelector('.jp-RunsPanel-cell-metric.jp-mod-main');
    expect(main?.textContent).toBe('0.83 ▲0.02');
    expect(
      main?.querySelector('.jp-RunsPanel-metricChange')?.getAttribute('title')
    ).toBe('accuracy since brave-otter-1: +0.02 (+2.47%)');
    // The first run has nothing to be measured against.
    expect(older.querySelector('.jp-RunsPanel-metricChange')).toBeNull();
    // Name and metric on the first line, the badges after the break.
    expect(newer.querySelector('.jp-RunsPanel-rowBreak')).not.toBeNull();
    expect(
      newer.querySelector('.jp-RunsPanel-cell-changes')?.textContent
    ).toContain('seed 69→42');
  });

  it('should chart the main metric across runs once two have it, a click selecting', async () => {
    drawnCharts.length = 0;
    store.lists.set('train.ipynb', {
      runs: [
        runSummary({ id: 'r2', startedAt: STARTED, metrics: { rmse: 6.6 } }),
        runSummary({ id: 'r1', startedAt: STARTED - 1, metrics: { rmse: 7 } })
      ],
      problems: []
    });
    await openNotebook('train.ipynb');
    const node = await rendered(panel);
    await new Promise(resolve => setTimeout(resolve, 10));

    expect(node.querySelector('.jp-RunsPanel-trend')).not.toBeNull();
    expect(JSON.stringify(drawnCharts[drawnCharts.length - 1].spec)).toContain(
      '6.6'
    );
    drawnCharts[drawnCharts.length - 1].select?.('r1');
    expect(panel.model.selectedRun?.id).toBe('r1');
  });

  it('should not chart a single run', async () => {
    store.lists.set('train.ipynb', {
      runs: [runSummary({ id: 'r1', metrics: { rmse: 7 } })],
      problems: []
    });
    await openNotebook('train.ipynb');
    const node = await rendered(panel);
    expect(node.querySelector('.jp-RunsPanel-trend')).toBeNull();
  });

  it('should render only the rows in view of 10,000 runs', async () => {
    const runs = Array.from({ length: 10_000 }, (_, i) =>
      runSummary({ id: `r${10_000 - i}`, startedAt: STARTED - i * 1000 })
    );
    store.lists.set('train.ipynb', { runs, problems: [] });
    await openNotebook('train.ipynb');
    const node = await rendered(panel);

    const grid = node.querySelector('[role="grid"]')!;
    expect(grid.getAttribute('aria-rowcount')).toBe('10001');
    const rows = node.querySelectorAll('.jp-RunsPanel-item');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(50);
    expect(rows[0].getAttribute('aria-rowindex')).toBe('2');
  });

  it('should sort by a column header and say so with aria-sort', async () => {
    store.lists.set('train.ipynb', {
      runs: [
        runSummary({ id: 'r2', name: 'b-run', startedAt: STARTED }),
        runSummary({ id: 'r1', name: 'a-run', startedAt: STARTED - 1 })
      ],
      problems: []
    });
    await openNotebook('train.ipynb');
    let node = await rendered(panel);
    const nameHeader = () =>
      [...node.querySelectorAll('[role="columnheader"]')].find(header =>
        header.textContent?.startsWith('Name')
      )!;
    expect(nameHeader().getAttribute('aria-sort')).toBe('none');

    nameHeader().querySelector('button')!.click();
    node = await rendered(panel);
    expect(nameHeader().getAttribute('aria-sort')).toBe('ascending');
    expect(
      [...node.querySelectorAll('.jp-RunsPanel-runName')].map(
        name => name.textContent
      )
    ).toEqual(['a-run', 'b-run']);
  });

  it('should move the selection with the arrow keys', async () => {
    store.lists.set('train.ipynb', {
      runs: [runSummary({ id: 'r2' }), runSummary({ id: 'r1' })],
      problems: []
    });
    await openNotebook('train.ipynb');
    let node = await rendered(panel);
    const grid = node.querySelector('[role="grid"]')!;
    const press = (key: string) =>
      grid.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));

    press('ArrowDown');
    node = await rendered(panel);
    expect(panel.model.selectedRun?.id).toBe('r2');
    press('ArrowDown');
    press('ArrowDown');
    node = await rendered(panel);
    expect(panel.model.selectedRun?.id).toBe('r1');
    const selected = node.querySelector('[aria-selected="true"]')!;
    expect(selected.getAttribute('data-run-id')).toBe('r1');
    expect(grid.getAttribute('aria-activedescendant')).toBe(selected.id);
  });

  describe('keyboard', () => {
    const FOUR = ['r4', 'r3', 'r2', 'r1'].map((id, n) =>
      runSummary({ id, name: `run-${id}`, startedAt: STARTED - n * 1000 })
    );

    async function listOf(): Promise<HTMLElement> {
      store.lists.set('train.ipynb', { runs: FOUR, problems: [] });
      await openNotebook('train.ipynb');
      const node = await rendered(panel);
      return node.querySelector<HTMLElement>('[role="grid"]')!;
    }

    function press(
      target: Element,
      key: string,
      modifiers: KeyboardEventInit = {}
    ): KeyboardEvent {
      const event = new KeyboardEvent('keydown', {
        key,
        bubbles: true,
        cancelable: true,
        ...modifiers
      });
      target.dispatchEvent(event);
      return event;
    }

    const selectedIds = (node: Element) =>
      [...node.querySelectorAll('[aria-selected="true"]')].map(row =>
        row.getAttribute('data-run-id')
      );

    it('should select runs with Shift+Arrow and Ctrl/Cmd+Space, and all of them with Ctrl/Cmd+A', async () => {
      const grid = await listOf();
      expect(grid.getAttribute('aria-multiselectable')).toBe('true');
      press(grid, 'ArrowDown');
      press(grid, 'ArrowDown', { shiftKey: true });
      await rendered(panel);
      expect(selectedIds(grid)).toEqual(['r4', 'r3']);
      // The focused row is marked apart from the selection.
      const focused = grid.querySelector('.jp-mod-focused')!;
      expect(focused.getAttribute('data-run-id')).toBe('r3');
      expect(grid.getAttribute('aria-activedescendant')).toBe(focused.id);

      // Ctrl+Down moves the focus only; Ctrl+Space adds the focused run.
      press(grid, 'ArrowDown', { ctrlKey: true });
      press(grid, 'ArrowDown', { ctrlKey: true });
      await rendered(panel);
      expect(selectedIds(grid)).toEqual(['r4', 'r3']);
      expect(
        grid.querySelector('.jp-mod-focused')?.getAttribute('data-run-id')
      ).toBe('r1');
      expect(grid.querySelectorAll('.jp-mod-focused')).toHaveLength(1);
      const toggle = press(grid, ' ', { ctrlKey: true });
      expect(toggle.defaultPrevented).toBe(true);
      await rendered(panel);
      expect(selectedIds(grid)).toEqual(['r4', 'r3', 'r1']);

      const all = press(grid, 'a', { metaKey: true });
      expect(all.defaultPrevented).toBe(true);
      await rendered(panel);
      expect(selectedIds(grid)).toEqual(['r4', 'r3', 'r2', 'r1']);
      // A plain arrow goes back to one run.
      press(grid, 'ArrowUp');
      await rendered(panel);
      expect(selectedIds(grid)).toEqual(['r2']);
    });

    it.each([
      ['Shift+F10', 'F10', { shiftKey: true }],
      ['the context-menu key', 'ContextMenu', {}]
    ])(
      'should open the context menu at the focused run with %s',
      async (_name, key, modifiers) => {
        const grid = await listOf();
        press(grid, 'ArrowDown');
        press(grid, 'ArrowDown');
        await rendered(panel);
        const menus: MouseEvent[] = [];
        const listen = (event: Event) => menus.push(event as MouseEvent);
        document.addEventListener('contextmenu', listen);
        try {
          const event = press(grid, key, modifiers);
          expect(event.defaultPrevented).toBe(true);
        } finally {
          document.removeEventListener('contextmenu', listen);
        }
        expect(menus).toHaveLength(1);
        expect(menus[0].shiftKey).toBe(false);
        const target = menus[0].target as HTMLElement;
        expect(target.getAttribute('data-run-id')).toBe('r3');
        expect(target.classList.contains('jp-RunsPanel-item')).toBe(true);
        // Opening the menu from the keyboard keeps the selection.
        expect(panel.model.selectedRun?.id).toBe('r3');
      }
    );

    it('should give the keyboard back to the list with Escape, from the filter and from the menu', async () => {
      const grid = await listOf();
      const filter = panel.node.querySelector<HTMLInputElement>(
        'input[aria-label="Filter runs"]'
      )!;
      filter.focus();
      const escape = press(filter, 'Escape');
      expect(escape.defaultPrevented).toBe(true);
      expect(document.activeElement).toBe(grid);

      // A menu opened on a run takes the focus; Escape closes it.
      press(grid, 'ArrowDown');
      await rendered(panel);
      const menu = document.createElement('div');
      menu.className = 'lm-Menu';
      menu.tabIndex = -1;
      grid
        .querySelector('.jp-RunsPanel-item')!
        .addEventListener('contextmenu', () => {
          document.body.appendChild(menu);
          menu.focus();
        });
      press(grid, 'F10', { shiftKey: true });
      expect(document.activeElement).toBe(menu);
      menu.addEventListener('keydown', () => menu.remove());
      press(menu, 'Escape');
      await new Promise(resolve => setTimeout(resolve, 0));
      expect(document.activeElement).toBe(grid);
      expect(grid.getAttribute('aria-activedescendant')).toBe(
        grid.querySelector('.jp-mod-focused')?.id
      );
    });

    it('should let Tab reach the sort headers, whose keys are their own', async () => {
      const grid = await listOf();
      const buttons = [
        ...grid.querySelectorAll<HTMLButtonElement>(
          '[role="columnheader"] button'
        )
      ];
      expect(buttons.length).toBeGreaterThan(0);
      for (const button of buttons) {
        expect(button.tabIndex).toBe(0);
      }
      const enter = press(buttons[1], 'Enter');
      // Left to the button (a click), not taken as opening a run.
      expect(enter.defaultPrevented).toBe(false);
      press(buttons[1], 'ArrowDown');
      expect(panel.model.selectedKey).toBeNull();
    });

    it('should mark the current run and the selected runs each their own way', async () => {
      active = {
        id: 'r3',
        name: 'run-r3',
        status: 'running',
        paramsCount: 0,
        metricsCount: 0
      };
      const grid = await listOf();
      press(grid, 'ArrowDown');
      await rendered(panel);
      const rows = [...grid.querySelectorAll('.jp-RunsPanel-item')];
      const [selected, current] = rows;
      expect(selected.getAttribute('aria-selected')).toBe('true');
      expect(selected.hasAttribute('aria-current')).toBe(false);
      expect(selected.classList.contains('jp-mod-active')).toBe(false);
      expect(current.getAttribute('aria-selected')).toBe('false');
      expect(current.getAttribute('aria-current')).toBe('true');
      expect(current.classList.contains('jp-mod-selected')).toBe(false);
    });
  });

  it('should filter with the query, and show why a query cannot be read', async () => {
    store.lists.set('train.ipynb', {
      runs: [
        runSummary({ id: 'r2', status: 'failed' }),
        runSummary({ id: 'r1' })
      ],
      problems: []
    });
    await openNotebook('train.ipynb');
    let node = await rendered(panel);
    const input = node.querySelector<HTMLInputElement>(
      'input[aria-label="Filter runs"]'
    )!;
    const type = (text: string) => {
      Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        'value'
      )!.set!.call(input, text);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };

    type('status = failed');
    node = await rendered(panel);
    expect(node.querySelectorAll('.jp-RunsPanel-item')).toHaveLength(1);
    expect(node.querySelector('[role="alert"]')).toBeNull();

    type('stauts = failed');
    node = await rendered(panel);
    const alert = node.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Unknown field "stauts" at column 1');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    // No result is shown that is not the query's: the table says why.
    expect(node.querySelectorAll('.jp-RunsPanel-item')).toHaveLength(0);
    expect(node.textContent).toContain(
      'No runs are shown until the filter can be read.'
    );

    type('status = crashed');
    node = await rendered(panel);
    expect(node.textContent).toContain('No run matches the filter.');
  });

  it('should complete field names in the filter: arrows choose, Tab takes one, Escape closes', async () => {
    store.lists.set('train.ipynb', {
      runs: [
        runSummary({ id: 'r2', params: { seed: 42, session: 'b' } }),
        runSummary({
          id: 'r1',
          params: { seed: 69, session: 'a' },
          pinned: true
        })
      ],
      problems: []
    });
    await openNotebook('train.ipynb');
    let node = await rendered(panel);
    const input = node.querySelector<HTMLInputElement>(
      'input[aria-label="Filter runs"]'
    )!;
    const type = (text: string) => {
      Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        'value'
      )!.set!.call(input, text);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    const press = (key: string) => {
      const event = new KeyboardEvent('keydown', {
        key,
        bubbles: true,
        cancelable: true
      });
      input.dispatchEvent(event);
      return event;
    };
    const active = () =>
      document.getElementById(input.getAttribute('aria-activedescendant')!)
        ?.textContent;
    input.focus();

    type('params.se');
    node = await rendered(panel);
    const list = node.querySelector('[role="listbox"]')!;
    expect(
      [...list.querySelectorAll('[role="option"]')].map(o => o.textContent)
    ).toEqual(['params.seed', 'params.session']);
    expect(input.getAttribute('role')).toBe('combobox');
    expect(input.getAttribute('aria-autocomplete')).toBe('list');
    expect(input.getAttribute('aria-expanded')).toBe('true');
    expect(input.getAttribute('aria-controls')).toBe(list.id);
    expect(active()).toBe('params.seed');

    expect(press('ArrowDown').defaultPrevented).toBe(true);
    await rendered(panel);
    expect(active()).toBe('params.session');
    press('ArrowDown');
    await rendered(panel);
    expect(active()).toBe('params.seed');
    press('ArrowUp');
    await rendered(panel);
    expect(active()).toBe('params.session');
    expect(
      node.querySelector('[role="option"][aria-selected="true"]')?.textContent
    ).toBe('params.session');

    expect(press('Tab').defaultPrevented).toBe(true);
    node = await rendered(panel);
    expect(input.value).toBe('params.session');
    expect(input.selectionStart).toBe('params.session'.length);
    expect(panel.model.queryText).toBe('params.session');
    expect(node.querySelector('[role="listbox"]')).toBeNull();
    expect(input.getAttribute('aria-expanded')).toBe('false');
    expect(input.hasAttribute('aria-activedescendant')).toBe(false);
    expect(document.activeElement).toBe(input);

    // Nothing is offered where a value goes.
    type('params.seed = 6');
    node = await rendered(panel);
    expect(node.querySelector('[role="listbox"]')).toBeNull();

    // A first Escape closes the list, a second gives the keyboard to the runs
    // (listed: attributes are read in any case, and r1 is pinned).
    type('Pinned');
    node = await rendered(panel);
    expect(node.querySelector('[role="listbox"]')).not.toBeNull();
    expect(press('Escape').defaultPrevented).toBe(true);
    node = await rendered(panel);
    expect(node.querySelector('[role="listbox"]')).toBeNull();
    expect(document.activeElement).toBe(input);
    press('Escape');
    expect(document.activeElement).toBe(node.querySelector('[role="grid"]'));
  });

  it("should show all notebooks' runs when switched on", async () => {
    store.lists.set('train.ipynb', {
      runs: [runSummary({ id: 'r1' })],
      problems: []
    });
    store.lists.set('eval.ipynb', {
      runs: [runSummary({ id: 'e1', notebookPath: 'eval.ipynb' })],
      problems: []
    });
    await openNotebook('train.ipynb');
    let node = await rendered(panel);
    expect(node.querySelectorAll('.jp-RunsPanel-item')).toHaveLength(1);

    [...node.querySelectorAll('label')]
      .find(label => label.textContent === 'All notebooks')!
      .querySelector('input')!
      .click();
    node = await rendered(panel);
    expect(node.querySelectorAll('.jp-RunsPanel-item')).toHaveLength(2);
    expect(node.textContent).toContain('Notebook');
    expect(node.textContent).toContain('eval.ipynb');
  });

  it('should highlight the run active in the kernel', async () => {
    store.lists.set('train.ipynb', {
      runs: [
        runSummary({ id: 'r2', status: 'running' }),
        runSummary({ id: 'r1' })
      ],
      problems: []
    });
    active = {
      id: 'r2',
      name: 'r2',
      status: 'running',
      paramsCount: 0,
      metricsCount: 0
    };
    await openNotebook('train.ipynb');
    const node = await rendered(panel);

    const items = node.querySelectorAll('.jp-RunsPanel-item');
    expect(items[0].classList.contains('jp-mod-active')).toBe(true);
    expect(items[0].getAttribute('aria-current')).toBe('true');
    expect(items[1].classList.contains('jp-mod-active')).toBe(false);
  });

  it('should give one line per item that could not be read', async () => {
    store.lists.set('train.ipynb', {
      runs: [runSummary({ id: 'r1' })],
      problems: [
        'Run r7: its record is not valid JSON.',
        'Run r8: format version 9 is newer than this extension reads.'
      ]
    });
    await openNotebook('train.ipynb');
    const node = await rendered(panel);

    expect(
      [...node.querySelectorAll('.jp-RunsPanel-problem')].map(
        line => line.textContent
      )
    ).toEqual([
      'Run r7: its record is not valid JSON.',
      'Run r8: format version 9 is newer than this extension reads.'
    ]);
    expect(node.querySelectorAll('.jp-RunsPanel-item')).toHaveLength(1);
  });

  it('should say when the runs could not be read at all, not that there are none', async () => {
    store.listError = new Error('Forbidden');
    await openNotebook('train.ipynb');
    const node = await rendered(panel);
    expect(node.querySelector('.jp-RunsPanel-problem')?.textContent).toBe(
      'The runs could not be read: Forbidden'
    );
  });

  it('should say in a status line when the server cannot be reached, and clear it once it answers', async () => {
    store.lists.set('train.ipynb', {
      runs: [runSummary({ id: 'r1', name: 'brave-otter-1' })],
      problems: []
    });
    await openNotebook('train.ipynb');
    let node = await rendered(panel);
    const status = node.querySelector('[role="status"]')!;
    expect(status.textContent).toBe('');

    store.listError = new TypeError('Failed to fetch');
    await panel.model.refresh();
    node = await rendered(panel);
    expect(
      status.querySelector('.jp-RunsPanel-offlineBadge')?.textContent
    ).toBe('Offline');
    expect(status.textContent).toMatch(
      /^OfflineShowing the runs this browser last read, at .+\. Runs recorded meanwhile are kept in this browser and saved when the server is back\.$/
    );
    expect(status.getAttribute('title')).toContain('Failed to fetch');
    expect(node.querySelector('.jp-RunsPanel-runName')?.textContent).toBe(
      'brave-otter-1'
    );
    expect(node.querySelector('.jp-RunsPanel-problem')).toBeNull();

    store.listError = null;
    await panel.model.refresh();
    node = await rendered(panel);
    expect(node.querySelector('[role="status"]')).toBe(status);
    expect(status.textContent).toBe('');
    expect(status.hasAttribute('title')).toBe(false);
  });

  it('should not say there are no runs when offline without a copy of them', async () => {
    store.listError = new TypeError('Failed to fetch');
    await openNotebook('train.ipynb');
    const node = await rendered(panel);
    expect(node.querySelector('[role="status"]')?.textContent).toBe(
      'OfflineShowing the runs this browser last read. Runs recorded meanwhile are kept in this browser and saved when the server is back.'
    );
    expect(node.querySelector('.jp-RunsPanel-empty')?.textContent).toBe(
      'This browser has not read these runs before: they show once the server answers.'
    );
  });

  it('should say it is offline as soon as writes cannot reach the server, and clear it once they land', async () => {
    store.lists.set('train.ipynb', {
      runs: [runSummary({ id: 'r1', name: 'brave-otter-1' })],
      problems: []
    });
    await openNotebook('train.ipynb');
    let node = await rendered(panel);
    const status = node.querySelector('[role="status"]')!;
    expect(status.textContent).toBe('');

    // Reads still answer (a cached listing); writes do not land.
    setHealth(store, {
      writes: 'offline',
      reason: 'Failed to fetch',
      since: Date.now()
    });
    node = await rendered(panel);
    expect(
      status.querySelector('.jp-RunsPanel-offlineBadge')?.textContent
    ).toBe('Offline');
    expect(status.querySelector('.jp-RunsPanel-pending')?.textContent).toBe(
      'Runs recorded meanwhile are kept in this browser and saved when the server is back.'
    );
    expect(status.getAttribute('title')).toContain('Failed to fetch');
    expect(node.querySelector('.jp-RunsPanel-refused')).toBeNull();

    setHealth(store, { writes: 'saving', reason: null, since: null });
    node = await rendered(panel);
    expect(status.textContent).toBe('');
    expect(node.querySelector('.jp-RunsPanel-runName')?.textContent).toBe(
      'brave-otter-1'
    );
  });

  it('should say when this browser cannot keep what waits for the server', async () => {
    await openNotebook('train.ipynb');
    setHealth(store, {
      writes: 'offline',
      reason: 'Failed to fetch',
      localProblem: 'QuotaExceededError'
    });
    const node = await rendered(panel);
    expect(node.querySelector('.jp-RunsPanel-pending')?.textContent).toBe(
      'Runs recorded meanwhile are kept in this page and saved when the server is back; a reload loses them, as this browser cannot store them (QuotaExceededError).'
    );
  });

  it('should say on a line of its own when the server refuses writes, with a button to retry now', async () => {
    store.lists.set('train.ipynb', {
      runs: [runSummary({ id: 'r1', name: 'brave-otter-1' })],
      problems: []
    });
    await openNotebook('train.ipynb');
    let node = await rendered(panel);

    setHealth(store, {
      writes: 'refused',
      reason: 'Permission denied: .runs/notebooks/k/index.a.json.gz',
      path: '.runs/notebooks/k/index.a.json.gz',
      since: Date.now()
    });
    node = await rendered(panel);
    const refused = node.querySelector('.jp-RunsPanel-refused')!;
    expect(refused.getAttribute('role')).toBe('alert');
    expect(refused.querySelector('p')?.textContent).toBe(
      'Not saving: the server refused to write .runs/notebooks/k/index.a.json.gz (Permission denied: .runs/notebooks/k/index.a.json.gz). Runs are kept in this browser and saved once the store folder can be written.'
    );
    // Not "Offline": the server answers.
    expect(node.querySelector('[role="status"]')?.textContent).toBe('');
    expect(node.querySelector('.jp-RunsPanel-runName')?.textContent).toBe(
      'brave-otter-1'
    );

    const retry = refused.querySelector('button')!;
    expect(retry.textContent).toBe('Retry now');
    retry.click();
    expect(store.retries).toBe(1);

    setHealth(store, { writes: 'saving', reason: null, path: null });
    node = await rendered(panel);
    expect(node.querySelector('.jp-RunsPanel-refused')).toBeNull();
  });

  it('should show the new run after the store reports a change', async () => {
    await openNotebook('train.ipynb');
    let node = await rendered(panel);
    expect(node.textContent).toContain('No runs recorded for train.ipynb yet.');

    store.setRuns('train.ipynb', {
      runs: [runSummary({ id: 'r1', name: 'brave-otter-1' })],
      problems: []
    });
    node = await rendered(panel);
    expect(node.querySelector('.jp-RunsPanel-runName')?.textContent).toBe(
      'brave-otter-1'
    );
  });

  it('should render stored text as text, never as markup', async () => {
    const markup = '<img src=x onerror=alert(1)>';
    store.lists.set('train.ipynb', {
      runs: [
        runSummary({
          id: 'r1',
          name: markup,
          params: { [markup]: markup },
          metrics: { [markup]: 1 }
        })
      ],
      problems: [markup]
    });
    await openNotebook('train.ipynb');
    const node = await rendered(panel);
    expect(node.querySelector('img')).toBeNull();
    expect(node.querySelector('.jp-RunsPanel-runName')?.textContent).toBe(
      markup
    );
    expect(node.querySelector('.jp-RunsPanel-problem')?.textContent).toBe(
      markup
    );
  });

  describe('#formatScalar()', () => {
    it.each([
      [69, '69'],
      [1e-3, '0.001'],
      ['adam', '"adam"'],
      [true, 'True'],
      [false, 'False'],
      [null, 'None']
    ])('should show %j as %s', (value, text) => {
      expect(formatScalar(value)).toBe(text);
    });
  });

  describe('#formatDuration()', () => {
    it.each([
      [42.7, '42s'],
      [185, '3m 05s'],
      [3725, '1h 02m'],
      [2 * 86400 + 3 * 3600, '2d 3h']
    ])('should show %d seconds as %s', (seconds, text) => {
      expect(
        formatDuration(seconds, nullTranslator.load('jupyterlab_runs'))
      ).toBe(text);
    });
  });

  describe('#formatChange()', () => {
    it('should show a badge like seed 69→42, with a dash for no value', () => {
      expect(formatChange({ name: 'seed', before: 69, after: 42 })).toBe(
        'seed 69→42'
      );
      expect(
        formatChange({ name: 'opt', before: undefined, after: 'adam' })
      ).toBe('opt —→"adam"');
    });
  });

  describe('#formatMetricArrow()', () => {
    it.each([
      [0.02, '▲0.02'],
      [-1.5, '▼1.5'],
      [-0.38766, '▼0.3877'],
      [0, '=0']
    ])('should show a change of %p as %s', (delta, text) => {
      expect(formatMetricArrow(delta)).toBe(text);
    });
  });

  describe('#formatMetricDelta()', () => {
    it('should sign the change and give its relative size when it has one', () => {
      expect(formatMetricDelta(0.02, 0.02 / 0.81)).toBe('+0.02 (+2.47%)');
      expect(formatMetricDelta(-331.9, -0.134)).toBe('−331.9 (−13.4%)');
      expect(formatMetricDelta(3, null)).toBe('+3');
    });
  });

  describe('#formatMetric()', () => {
    it('should show four significant digits, and a dash for no number', () => {
      expect(formatMetric(0.912345)).toBe('0.9123');
      expect(formatMetric(null)).toBe('—');
    });
  });
});
