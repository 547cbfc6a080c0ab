import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import {
  durationText,
  environmentFacts,
  metricRows,
  nonFiniteNote,
  overviewFacts,
  paramRows,
  sizeText
} from '../detail/facts';
import { RunDetailModel } from '../detail/model';
import { groupParams } from '../detail/params';
import { RunDetailView } from '../detail/view';
import type { StoredRun } from '../store/reader';
import { FakeRunStore, settle } from './capture-fakes';
import { drawnCharts } from './chart-fakes';

jest.mock('../charts/host', () => ({
  ChartHost: jest.requireActual('./chart-fakes').FakeChartHost
}));

const trans = nullTranslator.load('jupyterlab_runs');
const NOTEBOOK = 'analysis/train.ipynb';
const STARTED = Date.UTC(2024, 4, 6, 7, 8, 9);

function execution(
  exec: number,
  source: string,
  outcome: 'ok' | 'error' = 'ok'
): StoredRun.Execution {
  return {
    exec,
    cellId: `cell-${exec}`,
    executionCount: exec,
    source,
    startedAt: STARTED + exec * 1000,
    endedAt: STARTED + exec * 1000 + 250,
    duration: 250,
    outcome,
    error:
      outcome === 'error'
        ? { name: 'ValueError', value: 'bad data', traceback: [] }
        : null,
    outputs: null,
    run: 'run-1'
  };
}

function storedRun(overrides: Partial<StoredRun.Run> = {}): StoredRun.Run {
  return {
    id: 'run-1',
    name: 'swift-otter-1',
    notebookPath: NOTEBOOK,
    status: 'finished',
    reason: 'kernel-start',
    startedAt: STARTED,
    endedAt: STARTED + 65_000,
    updatedAt: STARTED + 65_000,
    session: 'session-1',
    env: {
      user: 'ada',
      python: {
        version: '3.11.4 (main, Jun  1 2024)',
        executable: '/opt/conda/bin/python3'
      },
      platform: { description: 'Linux-6.1-x86_64' },
      memory_bytes: 2 * 1024 ** 3,
      cpu_count: 2,
      git: { commit: 'abc123', branch: 'main', dirty: false },
      packages: { 'scikit-learn': '1.2.1', numpy: '1.24.2' }
    },
    seq: 9,
    params: {
      seed: {
        value: 69,
        source: 'assignment',
        detail: 'seed = 69',
        exec: 1,
        time: 0
      },
      model: {
        value: 'ridge',
        source: 'explicit',
        detail: null,
        exec: null,
        time: 5
      }
    },
    tags: { dataset: 'v2' },
    note: 'first try',
    executions: [
      execution(1, 'seed = 69'),
      execution(2, 'model.fit(X, y)', 'error')
    ],
    inherited: [],
    unknownInherited: [],
    files: [
      {
        path: 'data/train.csv',
        mode: 'read',
        size: 1536,
        mtime: STARTED,
        sha256: 'f'.repeat(64),
        exec: 2,
        artifact: false
      }
    ],
    metrics: [
      {
        name: 'rmse',
        source: 'output',
        points: [
          [6.9, 0, STARTED, 2],
          [6.61, 1, STARTED + 10, 2]
        ],
        sampled: false,
        count: 2,
        last: 6.61,
        lastStep: 1,
        min: 6.61,
        max: 6.9
      }
    ],
    snapshots: [],
    ...overrides
  };
}

describe('run detail facts', () => {
  it('should write durations and sizes briefly', () => {
    expect(durationText(850)).toBe('850 ms');
    expect(durationText(12_340)).toBe('12.3 s');
    expect(durationText(245_000)).toBe('4 min 05 s');
    expect(durationText(7_380_000)).toBe('2 h 03 min');
    expect(durationText(-1)).toBe('—');
    expect(sizeText(512)).toBe('512 B');
    expect(sizeText(1536)).toBe('1.5 KiB');
  });

  it('should give the overview of a run', () => {
    const facts = overviewFacts(storedRun(), trans);
    const byLabel = Object.fromEntries(facts.map(f => [f.label, f.value]));
    expect(byLabel).toMatchObject({
      Status: 'finished',
      Notebook: NOTEBOOK,
      // Two executions of 250 ms in a run open 65 s.
      Computing: '500 ms in 2 executions',
      Duration: '1 min 05 s, start to end',
      'Began because': 'the kernel started',
      Author: 'ada',
      Python: '3.11.4'
    });
  });

  it('should list parameters with where they came from', () => {
    expect(paramRows(storedRun())).toEqual([
      { name: 'model', value: '"ridge"', source: 'explicit', exec: null },
      { name: 'seed', value: '69', source: 'assignment: seed = 69', exec: 1 }
    ]);
  });

  it('should summarise metrics', () => {
    expect(metricRows(storedRun())).toEqual([
      {
        name: 'rmse',
        source: 'output',
        count: 2,
        last: '6.61',
        min: '6.61',
        max: '6.9'
      }
    ]);
  });

  it('should name the points a chart cannot draw', () => {
    const [rmse] = storedRun().metrics;
    const odd = (values: StoredRun.MetricPoint[0][]): StoredRun.Metric => ({
      ...rmse,
      points: values.map((value, step) => [value, step, STARTED, 1])
    });

    expect(nonFiniteNote(rmse, trans)).toBeNull();
    expect(nonFiniteNote(odd([0.5, 'NaN', 1e308]), trans)).toBe(
      '1 point not drawn: NaN at step 1'
    );
    expect(
      nonFiniteNote(odd(['Infinity', NaN, '-Infinity', -Infinity, 1]), trans)
    ).toBe('4 points not drawn: ∞ at step 0, NaN at step 1, −∞ at step 2, …');
  });

  it('should pick the environment facts and sort the packages', () => {
    const { facts, packages } = environmentFacts(storedRun().env, trans);
    expect(facts.map(f => f.label)).toEqual(
      expect.arrayContaining(['Python', 'Platform', 'Memory', 'Git commit'])
    );
    expect(facts.find(f => f.label === 'Memory')?.value).toBe('2.0 GiB');
    expect(packages).toEqual([
      { label: 'numpy', value: '1.24.2' },
      { label: 'scikit-learn', value: '1.2.1' }
    ]);
    expect(environmentFacts(null, trans)).toEqual({ facts: [], packages: [] });
  });
});

describe('RunDetailModel', () => {
  let store: FakeRunStore;

  beforeEach(() => {
    store = new FakeRunStore();
  });

  it('should read the run, or say it is missing', async () => {
    const model = new RunDetailModel({
      store,
      notebookPath: NOTEBOOK,
      runId: 'run-1'
    });
    expect(model.state.kind).toBe('loading');
    await model.refresh();
    expect(model.state).toEqual({ kind: 'missing', problems: [] });

    store.stored.set(`${NOTEBOOK}/run-1`, storedRun());
    await model.refresh();
    expect(model.state.kind).toBe('ready');
    model.dispose();
  });

  it('should say why a read failed', async () => {
    store.readRun = () => Promise.reject(new Error('server went away'));
    const model = new RunDetailModel({
      store,
      notebookPath: NOTEBOOK,
      runId: 'run-1'
    });
    await model.refresh();
    expect(model.state).toEqual({ kind: 'error', message: 'server went away' });
    model.dispose();
  });

  it('should read again once the notebook runs changed', async () => {
    store.stored.set(`${NOTEBOOK}/run-1`, storedRun({ status: 'running' }));
    const model = new RunDetailModel({
      store,
      notebookPath: NOTEBOOK,
      runId: 'run-1',
      refreshDelay: 1
    });
    await model.refresh();
    store.stored.set(`${NOTEBOOK}/run-1`, storedRun());
    store.runsChanged.emit('other.ipynb');
    store.runsChanged.emit(NOTEBOOK);
    store.runsChanged.emit(NOTEBOOK);
    await new Promise(resolve => setTimeout(resolve, 20));
    await settle();
    expect(store.readCalls).toBe(2);
    expect(model.state.kind === 'ready' && model.state.run.status).toBe(
      'finished'
    );
    model.dispose();
  });
});

describe('RunDetailView', () => {
  let store: FakeRunStore;
  let view: RunDetailView;

  async function shown(
    run: StoredRun.Run,
    openSnapshot?: () => void
  ): Promise<HTMLElement> {
    store.stored.set(`${NOTEBOOK}/run-1`, run);
    const model = new RunDetailModel({
      store,
      notebookPath: NOTEBOOK,
      runId: 'run-1'
    });
    view = new RunDetailView({ model, trans, openSnapshot });
    Widget.attach(view, document.body);
    await model.refresh();
    MessageLoop.flush();
    await view.renderPromise;
    // React runs the charts' effects after painting.
    await new Promise(resolve => setTimeout(resolve, 10));
    return view.node;
  }

  beforeEach(() => {
    store = new FakeRunStore();
    drawnCharts.length = 0;
  });

  afterEach(() => {
    view.dispose();
  });

  it('should show every part of the run', async () => {
    const node = await shown(storedRun());
    const text = node.textContent ?? '';
    for (const expected of [
      'swift-otter-1',
      'Overview',
      'dataset: v2',
      'first try',
      'seed = 69',
      'ValueError: bad data',
      'rmse',
      'scikit-learn',
      'data/train.csv',
      '1.5 KiB'
    ]) {
      expect(text).toContain(expected);
    }
    expect(
      [...node.querySelectorAll('section')].map(s =>
        s.getAttribute('aria-label')
      )
    ).toEqual([
      'Overview',
      'Parameters',
      'Metrics',
      'Executions',
      'Environment',
      'Files'
    ]);
    // One chart per metric with more than one point, drawn from its points.
    expect(drawnCharts).toHaveLength(1);
    expect(JSON.stringify(drawnCharts[0])).toContain('6.61');
  });

  it('should say when a chart is drawn from an overview', async () => {
    const run = storedRun();
    const [metric] = run.metrics;
    const node = await shown({
      ...run,
      metrics: [{ ...metric, sampled: true, count: 100_000 }]
    });
    expect(node.querySelector('.jp-RunDetail-chartNote')?.textContent).toBe(
      `drawn from an overview of the ${(100_000).toLocaleString()} points that keeps every extreme`
    );
    view.dispose();
    const plain = await shown(storedRun());
    expect(plain.querySelector('.jp-RunDetail-chartNote')).toBeNull();
  });

  it('should render stored text as text, never as markup', async () => {
    const hostile = '<img src=x onerror="window.__pwned = 1">';
    const node = await shown(
      storedRun({
        name: hostile,
        note: hostile,
        tags: { [hostile]: hostile },
        executions: [execution(1, hostile)]
      })
    );
    expect(node.querySelector('img')).toBeNull();
    expect(node.textContent).toContain(hostile);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('should open the snapshot from its header', async () => {
    let opened = 0;
    const node = await shown(
      storedRun({ snapshots: [STARTED + 65_000] }),
      () => {
        opened += 1;
      }
    );
    const button = node.querySelector<HTMLButtonElement>(
      '.jp-RunDetail-header button'
    )!;
    expect(button.textContent).toBe('Open Snapshot');
    expect(button.disabled).toBe(false);
    button.click();
    expect(opened).toBe(1);
  });

  it('should offer no snapshot the run does not have', async () => {
    let node = await shown(storedRun(), () => undefined);
    expect(
      node.querySelector<HTMLButtonElement>('.jp-RunDetail-header button')
        ?.disabled
    ).toBe(true);
    view.dispose();
    node = await shown(storedRun({ snapshots: [STARTED] }));
    expect(node.querySelector('.jp-RunDetail-header button')).toBeNull();
  });

  it('should say when the run is not in the store', async () => {
    const node = await shown(storedRun());
    store.stored.clear();
    await view.model.refresh();
    MessageLoop.flush();
    await view.renderPromise;
    expect(node.textContent).toContain(
      `The store holds no run run-1 of ${NOTEBOOK}.`
    );
  });
});

describe('groupParams()', () => {
  const param = (
    value: number | string | null,
    source: string,
    exec: number | null,
    from?: string
  ): StoredRun.Param => ({
    value,
    source,
    detail: null,
    exec,
    time: 0,
    ...(from ? { from } : {})
  });
  // The seed story's cell, as the kernel helper records it: estimator
  // parameters by name, the keyword last.
  const seedStory: Record<string, StoredRun.Param> = {
    'model.bootstrap': param('True', 'estimator-default', 2),
    'model.max_depth': param(null, 'estimator-default', 2),
    'model.n_estimators': param(50, 'estimator', 2),
    'model.random_state': param(69, 'estimator', 2, 'seed'),
    seed: param(69, 'assignment', 1),
    'train_test_split.random_state': param(69, 'keyword', 2, 'seed')
  };

  it('should list own parameters in notebook order, derived under their parent, defaults apart', () => {
    const groups = groupParams(seedStory);
    expect(groups.own.map(own => own.name)).toEqual([
      'seed',
      'model.n_estimators'
    ]);
    expect(groups.own[0].derived.map(entry => entry.name)).toEqual([
      'model.random_state',
      'train_test_split.random_state'
    ]);
    expect(groups.defaults.map(entry => entry.name)).toEqual([
      'model.bootstrap',
      'model.max_depth'
    ]);
  });

  it('should count a parameter whose parent the run lacks as own, and a store without derivations as all own', () => {
    const { seed, ...withoutSeed } = seedStory;
    expect(seed.value).toBe(69);
    expect(groupParams(withoutSeed).own.map(own => own.name)).toEqual([
      'model.n_estimators',
      'model.random_state',
      'train_test_split.random_state'
    ]);
    const old = { a: param(1, 'assignment', 1), b: param(2, 'estimator', 2) };
    expect(groupParams(old)).toEqual({
      own: [
        { name: 'a', param: old.a, derived: [] },
        { name: 'b', param: old.b, derived: [] }
      ],
      defaults: []
    });
  });

  it('should render seed first, derived rows marked, defaults in a closed group', async () => {
    const store = new FakeRunStore();
    store.stored.set(`${NOTEBOOK}/run-1`, storedRun({ params: seedStory }));
    const model = new RunDetailModel({
      store,
      notebookPath: NOTEBOOK,
      runId: 'run-1'
    });
    const view = new RunDetailView({ model, trans });
    Widget.attach(view, document.body);
    await model.refresh();
    MessageLoop.flush();
    await view.renderPromise;
    const section = view.node.querySelector('section[aria-label="Parameters"]');
    const names = [...(section?.querySelectorAll('tbody th') ?? [])].map(
      th => th.textContent
    );
    expect(names.slice(0, 4)).toEqual([
      'seed',
      '↳ model.random_state',
      '↳ train_test_split.random_state',
      'model.n_estimators'
    ]);
    const defaults = section?.querySelector('details');
    expect(defaults?.open).toBe(false);
    expect(defaults?.querySelector('summary')?.textContent).toBe(
      '2 estimator defaults'
    );
    expect(
      section?.querySelector('tr.jp-mod-derived th')?.getAttribute('title')
    ).toBe('Got its value from seed');
    view.dispose();
  });
});
