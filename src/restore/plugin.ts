import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { RunArgs } from '../commands';
import { runArgsDescription } from '../commands';
import { runsIcon } from '../icons';
import { IRunsSettings, IRunStore } from '../tokens';
import {
  isSharedNotebook,
  restorableCells,
  restorePointEvents,
  timeOrderedId
} from './restore';

/**
 * Command ids of restoring.
 */
export namespace CommandIDs {
  export const restore = 'jupyterlab-runs:restore-snapshot';
}

type RestoreArgs = RunArgs & { confirm?: boolean };

/**
 * The notebook widget factory.
 */
const NOTEBOOK_FACTORY = 'Notebook';

/**
 * Replaces a notebook's cells with a run's, after keeping the notebook as it
 * was as a restore point: a run of its own in the Runs panel, which can be
 * restored in turn to undo.
 */
export const restorePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:restore',
  description:
    "Restores a run's notebook into the working notebook, keeping the state before as a restore point to undo it.",
  autoStart: true,
  requires: [IRunStore, IRunsSettings, INotebookTracker],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    store: IRunStore,
    settings: IRunsSettings,
    notebooks: INotebookTracker,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');

    /**
     * The notebook's panel, opened when it is not, once its file is read.
     */
    const panelOf = async (path: string): Promise<NotebookPanel | null> => {
      const open =
        notebooks.find(panel => panel.context.path === path) ??
        ((await app.commands.execute('docmanager:open', {
          path,
          factory: 'Notebook'
        })) as NotebookPanel | undefined);
      if (!open || !notebooks.has(open)) {
        return null;
      }
      await open.context.ready;
      return open;
    };

    /**
     * Store the notebook as it is as a run of its own; its id.
     */
    const keepRestorePoint = async (
      path: string,
      panel: NotebookPanel,
      restored: { id: string; name: string }
    ): Promise<{ id: string; name: string }> => {
      const { prepareNotebook } = await import('../capture/outputs');
      const now = Date.now();
      const point = {
        id: timeOrderedId(now),
        name: trans.__('before restoring %1', restored.name)
      };
      store.addEvents(
        path,
        restorePointEvents({
          session: `restore-${timeOrderedId(now)}`,
          run: point.id,
          name: point.name,
          restored: restored.id,
          now
        })
      );
      store.saveSnapshot(path, {
        run: point.id,
        time: now,
        notebook: prepareNotebook(
          panel.content.model!.toJSON() as unknown as Record<string, unknown>,
          settings.config.outputCapBytes
        )
      });
      await store.flush();
      return point;
    };

    const isShared = (path: string | undefined): boolean =>
      typeof path === 'string' &&
      isSharedNotebook(path, {
        openPanel: notebooks.find(panel => panel.context.path === path),
        contentProviderId:
          app.docRegistry.getWidgetFactory(NOTEBOOK_FACTORY)?.contentProviderId,
        contents: app.serviceManager.contents
      });
    const sharedReason = trans.__(
      "Not available while the notebook is shared with real-time collaboration: restoring would replace every user's cells, and their edits, at once. Use 'Save as New Notebook' instead."
    );
    /**
     * Say why nothing is restored. A disabled command can still be executed
     * by a caller that does not ask first (another plugin's menu, the
     * restore point's Undo).
     */
    const refuseShared = async (): Promise<null> => {
      await showDialog({
        title: trans.__('Cannot Restore into a Shared Notebook'),
        body: sharedReason,
        buttons: [Dialog.okButton()]
      });
      return null;
    };

    app.commands.addCommand(CommandIDs.restore, {
      label: trans.__('Restore into This Notebook'),
      caption: args =>
        isShared((args as Partial<RestoreArgs>).notebookPath)
          ? sharedReason
          : trans.__(
              "Replace the notebook's cells with the run's; the notebook as it was is kept as a restore point in the Runs panel"
            ),
      isEnabled: args => !isShared((args as Partial<RestoreArgs>).notebookPath),
      icon: runsIcon,
      describedBy: runArgsDescription(trans, {
        confirm: {
          type: 'boolean',
          description: trans.__('Whether to ask first (true by default)')
        }
      }),
      execute: async args => {
        const { notebookPath, runId, confirm = true } = args as RestoreArgs;
        if (isShared(notebookPath)) {
          return refuseShared();
        }
        const [snapshot, read] = await Promise.all([
          store.readSnapshot(notebookPath, runId),
          store.readRun(notebookPath, runId, { inherited: false })
        ]);
        const run = { id: runId, name: read.value?.name ?? runId };
        if (!snapshot.value) {
          await showDialog({
            title: trans.__('Nothing to Restore'),
            body: trans.__(
              'Run %1 has no notebook snapshot to restore. %2',
              run.name,
              snapshot.problems.join(' ')
            ),
            buttons: [Dialog.okButton()]
          });
          return null;
        }
        if (confirm) {
          const answer = await showDialog({
            title: trans.__('Restore Run %1?', run.name),
            body: trans.__(
              "The cells of %1 will be replaced with the cells of run %2, outputs included. The notebook as it is now is kept first, as a run named 'before restoring %2' in the Runs panel: restore that one to undo. Nothing is saved to the file until you save.",
              notebookPath,
              run.name
            ),
            buttons: [
              Dialog.cancelButton(),
              Dialog.warnButton({ label: trans.__('Restore') })
            ]
          });
          if (!answer.button.accept) {
            return null;
          }
        }
        const panel = await panelOf(notebookPath);
        const model = panel?.content.model;
        if (!panel || !model) {
          Notification.error(
            trans.__('%1 could not be opened to restore into.', notebookPath)
          );
          return null;
        }
        if (isShared(notebookPath)) {
          // Opened just now, and shared.
          return refuseShared();
        }
        const point = await keepRestorePoint(notebookPath, panel, run);
        const cells = restorableCells(snapshot.value.notebook);
        const shared = model.sharedModel;
        shared.transact(() => {
          shared.deleteCellRange(0, shared.cells.length);
          shared.insertCells(0, cells as never);
        });
        app.shell.activateById(panel.id);
        Notification.success(
          trans.__(
            "Restored run %1 into %2. The notebook as it was is kept as run '%3'.",
            run.name,
            notebookPath,
            point.name
          ),
          {
            autoClose: 10000,
            actions: [
              {
                label: trans.__('Undo'),
                callback: () =>
                  void app.commands.execute(CommandIDs.restore, {
                    notebookPath,
                    runId: point.id,
                    confirm: false
                  })
              }
            ]
          }
        );
        return point.id;
      }
    });
  }
};
