import type { TranslationBundle } from '@jupyterlab/translation';
import type {
  ReadonlyJSONObject,
  ReadonlyPartialJSONObject
} from '@lumino/coreutils';

/**
 * The arguments of the commands that act on one recorded run.
 */
export type RunArgs = { notebookPath: string; runId: string };

/**
 * The `describedBy` of a command acting on one run: its notebook path and
 * run id, and the `extra` arguments given (JSON Schema properties).
 */
export function runArgsDescription(
  trans: TranslationBundle,
  extra: ReadonlyJSONObject = {}
): { args: ReadonlyJSONObject } {
  return {
    args: {
      type: 'object',
      properties: {
        notebookPath: {
          type: 'string',
          description: trans.__('The notebook path, from the server root')
        },
        runId: { type: 'string', description: trans.__('The run id') },
        ...extra
      },
      required: ['notebookPath', 'runId']
    }
  };
}

/**
 * The arguments the command palette lists this extension's commands with.
 */
export const PALETTE_ARGS = { isPalette: true } as const;

/**
 * A command label that says "Runs:" in the command palette, where "Rename
 * Run…" or "Start New Run" would mix with the notebook's "Run All Cells".
 * Menus and toolbars keep the label as it is.
 */
export function inPalette(
  trans: TranslationBundle,
  label: (args: ReadonlyPartialJSONObject) => string
): (args: ReadonlyPartialJSONObject) => string {
  return args => {
    const text = label(args);
    return args.isPalette === true ? trans.__('Runs: %1', text) : text;
  };
}
