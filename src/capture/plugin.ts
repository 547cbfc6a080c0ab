import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator } from '@jupyterlab/translation';
import { addIcon } from '@jupyterlab/ui-components';

import { inPalette, PALETTE_ARGS } from '../commands';
import { runsIcon } from '../icons';
import { IActiveRuns, IRunsSettings, IRunStore } from '../tokens';
// Activation needs it at once: notebooks opened with the Lab are captured from
// their first kernel message.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CaptureRegistry } from './registry';
import { browserLocks } from './tabLock';
import { ActiveRunIndicator } from './view';

/**
 * Command ids of run capture.
 */
namespace CommandIDs {
  export const startRun = 'jupyterlab-runs:start-run';
  export const toggleTracking = 'jupyterlab-runs:toggle-notebook-tracking';
}

/**
 * The notebook widget factory, whose toolbar shows the active run.
 */
const NOTEBOOK_FACTORY = 'Notebook';

/**
 * The toolbar item declared in schema/capture.json.
 */
const INDICATOR_ITEM = 'runs-active-run';

/**
 * Records every run of every tracked notebook, shows the active run in the
 * notebook toolbar, and provides which run is active to the other plugins.
 */
export const capturePlugin: JupyterFrontEndPlugin<IActiveRuns> = {
  id: 'jupyterlab-runs:capture',
  description:
    'Records notebook runs from their kernels into the run store and shows the active run in the notebook toolbar.',
  autoStart: true,
  provides: IActiveRuns,
  requires: [IRunsSettings, IRunStore, INotebookTracker, ITranslator],
  optional: [ICommandPalette, IToolbarWidgetRegistry],
  activate: (
    app: JupyterFrontEnd,
    settings: IRunsSettings,
    store: IRunStore,
    notebooks: INotebookTracker,
    translator: ITranslator,
    palette: ICommandPalette | null,
    toolbarRegistry: IToolbarWidgetRegistry | null
  ): IActiveRuns => {
    const trans = translator.load('jupyterlab_runs');
    const captures = new CaptureRegistry({
      store,
      settings,
      // About 80 kB, needed only once a Python kernel is attached.
      helperSource: async () =>
        (await import('./helperSource.generated')).HELPER_SOURCE,
      // Kernels that are not Python are recorded by the tabs themselves.
      frontend: {
        appVersion: app.version,
        locks: browserLocks(),
        sessions: new Map()
      }
    });
    const indicator = (panel: NotebookPanel) =>
      new ActiveRunIndicator(captures.forPanel(panel).model, trans, store);

    // Every notebook is captured from the moment it opens, whether or not its
    // toolbar shows the indicator.
    notebooks.widgetAdded.connect((_, panel) => {
      captures.forPanel(panel);
      if (!toolbarRegistry) {
        const item = indicator(panel);
        if (!panel.toolbar.insertBefore('kernelName', INDICATOR_ITEM, item)) {
          panel.toolbar.addItem(INDICATOR_ITEM, item);
        }
      }
    });
    toolbarRegistry?.addFactory<NotebookPanel>(
      NOTEBOOK_FACTORY,
      INDICATOR_ITEM,
      indicator
    );

    const current = () => {
      const panel = notebooks.currentWidget;
      return panel ? captures.forPanel(panel) : null;
    };

    app.commands.addCommand(CommandIDs.startRun, {
      // In the notebook toolbar an icon, like the toolbar's other buttons (the
      // caption is its tooltip): text buttons there push the kernel's name
      // and status into the toolbar's overflow menu at a laptop's width.
      label: inPalette(trans, args =>
        args.toolbar ? '' : trans.__('Start New Run')
      ),
      icon: args => (args.toolbar ? addIcon : undefined),
      caption: trans.__(
        'End the active run of this notebook and start a new one'
      ),
      isEnabled: () => current()?.isRecording ?? false,
      execute: args => {
        current()?.startRun(typeof args.name === 'string' ? args.name : null);
      },
      describedBy: {
        args: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              description: trans.__(
                'The name of the new run; the kernel picks one when omitted'
              )
            },
            toolbar: {
              type: 'boolean',
              description: trans.__(
                'Whether the command is shown in a toolbar, with a shorter label'
              )
            }
          }
        }
      }
    });

    app.commands.addCommand(CommandIDs.toggleTracking, {
      label: inPalette(trans, args =>
        args.toolbar ? '' : trans.__('Track Runs of This Notebook')
      ),
      icon: args => (args.toolbar ? runsIcon : undefined),
      caption: trans.__(
        'Record the runs of this notebook (a setting stored in the notebook)'
      ),
      isEnabled: () =>
        settings.config.trackingEnabled && notebooks.currentWidget !== null,
      isToggled: () => current()?.isTrackedHere ?? false,
      execute: () => {
        const capture = current();
        capture?.setTrackedHere(!capture.isTrackedHere);
        app.commands.notifyCommandChanged(CommandIDs.toggleTracking);
      },
      describedBy: {
        args: {
          type: 'object',
          properties: {
            toolbar: {
              type: 'boolean',
              description: trans.__(
                'Whether the command is shown in a toolbar, with a shorter label'
              )
            }
          }
        }
      }
    });

    // Buttons follow the notebook shown and what its kernel is doing.
    const refreshCommands = () => {
      app.commands.notifyCommandChanged(CommandIDs.startRun);
      app.commands.notifyCommandChanged(CommandIDs.toggleTracking);
    };
    notebooks.currentChanged.connect(refreshCommands);
    captures.changed.connect(refreshCommands);
    settings.changed.connect(refreshCommands);

    if (palette) {
      const category = trans.__('Runs');
      palette.addItem({
        command: CommandIDs.startRun,
        category,
        args: PALETTE_ARGS
      });
      palette.addItem({
        command: CommandIDs.toggleTracking,
        category,
        args: PALETTE_ARGS
      });
    }

    return captures;
  }
};
