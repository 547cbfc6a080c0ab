import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { IRunsSettings } from '../tokens';
// Activation needs it at once: the other plugins start from the configuration.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { RunsSettings } from './settings';

const PLUGIN_ID = 'jupyterlab-runs:tracking';

/**
 * Provides the validated jupyterlab-runs configuration to the other plugins.
 */
export const trackingPlugin: JupyterFrontEndPlugin<IRunsSettings> = {
  id: PLUGIN_ID,
  description:
    'Reads the jupyterlab-runs settings, validates them and provides them to the other plugins.',
  autoStart: true,
  provides: IRunsSettings,
  requires: [ISettingRegistry],
  activate: async (
    _app: JupyterFrontEnd,
    registry: ISettingRegistry
  ): Promise<IRunsSettings> => {
    try {
      return new RunsSettings(await registry.load(PLUGIN_ID));
    } catch (reason) {
      // Without settings the extension still works, with its defaults.
      console.error(
        'jupyterlab-runs: could not load the settings; using the defaults.',
        reason
      );
      return new RunsSettings(null);
    }
  }
};
