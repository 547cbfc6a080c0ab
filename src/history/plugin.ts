import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import { ICommandPalette, IThemeManager } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';

import { inPalette, PALETTE_ARGS } from '../commands';
import { IActiveRuns, IRunsSettings, IRunStore } from '../tokens';
// Activation needs these at once: the sidebar and its commands are part of
// the Lab's first layout.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addRunCommands, RUN_COMMANDS } from './commands';
import { SettingsMetricChoices } from './metricChoices';
// eslint-disable-next-line jupyter/prefer-lazy-imports
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
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    IActiveRuns,
    ISettingRegistry,
    IThemeManager
  ],
  activate: (
    app: JupyterFrontEnd,
    settings: IRunsSettings,
    store: IRunStore,
    notebooks: INotebookTracker,
    translator: ITranslator,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    activeRuns: IActiveRuns | null,
    settingRegistry: ISettingRegistry | null,
    themes: IThemeManager | null
  ): void => {
    const trans = translator.load('jupyterlab_runs');

    // The metric columns chosen per notebook live in this plugin's settings,
    // read without holding up the start of the Lab.
    const metricChoices = settingRegistry
      ? new SettingsMetricChoices(settingRegistry.load(historyPlugin.id))
      : null;

    const model = new RunsPanelModel({
      settings,
      notebooks,
      store,
      activeRuns,
      metricChoices,
      connectionFailure: app.serviceManager.connectionFailure,
      trans
    });
    const panel = new RunsPanel({ model, translator });
    app.shell.add(panel, 'left', { rank: PANEL_RANK, type: 'Runs' });
    themes?.themeChanged.connect(() => panel.refreshCharts());
    if (restorer) {
      restorer.add(panel, panel.id);
    }

    app.commands.addCommand(CommandIDs.showPanel, {
      label: inPalette(trans, () => trans.__('Show Runs Panel')),
      caption: trans.__('Show the runs recorded for the active notebook'),
      isEnabled: () => !panel.isDisposed,
      execute: () => {
        app.shell.activateById(panel.id);
      },
      describedBy: { args: { type: 'object', properties: {} } }
    });

    const runCommands = addRunCommands(app.commands, model, trans);
    model.runOpened.connect((_, run) => {
      void app.commands.execute('jupyterlab-runs:open-run', {
        notebookPath: run.notebookPath,
        runId: run.id
      });
    });
    panel.disposed.connect(() => {
      runCommands.dispose();
      metricChoices?.dispose();
    });

    if (palette) {
      for (const command of [CommandIDs.showPanel, ...RUN_COMMANDS]) {
        palette.addItem({
          command,
          category: trans.__('Runs'),
          args: PALETTE_ARGS
        });
      }
    }
  }
};
