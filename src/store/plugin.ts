import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { IRunsSettings, IRunStore } from '../tokens';
// The store is the service this plugin provides: activation needs it at once.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { RunStore } from './store';

/**
 * Provides the run store: recorded runs as files in the store folder on the
 * Jupyter server, written through the Contents API.
 */
export const storePlugin: JupyterFrontEndPlugin<IRunStore> = {
  id: 'jupyterlab-runs:store',
  description:
    'Stores recorded runs as versioned JSON files in the store folder on the Jupyter server and lists them.',
  autoStart: true,
  provides: IRunStore,
  requires: [IRunsSettings],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    settings: IRunsSettings,
    translator: ITranslator | null
  ): IRunStore => {
    return new RunStore({
      contents: app.serviceManager.contents,
      settings,
      translator: translator ?? undefined
    });
  }
};

/**
 * Tells the user when runs stop being saved (writes refused, the browser's
 * storage unusable) and when they are saved again.
 */
export const storeHealthPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:store-health',
  description:
    'Shows a notification when the store folder refuses writes or the browser storage cannot be used, and when runs are saved again.',
  autoStart: true,
  requires: [IRunStore],
  optional: [ITranslator],
  activate: async (
    app: JupyterFrontEnd,
    store: IRunStore,
    translator: ITranslator | null
  ): Promise<void> => {
    const { StoreHealthNotices } = await import('./notices');
    new StoreHealthNotices({
      store,
      trans: (translator ?? nullTranslator).load('jupyterlab_runs'),
      openSettings: () =>
        void app.commands.execute('settingeditor:open', {
          query: 'Runs'
        })
    });
  }
};
