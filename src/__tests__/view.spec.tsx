import type { NotebookPanel, NotebookTracker } from '@jupyterlab/notebook';
import type { SettingRegistry } from '@jupyterlab/settingregistry';
import { nullTranslator } from '@jupyterlab/translation';
import type { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { RunsPanelModel } from '../history/model';
import { RunsPanel } from '../history/view';
import {
  createSettingRegistry,
  resolveRunsSettings,
  TRACKING_ID
} from './helpers';
import { FakeRunStore } from './capture-fakes';
import { TrackedNotebooks } from './notebooks';

/**
 * Deliver pending update requests and wait for React to render them.
 */
async function rendered(panel: RunsPanel): Promise<HTMLElement> {
  MessageLoop.flush();
  await (panel.widgets[0] as ReactWidget).renderPromise;
  return panel.node;
}

describe('RunsPanel', () => {
  let registry: SettingRegistry;
  let notebooks: NotebookTracker;
  let panel: RunsPanel;
  let opened: TrackedNotebooks;

  function openNotebook(path: string): Promise<NotebookPanel> {
    return opened.open(path);
  }

  beforeEach(async () => {
    registry = createSettingRegistry();
    const settings = await resolveRunsSettings(registry);
    opened = new TrackedNotebooks();
    notebooks = opened.tracker;
    const model = new RunsPanelModel({
      settings,
      notebooks,
      store: new FakeRunStore()
    });
    panel = new RunsPanel({ model, translator: nullTranslator });
    Widget.attach(panel, document.body);
  });

  afterEach(() => {
    panel.dispose();
    opened.dispose();
  });

  describe('#constructor()', () => {
    it('should be a labelled region with its own icon', () => {
      expect(panel.node.getAttribute('role')).toBe('region');
      expect(panel.node.getAttribute('aria-label')).toBe('Runs');
      expect(panel.title.icon).toBeTruthy();
      expect(panel.title.caption).toBe('Runs');
      expect(panel.hasClass('jp-RunsPanel')).toBe(true);
    });
  });

  describe('#render()', () => {
    it('should invite to open a notebook when none is active', async () => {
      const node = await rendered(panel);
      expect(node.textContent).toContain('Open a notebook to see its runs.');
      expect(node.querySelector('.jp-RunsPanel-notice')).toBeNull();
    });

    it('should name the active notebook and say it has no runs yet', async () => {
      await openNotebook('analysis/train.ipynb');
      const node = await rendered(panel);
      expect(node.querySelector('h3')?.textContent).toBe('train.ipynb');
      expect(node.querySelector('h3')?.getAttribute('title')).toBe(
        'analysis/train.ipynb'
      );
      expect(node.textContent).toContain(
        'No runs recorded for train.ipynb yet.'
      );
      expect(node.textContent).not.toContain('Open a notebook');
    });

    it('should follow a rename of the active notebook', async () => {
      const notebookPanel = await openNotebook('train.ipynb');
      await notebookPanel.context.rename('train-v2.ipynb');
      const node = await rendered(panel);
      expect(node.querySelector('h3')?.textContent).toBe('train-v2.ipynb');
    });

    it('should say how to turn tracking on when it is off', async () => {
      await registry.set(TRACKING_ID, 'trackingEnabled', false);
      const node = await rendered(panel);
      expect(node.querySelector('.jp-RunsPanel-notice')?.textContent).toBe(
        'Tracking is off, so new runs are not recorded. Turn it on in Settings Editor › Runs.'
      );
    });

    it('should render a notebook name as text, never as markup', async () => {
      await openNotebook('<img src=x onerror=alert(1)>.ipynb');
      const node = await rendered(panel);
      expect(node.querySelector('img')).toBeNull();
      expect(node.querySelector('h3')?.textContent).toBe(
        '<img src=x onerror=alert(1)>.ipynb'
      );
    });
  });

  describe('#onUpdateRequest()', () => {
    it('should not render while hidden, and catch up when shown', async () => {
      await rendered(panel);
      panel.hide();

      await openNotebook('eval.ipynb');
      const hidden = await rendered(panel);
      expect(hidden.textContent).toContain('Open a notebook');

      panel.show();
      const node = await rendered(panel);
      expect(node.textContent).toContain(
        'No runs recorded for eval.ipynb yet.'
      );
    });
  });

  describe('#dispose()', () => {
    it('should dispose its model and be idempotent', () => {
      const model = panel.model;
      panel.dispose();
      panel.dispose();
      expect(panel.isDisposed).toBe(true);
      expect(model.isDisposed).toBe(true);
    });
  });
});
