import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { InputDialog, showErrorMessage } from '@jupyterlab/apputils';
import { Time } from '@jupyterlab/coreutils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { Runs } from '../tokens';

/**
 * How the run commands ask and tell the user; JupyterLab's dialogs and
 * notifications by default.
 */
export interface IRunDialogs {
  /**
   * Ask to confirm a destructive action, the safe answer focused; true when
   * accepted. `details` are listed under the question, one per line.
   */
  confirm(
    title: string,
    body: string,
    accept: string,
    details?: readonly string[]
  ): Promise<boolean>;

  /**
   * Ask for a line of text; `null` when cancelled.
   */
  getText(title: string, label: string, value: string): Promise<string | null>;

  /**
   * Say that an action failed.
   */
  error(title: string, reason: unknown): Promise<void>;

  /**
   * Say that something was done, with an Undo button shown for `timeout`
   * milliseconds. Gives a function that takes the message back (once it
   * can no longer be undone).
   */
  offerUndo(message: string, undo: () => void, timeout: number): () => void;
}

/**
 * The dialogs of JupyterLab.
 */
export function labDialogs(trans: TranslationBundle): IRunDialogs {
  return {
    async confirm(title, body, accept, details = []) {
      const result = await showDialog({
        title,
        body: details.length === 0 ? body : new ConfirmBody(body, details),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: accept })
        ],
        // Enter or a hurried Space must not destroy anything.
        defaultButton: 0
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
    },
    offerUndo(message, undo, timeout) {
      const id = Notification.info(message, {
        autoClose: timeout,
        actions: [
          {
            label: trans.__('Undo'),
            caption: trans.__('Bring back what was just deleted'),
            displayType: 'accent',
            callback: () => undo()
          }
        ]
      });
      return () => Notification.dismiss(id);
    }
  };
}

/**
 * A confirmation's question and the items it concerns, as text.
 */
class ConfirmBody extends Widget {
  constructor(question: string, details: readonly string[]) {
    super();
    this.addClass('jp-RunsConfirm');
    const text = document.createElement('p');
    text.textContent = question;
    const list = document.createElement('ul');
    list.className = 'jp-RunsConfirm-items';
    for (const line of details) {
      const item = document.createElement('li');
      item.textContent = line;
      list.appendChild(item);
    }
    this.node.append(text, list);
  }
}

/**
 * How a confirmation names a run: two runs may share a name, so with the
 * time it started and the start of its id.
 */
export function describeRun(
  run: Runs.RunSummary,
  trans: TranslationBundle
): string {
  const started = new Date(run.startedAt);
  const time = Number.isNaN(started.getTime()) ? '—' : Time.format(started);
  return trans.__('"%1", started %2 (id %3)', run.name, time, shortId(run.id));
}

/**
 * The end of a run id that tells runs apart: its random part
 * (`20261126T154400123Z-k3x9qa` gives `k3x9qa`), with what comes before it
 * when that is too short to tell (`echo-1a2b3c4d-r1` gives `1a2b3c4d-r1`).
 */
export function shortId(id: string): string {
  const parts = id.split('-');
  let short = parts.pop() ?? id;
  while (short.length < SHORT_ID && parts.length > 0) {
    short = `${parts.pop()}-${short}`;
  }
  return short;
}

/**
 * How many characters of a run id at least tell runs apart in a dialog.
 */
const SHORT_ID = 6;

/**
 * A run's name as a menu label shows it: long names cut.
 */
export function menuName(run: Runs.RunSummary): string {
  const chars = [...run.name];
  return chars.length > MENU_NAME
    ? `${chars.slice(0, MENU_NAME - 1).join('')}…`
    : run.name;
}

/**
 * The longest run name a menu label shows whole, in characters.
 */
const MENU_NAME = 32;
