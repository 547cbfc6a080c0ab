import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { IRunsSettings, IRunStore } from '../tokens';
// The store is the service this plugin provides: activation needs it at once.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { RunStore } from './store';
import { heldWritesText } from './held';
import { serverIdentity } from './local';

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
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');
    return new RunStore({
      contents: app.serviceManager.contents,
      settings,
      translator: translator ?? undefined,
      // The browser keeps one log of unsent writes per origin; another
      // project may be served at this address later.
      server: serverIdentity(
        app.serviceManager.serverSettings.baseUrl,
        PageConfig.getOption('serverRoot') || null
      ),
      onHeld: (writes, why) => {
        for (const text of heldWritesText(writes, why, trans)) {
          Notification.warning(text, { autoClose: false });
        }
      }
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
