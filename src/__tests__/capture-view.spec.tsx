import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ActiveRunModel } from '../capture/model';
import { ActiveRunIndicator } from '../capture/view';
import { FakeRunStore } from './capture-fakes';

describe('ActiveRunIndicator', () => {
  let model: ActiveRunModel;
  let indicator: ActiveRunIndicator;

  async function rendered(): Promise<HTMLElement> {
    MessageLoop.flush();
    await indicator.renderPromise;
    // UseSignal re-renders on its own when the model changes.
    await new Promise(resolve => setTimeout(resolve, 0));
    return indicator.node;
  }

  beforeEach(() => {
    model = new ActiveRunModel();
    indicator = new ActiveRunIndicator(
      model,
      nullTranslator.load('jupyterlab_runs')
    );
    Widget.attach(indicator, document.body);
  });

  afterEach(() => {
    indicator.dispose();
    model.dispose();
  });

  it('should name the active run and its status', async () => {
    model.capture = 'recording';
    model.applyEvents([
      {
        seq: 1,
        time: 1,
        kind: 'run_start',
        run: 'r1',
        name: 'brave-otter-3',
        params: [{ name: 'seed', value: 69 }]
      }
    ]);
    const node = await rendered();
    expect(node.querySelector('.jp-RunsIndicator-name')?.textContent).toBe(
      'run brave-otter-3'
    );
    expect(node.querySelector('.jp-RunsIndicator-status')?.textContent).toBe(
      'running'
    );
    expect(
      node.querySelector('.jp-RunsIndicator-run')?.getAttribute('title')
    ).toBe('Run brave-otter-3 (running). Parameters: 1. Metrics: 0.');
  });

  it.each([
    ['idle', 'No kernel'],
    ['off', 'Not recording'],
    ['other-tab', 'Recorded in another tab'],
    ['failed', 'Not recording'],
    ['attaching', 'Starting…'],
    ['recording', 'Ready to record']
  ] as const)(
    'should say what capture does when it is %s',
    async (capture, text) => {
      model.capture = capture;
      const node = await rendered();
      expect(node.textContent).toBe(text);
    }
  );

  it('should render a run name as text, never as markup', async () => {
    model.capture = 'recording';
    model.applyEvents([
      { seq: 1, time: 1, kind: 'run_start', run: 'r1', name: '<b>x</b>' }
    ]);
    const node = await rendered();
    expect(node.querySelector('b')).toBeNull();
  });

  it('should say when runs are not being saved, and why', async () => {
    const store = new FakeRunStore();
    indicator.dispose();
    indicator = new ActiveRunIndicator(
      model,
      nullTranslator.load('jupyterlab_runs'),
      store
    );
    Widget.attach(indicator, document.body);
    model.capture = 'recording';
    expect(
      (await rendered()).querySelector('.jp-RunsIndicator-saving')
    ).toBeNull();

    store.health = {
      writes: 'refused',
      reason: 'Permission denied: .runs/notebooks/a/index.a.json.gz',
      path: '.runs/notebooks/a/index.json.gz',
      since: 1,
      localProblem: null
    };
    store.healthChanged.emit(store.health);
    const saving = (await rendered()).querySelector('.jp-RunsIndicator-saving');
    expect(saving?.textContent).toBe('not saving');
    expect(saving?.getAttribute('title')).toContain(
      'refused to write .runs/notebooks/a/index.json.gz (Permission denied'
    );

    store.health = {
      ...store.health,
      writes: 'offline',
      reason: 'Failed to fetch'
    };
    store.healthChanged.emit(store.health);
    expect(
      (await rendered()).querySelector('.jp-RunsIndicator-saving')?.textContent
    ).toBe('offline');

    store.health = { ...store.health, writes: 'saving', reason: null };
    store.healthChanged.emit(store.health);
    expect(
      (await rendered()).querySelector('.jp-RunsIndicator-saving')
    ).toBeNull();
  });
});
