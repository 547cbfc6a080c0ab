import {
  Dialog,
  InputDialog,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import type { IDisposable } from '@lumino/disposable';
import { DisposableSet } from '@lumino/disposable';

import { inPalette } from '../commands';
import type { Runs } from '../tokens';
import type { RunsPanelModel } from './model';

/**
 * Command ids of the run actions; the context menu and the palette list them
 * (schema/history.json).
 */
namespace CommandIDs {
  export const openRun = 'jupyterlab-runs:open-selected-run';
  export const compareRuns = 'jupyterlab-runs:compare-selected-runs';
  export const pinRun = 'jupyterlab-runs:pin-run';
  export const renameRun = 'jupyterlab-runs:rename-run';
  export const tagRun = 'jupyterlab-runs:tag-run';
  export const noteRun = 'jupyterlab-runs:note-run';
  export const archiveRun = 'jupyterlab-runs:archive-run';
  export const deleteRun = 'jupyterlab-runs:delete-run';
  export const chooseMetrics = 'jupyterlab-runs:choose-metrics';
  export const toggleArchived = 'jupyterlab-runs:toggle-archived';
  export const toggleAllNotebooks = 'jupyterlab-runs:toggle-all-notebooks';
  export const openSnapshot = 'jupyterlab-runs:open-selected-snapshot';
  export const restoreRun = 'jupyterlab-runs:restore-selected-run';
  export const rerunRun = 'jupyterlab-runs:rerun-selected-run';
  export const showAsExecuted = 'jupyterlab-runs:show-selected-as-executed';
  export const showChanges = 'jupyterlab-runs:show-selected-changes-since';
}

/**
 * The ids of the commands `addRunCommands` adds, for the palette.
 */
export const RUN_COMMANDS: readonly string[] = Object.values(CommandIDs);

/**
 * How the commands ask the user; JupyterLab's dialogs by default.
 */
export interface IRunDialogs {
  /**
   * Ask to confirm a destructive action; true when accepted.
   */
  confirm(title: string, body: string, accept: string): Promise<boolean>;

  /**
   * Ask for a line of text; `null` when cancelled.
   */
  getText(title: string, label: string, value: string): Promise<string | null>;

  /**
   * Say that an action failed.
   */
  error(title: string, reason: unknown): Promise<void>;
}

/**
 * The dialogs of JupyterLab.
 */
export function labDialogs(trans: TranslationBundle): IRunDialogs {
  return {
    async confirm(title, body, accept) {
      const result = await showDialog({
        title,
        body,
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: accept })
        ]
      });
      return result.button.accept;
    },
    async getText(title, label, value) {
      const result = await InputDialog.getText({
        title,
        label,
        text: value,
        okLabel: trans.__('Save'),
        cancelLabel: trans.__('Cancel')
      });
      return result.button.accept ? (result.value ?? '') : null;
    },
    async error(title, reason) {
      await showErrorMessage(title, reason as Error);
    }
  };
}

/**
 * Reads what the user typed in the Tag… dialog: `name=value` sets a tag,
 * `name=` removes it; a name alone sets it to the empty text. `null` when
 * there is no name.
 */
export function parseTagInput(
  text: string
): Readonly<Record<string, string | null>> | null {
  const equals = text.indexOf('=');
  const name = (equals < 0 ? text : text.slice(0, equals)).trim();
  if (!name) {
    return null;
  }
  if (equals < 0) {
    return { [name]: '' };
  }
  const value = text.slice(equals + 1).trim();
  return { [name]: value === '' ? null : value };
}

/**
 * Splits the Choose Metrics… answer: names separated by commas.
 */
export function parseMetricNames(text: string): string[] {
  return text
    .split(',')
    .map(name => name.trim())
    .filter(name => name !== '');
}

const NO_ARGS = { args: { type: 'object', properties: {} } } as const;

/**
 * The comparison's command and its bounds (src/compare/plugin.ts).
 */
const COMPARE_COMMAND = 'jupyterlab-runs:compare-runs';

/**
 * The commands of other plugins that take one run ({notebookPath, runId}),
 * and the sidebar's commands that give them the selected run: id, the
 * other plugin's command, label, caption.
 */
function delegatedCommands(
  trans: TranslationBundle
): (readonly [string, string, string, string])[] {
  return [
    [
      CommandIDs.openSnapshot,
      'jupyterlab-runs:open-snapshot',
      trans.__('Open Snapshot'),
      trans.__('Open the notebook as the selected run left it, read-only')
    ],
    [
      CommandIDs.showAsExecuted,
      'jupyterlab-runs:show-as-executed',
      trans.__('As Executed'),
      trans.__(
        "The selected run's executions in the order they really happened"
      )
    ],
    [
      CommandIDs.showChanges,
      'jupyterlab-runs:show-changes-since',
      trans.__('What Changed Since'),
      trans.__(
        "The selected run's notebook and environment against the ones now"
      )
    ],
    [
      CommandIDs.rerunRun,
      'jupyterlab-runs:rerun',
      trans.__('Re-run in a Fresh Kernel'),
      trans.__(
        'Execute the selected run again in a new kernel and say whether it reproduced'
      )
    ],
    [
      CommandIDs.restoreRun,
      'jupyterlab-runs:restore-snapshot',
      trans.__('Restore into This Notebook'),
      trans.__(
        "Replace the notebook's cells with the selected run's; the notebook as it was is kept as a restore point"
      )
    ]
  ];
}
const COMPARE_MIN = 2;
const COMPARE_MAX = 50;

/**
 * Adds the commands acting on the selected run of the Runs table (pin,
 * rename, tag, note, archive, delete) and on the table itself.
 */
export function addRunCommands(
  commands: CommandRegistry,
  model: RunsPanelModel,
  trans: TranslationBundle,
  dialogs: IRunDialogs = labDialogs(trans)
): IDisposable {
  const disposables = new DisposableSet();
  const hasRun = () => !model.isDisposed && model.selectedRun !== null;

  /**
   * Runs an action on the selected run, saying when the store refused it.
   */
  const onSelected =
    (action: (run: Runs.RunSummary) => Promise<void>) =>
    async (): Promise<void> => {
      const run = model.selectedRun;
      if (!run) {
        return;
      }
      try {
        await action(run);
      } catch (reason) {
        await dialogs.error(trans.__('The run could not be changed'), reason);
      }
    };

  disposables.add(
    commands.addCommand(CommandIDs.openRun, {
      label: inPalette(trans, () => trans.__('Open Run')),
      caption: trans.__('Open the selected run in the main area'),
      isEnabled: hasRun,
      execute: () => {
        const run = model.selectedRun;
        if (run) {
          model.open(run);
        }
      },
      describedBy: NO_ARGS
    })
  );

  /** The selected run as the other plugins' commands take it. */
  const selectedArgs = () => {
    const run = model.isDisposed ? null : model.selectedRun;
    return run ? { notebookPath: run.notebookPath, runId: run.id } : null;
  };
  for (const [id, target, label, caption] of delegatedCommands(trans)) {
    // The other plugin's command decides whether it can act on the run (a
    // shared notebook cannot be restored into) and then says why not.
    const targetEnabled = () => {
      const args = selectedArgs();
      return (
        args !== null &&
        commands.hasCommand(target) &&
        commands.isEnabled(target, args)
      );
    };
    disposables.add(
      commands.addCommand(id, {
        label: inPalette(trans, () => label),
        caption: () => {
          const args = selectedArgs();
          return args && commands.hasCommand(target) && !targetEnabled()
            ? commands.caption(target, args) || caption
            : caption;
        },
        isEnabled: targetEnabled,
        execute: async () => {
          const args = selectedArgs();
          if (args) {
            await commands.execute(target, args);
          }
        },
        describedBy: NO_ARGS
      })
    );
  }

  const comparable = () =>
    !model.isDisposed &&
    model.selectedRuns.length >= COMPARE_MIN &&
    model.selectedRuns.length <= COMPARE_MAX;
  disposables.add(
    commands.addCommand(CommandIDs.compareRuns, {
      label: inPalette(trans, () =>
        trans.__('Compare %1 Selected Runs', model.selectedRuns.length)
      ),
      caption: trans.__(
        'Compare the selected runs (select 2 to 50 with Ctrl/Cmd- or Shift-click)'
      ),
      isEnabled: comparable,
      execute: () => {
        if (!comparable()) {
          return;
        }
        return commands.execute(COMPARE_COMMAND, {
          runs: model.selectedRuns.map(run => ({
            notebookPath: run.notebookPath,
            runId: run.id
          }))
        });
      },
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.pinRun, {
      label: inPalette(trans, () =>
        model.selectedRun?.pinned ? trans.__('Unpin Run') : trans.__('Pin Run')
      ),
      caption: trans.__('Keep the selected run at the top of the table'),
      isEnabled: hasRun,
      isToggled: () => model.selectedRun?.pinned === true,
      execute: onSelected(run => model.updateRun(run, { pinned: !run.pinned })),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.renameRun, {
      label: inPalette(trans, () => trans.__('Rename Run…')),
      caption: trans.__('Give the selected run another name'),
      isEnabled: hasRun,
      execute: onSelected(async run => {
        const text = await dialogs.getText(
          trans.__('Rename Run'),
          trans.__('New name'),
          run.name
        );
        const name = text?.trim();
        if (text !== null && !name) {
          await dialogs.error(
            trans.__('The run was not renamed'),
            trans.__(
              'A run needs a name: "%1" keeps its name. Type at least one character that is not a space.',
              run.name
            )
          );
        } else if (name && name !== run.name) {
          await model.updateRun(run, { name });
        }
      }),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.tagRun, {
      label: inPalette(trans, () => trans.__('Tag Run…')),
      caption: trans.__('Set or remove a tag of the selected run'),
      isEnabled: hasRun,
      execute: onSelected(async run => {
        const text = await dialogs.getText(
          trans.__('Tag Run'),
          trans.__('Tag as name=value (name= removes it)'),
          ''
        );
        const tags = text === null ? null : parseTagInput(text);
        if (tags) {
          await model.updateRun(run, { tags });
        }
      }),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.noteRun, {
      label: inPalette(trans, () => trans.__('Note…')),
      caption: trans.__('Write a note on the selected run'),
      isEnabled: hasRun,
      execute: onSelected(async run => {
        const text = await dialogs.getText(
          trans.__('Note on Run'),
          trans.__('Note (empty removes it)'),
          run.note ?? ''
        );
        if (text === null) {
          return;
        }
        const note = text.trim() === '' ? null : text;
        if (note !== run.note) {
          await model.updateRun(run, { note });
        }
      }),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.archiveRun, {
      label: inPalette(trans, () =>
        model.selectedRun?.archived
          ? trans.__('Unarchive Run')
          : trans.__('Archive Run')
      ),
      caption: trans.__('Hide the selected run unless archived runs are shown'),
      isEnabled: hasRun,
      execute: onSelected(run =>
        model.updateRun(run, { archived: !run.archived })
      ),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.deleteRun, {
      label: inPalette(trans, () => trans.__('Delete Run…')),
      caption: trans.__('Delete the selected run and everything it recorded'),
      isEnabled: hasRun,
      execute: onSelected(async run => {
        const confirmed = await dialogs.confirm(
          trans.__('Delete Run'),
          trans.__(
            'Delete the run "%1" and everything it recorded? This cannot be undone.',
            run.name
          ),
          trans.__('Delete')
        );
        if (confirmed) {
          await model.deleteRun(run);
        }
      }),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.chooseMetrics, {
      label: inPalette(trans, () => trans.__('Choose Metric Columns…')),
      caption: trans.__(
        'Choose the metrics shown as columns of the Runs table, for this notebook'
      ),
      isEnabled: () => !model.isDisposed && model.canChooseMetrics,
      execute: async () => {
        const text = await dialogs.getText(
          trans.__('Metric Columns'),
          trans.__(
            'Metric names, separated by commas (empty: the first logged)'
          ),
          model.primaryMetrics.join(', ')
        );
        if (text === null) {
          return;
        }
        try {
          await model.choosePrimaryMetrics(parseMetricNames(text));
        } catch (reason) {
          await dialogs.error(
            trans.__('The metric columns could not be saved'),
            reason
          );
        }
      },
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.toggleArchived, {
      label: inPalette(trans, () => trans.__('Show Archived Runs')),
      caption: trans.__('Show the archived runs in the Runs table'),
      isEnabled: () => !model.isDisposed,
      isToggled: () => model.showArchived,
      execute: () => {
        model.showArchived = !model.showArchived;
      },
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.toggleAllNotebooks, {
      label: inPalette(trans, () => trans.__('Show Runs of All Notebooks')),
      caption: trans.__(
        'Show the runs of every notebook, not only the active one'
      ),
      isEnabled: () => !model.isDisposed,
      isToggled: () => model.allNotebooks,
      execute: () => {
        model.allNotebooks = !model.allNotebooks;
      },
      describedBy: NO_ARGS
    })
  );

  // Labels and toggles follow the selection and the model's switches; the
  // clock ticks change neither, so they do not refresh menus and palette.
  let shown = '';
  const onChange = () => {
    const run = model.selectedRun;
    const now = [
      model.selectedKey,
      run?.pinned,
      run?.archived,
      model.showArchived,
      model.allNotebooks,
      model.canChooseMetrics
    ].join('|');
    if (now !== shown) {
      shown = now;
      commands.notifyCommandChanged();
    }
  };
  model.stateChanged.connect(onChange);
  disposables.add({
    isDisposed: false,
    dispose() {
      model.stateChanged.disconnect(onChange);
    }
  });
  return disposables;
}
