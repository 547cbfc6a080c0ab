import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ActiveRunModel } from '../capture/model';
import { ActiveRunIndicator } from '../capture/view';

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
    ['recording', 'Recording']
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
});
