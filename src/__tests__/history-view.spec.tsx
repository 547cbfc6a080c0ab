import { Time } from '@jupyterlab/coreutils';
import type { NotebookPanel, NotebookTracker } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import type { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { RunsPanelModel } from '../history/model';
import { formatMetric, formatScalar, RunsPanel } from '../history/view';
import type { IActiveRuns, Runs } from '../tokens';
import { FakeRunStore, runSummary, settle } from './capture-fakes';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { TrackedNotebooks } from './notebooks';

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

  it('should list each run with its name, status, start time, params and metrics', async () => {
    store.lists.set('train.ipynb', {
      runs: [
        runSummary({
          id: 'r2',
          name: 'calm-heron-2',
          status: 'crashed',
          startedAt: STARTED,
          params: { seed: 42, alpha: 0.5, solver: 'lbfgs', max_iter: 100 },
          metrics: { rmse: 6.61234, r2: null }
        }),
        runSummary({ id: 'r1', name: 'brave-otter-1' })
      ],
      problems: []
    });
    await openNotebook('train.ipynb');
    const node = await rendered(panel);

    const items = node.querySelectorAll('.jp-RunsPanel-item');
    expect(items).toHaveLength(2);
    const first = items[0];
    expect(first.querySelector('.jp-RunsPanel-runName')?.textContent).toBe(
      'calm-heron-2'
    );
    expect(first.querySelector('.jp-RunsPanel-status')?.textContent).toBe(
      'crashed'
    );
    expect(
      first
        .querySelector('.jp-RunsPanel-status')
        ?.classList.contains('jp-mod-crashed')
    ).toBe(true);
    const time = first.querySelector('time');
    expect(time?.getAttribute('title')).toBe(Time.format(new Date(STARTED)));
    expect(time?.getAttribute('dateTime')).toBe('2024-05-06T07:08:09.000Z');
    expect(time?.textContent).toBe(Time.formatHuman(new Date(STARTED)));

    const [params, metrics] = first.querySelectorAll('.jp-RunsPanel-values');
    expect(params.getAttribute('aria-label')).toBe('Parameters');
    expect([...params.children].map(item => item.textContent)).toEqual([
      'seed42',
      'alpha0.5',
      'solver"lbfgs"'
    ]);
    expect([...metrics.children].map(item => item.textContent)).toEqual([
      'rmse6.612',
      'r2—'
    ]);
    expect(node.textContent).not.toContain('No runs recorded');
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

  describe('#formatMetric()', () => {
    it('should show four significant digits, and a dash for no number', () => {
      expect(formatMetric(0.912345)).toBe('0.9123');
      expect(formatMetric(null)).toBe('—');
    });
  });
});
