import type { TranslationBundle } from '@jupyterlab/translation';
import type { ReadonlyJSONObject } from '@lumino/coreutils';

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
