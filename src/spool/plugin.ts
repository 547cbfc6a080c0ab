import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { IRunsSettings, IRunStore } from '../tokens';
// Small, and needed as soon as the Lab is restored.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { SpoolImporter } from './importer';

/**
 * Imports the runs kernels recorded while no frontend was attached: notebooks
 * executed headless (nbclient, papermill, `jupyter execute`) and the last
 * events of kernels that exited with no tab open.
 */
export const spoolPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:spool',
  description:
    'Imports into the run store the runs kernels recorded with no frontend attached: headless executions and kernels that exited with no tab open.',
  autoStart: true,
  requires: [IRunStore, IRunsSettings],
  activate: (
    app: JupyterFrontEnd,
    store: IRunStore,
    settings: IRunsSettings
  ): void => {
    const kernels = app.serviceManager.kernels;
    const importer = new SpoolImporter({
      contents: app.serviceManager.contents,
      store,
      settings,
      runningKernels: async () => {
        await kernels.refreshRunning();
        return [...kernels.running()].map(kernel => kernel.id);
      }
    });
    void app.restored.then(() => importer.start());
  }
};
