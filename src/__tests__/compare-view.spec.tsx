import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ComparisonModel } from '../compare/model';
import {
  chartedMetrics,
  comparisonCsv,
  metricTable,
  paramTable
} from '../compare/table';
import { ComparisonView } from '../compare/view';
import type { StoredRun } from '../store/reader';
import { FakeRunStore } from './capture-fakes';
import { drawnCharts } from './chart-fakes';

jest.mock('../charts/host', () => ({
  ChartHost: jest.requireActual('./chart-fakes').FakeChartHost
}));

const trans = nullTranslator.load('jupyterlab_runs');
const NOTEBOOK = 'analysis/train.ipynb';
const STARTED = Date.UTC(2024, 4, 6, 7, 8, 9);

function param(value: number | string): StoredRun.Param {
  return { value, source: 'assignment', detail: null, exec: 1, time: 0 };
}

function execution(
  exec: number,
  cellId: string,
  source: string
): StoredRun.Execution {
  return {
    exec,
    cellId,
    executionCount: exec,
    source,
    startedAt: STARTED,
    endedAt: STARTED + 10,
    duration: 10,
    outcome: 'ok',
    error: null,
    outputs: null,
    run: 'run'
  };
}

function run(
  id: string,
  seed: number,
  rmse: number[],
  numpy: string
): StoredRun.Run {
  return {
    id,
    name: `run ${id}`,
    notebookPath: NOTEBOOK,
    status: 'finished',
    reason: 'kernel-start',
    startedAt: STARTED,
    endedAt: STARTED + 1000,
    updatedAt: STARTED + 1000,
    session: null,
    env: {
      python: { version: '3.11.4' },
      packages: { numpy, pandas: '2.0.0' }
    },
    seq: 1,
    params: { alpha: param(0.1), seed: param(seed), zeta: param('same') },
    tags: {},
    note: null,
    executions: [
      execution(1, 'c1', `seed = ${seed}\nalpha = 0.1`),
      execution(2, 'c2', 'model.fit(X, y)')
    ],
    inherited: [],
    unknownInherited: [],
    files: [],
    metrics: [
      {
        name: 'rmse',
        source: 'output',
        points: rmse.map((value, step) => [value, step, STARTED, 2] as const),
        sampled: false,
        count: rmse.length,
        last: rmse[rmse.length - 1],
        lastStep: rmse.length - 1,
        min: Math.min(...rmse),
        max: Math.max(...rmse)
      }
    ],
    snapshots: []
  };
}

const first = run('a', 69, [7, 6.61], '1.24.2');
// Started a minute after the first, as the seed story's second run.
const second = {
  ...run('b', 42, [7.2, 6.9], '1.26.0'),
  startedAt: STARTED + 60_000,
  endedAt: STARTED + 61_000
};

describe('comparison tables', () => {
  it('should put the differing seed first, then other differences', () => {
    const withAlpha = {
      ...second,
      params: { ...second.params, alpha: param(0.5) }
    };
    expect(paramTable([first, withAlpha])).toEqual([
      { name: 'seed', values: ['69', '42'], differs: true, seedLike: true },
      { name: 'alpha', values: ['0.1', '0.5'], differs: true, seedLike: false },
      {
        name: 'zeta',
        values: ['same', 'same'],
        differs: false,
        seedLike: false
      }
    ]);
  });

  it('should show the last metric values and which have series', () => {
    expect(metricTable([first, second])).toEqual([
      {
        name: 'rmse',
        values: ['6.61', '6.9'],
        differs: true,
        seedLike: false,
        changes: [null, '+0.29 (+4.39%)']
      }
    ]);
    expect(chartedMetrics([first, second])).toEqual(['rmse']);
  });

  it('should export CSV a spreadsheet reads safely', () => {
    const hostile = { ...first, name: '=HYPERLINK("http://x")' };
    const csv = comparisonCsv([hostile, second]);
    const [header, line] = csv.split('\r\n');
    expect(header).toBe(
      'run,name,notebook,status,started,ended,param:seed,param:alpha,param:zeta,metric:rmse'
    );
    expect(line).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(line.endsWith(',69,0.1,same,6.61')).toBe(true);
  });

  it('should export a time beyond any date as empty, not throw', () => {
    const odd = { ...first, startedAt: 1e308, endedAt: -1e308 };
    const [, line] = comparisonCsv([odd]).split('\r\n');
    expect(line).toContain(',finished,,,');
  });
});

describe('ComparisonView', () => {
  let view: ComparisonView;

  afterEach(() => view.dispose());

  it('should read the runs oldest first, whatever order they were picked in', async () => {
    const store = new FakeRunStore();
    store.stored.set(`${NOTEBOOK}/a`, first);
    store.stored.set(`${NOTEBOOK}/b`, second);
    const third = {
      ...run('c', 7, [7.1, 6.5], '1.26.0'),
      startedAt: STARTED + 120_000
    };
    store.stored.set(`${NOTEBOOK}/c`, third);
    // The sidebar lists, and so selects, the newest first.
    const model = new ComparisonModel({
      store,
      runs: ['b', 'a'].map(runId => ({ notebookPath: NOTEBOOK, runId }))
    });
    view = new ComparisonView({ model, trans });
    Widget.attach(view, document.body);
    await model.refresh();
    MessageLoop.flush();
    await view.renderPromise;

    const node = view.node;
    const headers = () =>
      [
        ...view.node.querySelectorAll('.jp-RunsCompare-table')
      ][1].querySelectorAll('thead th');
    expect([...headers()].map(th => th.textContent)).toEqual([
      'Name',
      'run abase',
      'run b',
      'Change'
    ]);
    const metrics = () =>
      [...view.node.querySelectorAll('.jp-RunsCompare-table')][1].querySelector(
        'tbody tr'
      )?.textContent;
    expect(metrics()).toBe('rmse6.616.9+0.29 (+4.39%)');
    expect(
      node.querySelector('.jp-RunsCompare-seedNotice')?.textContent
    ).toContain('seed 69 → 42');
    const marks = [...node.querySelectorAll('.jp-RunsCompare-diff mark')].map(
      mark => mark.textContent
    );
    expect(marks).toEqual(['69', '42']);
    view.dispose();

    // Three runs: each change sits under its value, against the oldest.
    const three = new ComparisonModel({
      store,
      runs: ['c', 'b', 'a'].map(runId => ({ notebookPath: NOTEBOOK, runId }))
    });
    view = new ComparisonView({ model: three, trans });
    Widget.attach(view, document.body);
    await three.refresh();
    MessageLoop.flush();
    await view.renderPromise;
    expect([...headers()].map(th => th.textContent)).toEqual([
      'Name',
      'run abase',
      'run b',
      'run c'
    ]);
    expect(metrics()).toBe('rmse6.616.9+0.29 (+4.39%)6.5-0.11 (-1.66%)');
  });

  it('should show differences, charts, the code diff and the package diff', async () => {
    const store = new FakeRunStore();
    store.stored.set(`${NOTEBOOK}/a`, first);
    store.stored.set(`${NOTEBOOK}/b`, second);
    const model = new ComparisonModel({
      store,
      runs: [
        { notebookPath: NOTEBOOK, runId: 'a' },
        { notebookPath: NOTEBOOK, runId: 'b' },
        { notebookPath: NOTEBOOK, runId: 'gone' }
      ]
    });
    view = new ComparisonView({ model, trans });
    Widget.attach(view, document.body);
    drawnCharts.length = 0;
    await model.refresh();
    MessageLoop.flush();
    await view.renderPromise;
    await new Promise(resolve => setTimeout(resolve, 10));

    const node = view.node;
    const seedRow = node.querySelector('tr.jp-mod-differs');
    expect(seedRow?.textContent).toBe('seedseed differs6942');
    expect(node.textContent).toContain(
      `${NOTEBOOK}: run gone is not in the store`
    );
    // rmse vs step, parallel coordinates, scatter.
    expect(drawnCharts).toHaveLength(3);
    const marks = [...node.querySelectorAll('.jp-RunsCompare-diff mark')].map(
      mark => mark.textContent
    );
    expect(marks).toEqual(['69', '42']);
    expect(node.textContent).toContain('numpy1.24.21.26.0 (upgrade)');
    // Only the seed tells their parameters apart: said in words.
    expect(node.querySelector('.jp-RunsCompare-seedNotice')?.textContent).toBe(
      'Only the seed differs among their parameters: seed 69 → 42. Differences in their metrics come from randomness, not from the other settings.'
    );
  });

  it('should not speak of seeds when another parameter differs too', async () => {
    const store = new FakeRunStore();
    store.stored.set(`${NOTEBOOK}/a`, first);
    store.stored.set(`${NOTEBOOK}/b`, {
      ...second,
      params: { ...second.params, alpha: param(0.5) }
    });
    const model = new ComparisonModel({
      store,
      runs: [
        { notebookPath: NOTEBOOK, runId: 'a' },
        { notebookPath: NOTEBOOK, runId: 'b' }
      ]
    });
    view = new ComparisonView({ model, trans });
    Widget.attach(view, document.body);
    await model.refresh();
    MessageLoop.flush();
    await view.renderPromise;

    expect(view.node.querySelector('.jp-RunsCompare-seedNotice')).toBeNull();
  });

  it('should show differences only when there are many parameters, saying how many are hidden', async () => {
    // The seed story: the seed, what it was passed to, and estimator
    // settings that are the same in both runs.
    const seeded = (base: StoredRun.Run, seed: number): StoredRun.Run => {
      const params: Record<string, StoredRun.Param> = {
        seed: param(seed),
        'train_test_split.random_state': { ...param(seed), from: 'seed' },
        'model.random_state': { ...param(seed), from: 'seed' }
      };
      for (let i = 0; i < 17; i++) {
        params[`model.default_${i}`] = {
          ...param(i),
          source: 'estimator-default'
        };
      }
      return { ...base, params };
    };
    const store = new FakeRunStore();
    store.stored.set(`${NOTEBOOK}/a`, seeded(first, 69));
    store.stored.set(`${NOTEBOOK}/b`, seeded(second, 42));
    const model = new ComparisonModel({
      store,
      runs: ['a', 'b'].map(runId => ({ notebookPath: NOTEBOOK, runId }))
    });
    view = new ComparisonView({ model, trans });
    Widget.attach(view, document.body);
    await model.refresh();
    MessageLoop.flush();
    await view.renderPromise;

    const section = () =>
      view.node.querySelector('section[aria-label="Parameters"]')!;
    const rowNames = () =>
      [...section().querySelectorAll('tbody th')].map(th =>
        th.textContent?.replace('seed differs', '')
      );
    const toggle = section().querySelector<HTMLInputElement>(
      'input[role="switch"]'
    )!;
    expect(toggle.checked).toBe(true);
    // The seed first, what it was passed to under it.
    expect(rowNames()).toEqual([
      'seed',
      '↳ model.random_state',
      '↳ train_test_split.random_state'
    ]);
    expect(
      section().querySelector('.jp-RunsCompare-hiddenCount')?.textContent
    ).toBe('17 identical rows hidden');
    // The seed is said once, not again for what it was passed to.
    expect(
      view.node.querySelector('.jp-RunsCompare-seedNotice')?.textContent
    ).toBe(
      'Only the seed differs among their parameters: seed 69 → 42. Differences in their metrics come from randomness, not from the other settings.'
    );

    toggle.click();
    MessageLoop.flush();
    await view.renderPromise;
    expect(rowNames()).toHaveLength(20);
    expect(section().querySelector('.jp-RunsCompare-hiddenCount')).toBeNull();
  });

  it('should show every row of a short table at first', async () => {
    const store = new FakeRunStore();
    store.stored.set(`${NOTEBOOK}/a`, first);
    store.stored.set(`${NOTEBOOK}/b`, second);
    const model = new ComparisonModel({
      store,
      runs: ['a', 'b'].map(runId => ({ notebookPath: NOTEBOOK, runId }))
    });
    view = new ComparisonView({ model, trans });
    Widget.attach(view, document.body);
    await model.refresh();
    MessageLoop.flush();
    await view.renderPromise;
    const section = view.node.querySelector(
      'section[aria-label="Parameters"]'
    )!;
    expect(
      section.querySelector<HTMLInputElement>('input[role="switch"]')?.checked
    ).toBe(false);
    expect(section.querySelectorAll('tbody tr')).toHaveLength(3);
  });
});
