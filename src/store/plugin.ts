import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator } from '@jupyterlab/translation';

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
