import type { NotebookPanel, NotebookTracker } from '@jupyterlab/notebook';
import type { SettingRegistry } from '@jupyterlab/settingregistry';
import { signalToPromise } from '@jupyterlab/testing';

import { RunsPanelModel } from '../history/model';
import type { IRunsSettings } from '../tokens';
import {
  createSettingRegistry,
  resolveRunsSettings,
  TRACKING_ID
} from './helpers';
import { FakeRunStore } from './capture-fakes';
import { TrackedNotebooks } from './notebooks';

describe('RunsPanelModel', () => {
  let registry: SettingRegistry;
  let settings: IRunsSettings;
  let notebooks: NotebookTracker;
  let model: RunsPanelModel;
  let opened: TrackedNotebooks;

  function openNotebook(path: string): Promise<NotebookPanel> {
    return opened.open(path);
  }

  beforeEach(async () => {
    registry = createSettingRegistry();
    settings = await resolveRunsSettings(registry);
    opened = new TrackedNotebooks();
    notebooks = opened.tracker;
    model = new RunsPanelModel({
      settings,
      notebooks,
      store: new FakeRunStore()
    });
  });

  afterEach(() => {
    model.dispose();
    opened.dispose();
  });

  describe('#notebook', () => {
    it('should be null while no notebook is open', () => {
      expect(model.notebook).toBeNull();
    });

    it('should describe the notebook that was open before the model', async () => {
      model.dispose();
      await openNotebook('analysis/train.ipynb');
      model = new RunsPanelModel({
        settings,
        notebooks,
        store: new FakeRunStore()
      });
      expect(model.notebook).toEqual({
        path: 'analysis/train.ipynb',
        name: 'train.ipynb'
      });
    });

    it('should follow the active notebook', async () => {
      const changed = signalToPromise(model.stateChanged);
      await openNotebook('analysis/train.ipynb');
      await changed;
      expect(model.notebook?.name).toBe('train.ipynb');

      await openNotebook('eval.ipynb');
      expect(model.notebook).toEqual({
        path: 'eval.ipynb',
        name: 'eval.ipynb'
      });
    });

    it('should be null again once the active notebook is closed', async () => {
      const panel = await openNotebook('eval.ipynb');
      panel.dispose();
      expect(model.notebook).toBeNull();
    });

    it('should follow a rename of the active notebook', async () => {
      const panel = await openNotebook('analysis/train.ipynb');
      const changed = signalToPromise(model.stateChanged);

      await panel.context.rename('train-v2.ipynb');

      await changed;
      expect(model.notebook).toEqual({
        path: 'analysis/train-v2.ipynb',
        name: 'train-v2.ipynb'
      });
    });

    it('should ignore renames of a notebook that is no longer active', async () => {
      const first = await openNotebook('first.ipynb');
      await openNotebook('second.ipynb');
      let emissions = 0;
      model.stateChanged.connect(() => emissions++);

      await first.context.rename('first-renamed.ipynb');

      expect(emissions).toBe(0);
      expect(model.notebook?.name).toBe('second.ipynb');
    });
  });

  describe('#trackingEnabled', () => {
    it('should follow the tracking setting', async () => {
      expect(model.trackingEnabled).toBe(true);
      const changed = signalToPromise(model.stateChanged);

      await registry.set(TRACKING_ID, 'trackingEnabled', false);

      await changed;
      expect(model.trackingEnabled).toBe(false);
    });
  });

  describe('#runs', () => {
    it('should be empty while nothing was read', async () => {
      await openNotebook('train.ipynb');
      expect(model.runs).toEqual([]);
      expect(model.isLoading).toBe(true);
    });
  });

  describe('#dispose()', () => {
    it('should stop emitting and be idempotent', async () => {
      const panel = await openNotebook('train.ipynb');
      let emissions = 0;
      model.stateChanged.connect(() => emissions++);

      model.dispose();
      model.dispose();
      await registry.set(TRACKING_ID, 'trackingEnabled', false);
      await panel.context.rename('renamed.ipynb');
      await openNotebook('other.ipynb');

      expect(model.isDisposed).toBe(true);
      expect(emissions).toBe(0);
    });
  });
});
