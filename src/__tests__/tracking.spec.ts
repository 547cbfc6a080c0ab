import { SettingRegistry } from '@jupyterlab/settingregistry';
import { signalToPromise } from '@jupyterlab/testing';

import { DEFAULT_CONFIG } from '../settings/config';
import type { RunsSettings } from '../settings/settings';
import {
  createSettingRegistry,
  InMemorySettingConnector,
  resolveRunsSettings,
  TRACKING_ID
} from './helpers';

describe('jupyterlab-runs:tracking', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    warn.mockRestore();
  });

  describe('#activate()', () => {
    it('should provide the schema defaults when the user set nothing', async () => {
      const settings = await resolveRunsSettings(createSettingRegistry());
      expect(settings.config).toEqual(DEFAULT_CONFIG);
    });

    it('should provide the user settings, normalised', async () => {
      const settings = await resolveRunsSettings(
        createSettingRegistry({
          storeFolder: 'results//runs/',
          trackingEnabled: false,
          envAllowlist: ['PATH', 'HOME'],
          metricPatterns: ['^val_'],
          outputCapBytes: 2048
        })
      );
      expect(settings.config).toEqual({
        storeFolder: 'results/runs',
        trackingEnabled: false,
        envAllowlist: ['PATH', 'HOME'],
        metricPatterns: ['^val_'],
        outputCapBytes: 2048
      });
    });

    it('should fall back to the default folder and warn for an unsafe one', async () => {
      const settings = await resolveRunsSettings(
        createSettingRegistry({ storeFolder: '../outside' })
      );
      expect(settings.config.storeFolder).toBe('jupyter-runs');
      expect(warn).toHaveBeenCalledWith(
        'jupyterlab-runs: the "storeFolder" setting "../outside" leaves the server root with ".."; using "jupyter-runs" instead.'
      );
    });

    it('should fall back to the defaults when the settings cannot be loaded', async () => {
      const error = jest.spyOn(console, 'error').mockImplementation(() => {
        /* expected: the transport knows no schema for the plugin */
      });
      const registry = new SettingRegistry({
        connector: new InMemorySettingConnector({})
      });
      const settings = await resolveRunsSettings(registry);
      expect(settings.config).toEqual(DEFAULT_CONFIG);
      expect(error).toHaveBeenCalledWith(
        'jupyterlab-runs: could not load the settings; using the defaults.',
        expect.anything()
      );
      error.mockRestore();
    });
  });

  describe('#changed', () => {
    it('should emit the new configuration when the user edits a setting', async () => {
      const registry = createSettingRegistry();
      const settings = await resolveRunsSettings(registry);
      const emitted = signalToPromise(settings.changed);

      await registry.set(TRACKING_ID, 'trackingEnabled', false);

      const [, config] = await emitted;
      expect(config).toEqual({ ...DEFAULT_CONFIG, trackingEnabled: false });
      expect(settings.config).toBe(config);
    });

    it('should not emit when an edit leaves the configuration unchanged', async () => {
      const registry = createSettingRegistry();
      const settings = await resolveRunsSettings(registry);
      const configs: unknown[] = [];
      settings.changed.connect((_, config) => configs.push(config));

      // "./jupyter-runs" normalises to the folder already in use.
      await registry.set(TRACKING_ID, 'storeFolder', './jupyter-runs');
      await registry.set(TRACKING_ID, 'storeFolder', 'archive');

      expect(configs).toEqual([{ ...DEFAULT_CONFIG, storeFolder: 'archive' }]);
    });
  });

  describe('#dispose()', () => {
    it('should stop following the settings and be idempotent', async () => {
      const registry = createSettingRegistry();
      const settings = (await resolveRunsSettings(registry)) as RunsSettings;
      const configs: unknown[] = [];
      settings.changed.connect((_, config) => configs.push(config));

      settings.dispose();
      settings.dispose();
      await registry.set(TRACKING_ID, 'trackingEnabled', false);

      expect(settings.isDisposed).toBe(true);
      expect(configs).toEqual([]);
      expect(settings.config.trackingEnabled).toBe(true);
    });
  });
});
