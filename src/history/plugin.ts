import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator } from '@jupyterlab/translation';

import { IActiveRuns, IRunsSettings, IRunStore } from '../tokens';
import { RunsPanelModel } from './model';
// Activation needs it at once: the sidebar is part of the Lab's first layout.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { RunsPanel } from './view';

/**
 * Command ids of the Runs sidebar.
 */
namespace CommandIDs {
  export const showPanel = 'jupyterlab-runs:show-panel';
}

/**
 * JupyterLab leaves ranks 501-899 of the side areas to third-party panels;
 * 700 places Runs after the core ones (files, running sessions, contents).
 */
const PANEL_RANK = 700;

/**
 * Adds the Runs sidebar, which lists the runs of the active notebook.
 */
export const historyPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:history',
  description:
    'Adds the Runs sidebar listing the recorded runs of the active notebook.',
  autoStart: true,
  requires: [IRunsSettings, IRunStore, INotebookTracker, ITranslator],
  optional: [ILayoutRestorer, ICommandPalette, IActiveRuns],
  activate: (
    app: JupyterFrontEnd,
    settings: IRunsSettings,
    store: IRunStore,
    notebooks: INotebookTracker,
    translator: ITranslator,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    activeRuns: IActiveRuns | null
  ): void => {
    const trans = translator.load('jupyterlab_runs');

    const model = new RunsPanelModel({
      settings,
      notebooks,
      store,
      activeRuns
    });
    const panel = new RunsPanel({ model, translator });
    app.shell.add(panel, 'left', { rank: PANEL_RANK, type: 'Runs' });
    if (restorer) {
      restorer.add(panel, panel.id);
    }

    app.commands.addCommand(CommandIDs.showPanel, {
      label: trans.__('Show Runs Panel'),
      caption: trans.__('Show the runs recorded for the active notebook'),
      isEnabled: () => !panel.isDisposed,
      execute: () => {
        app.shell.activateById(panel.id);
      },
      describedBy: { args: { type: 'object', properties: {} } }
    });

    if (palette) {
      palette.addItem({
        command: CommandIDs.showPanel,
        category: trans.__('Runs')
      });
    }
  }
};
