import type * as nbformat from '@jupyterlab/nbformat';
import type { PartialJSONObject, PartialJSONValue } from '@lumino/coreutils';

import { isoTime } from '../store/time';

/**
 * The notebook metadata key of jupyterlab-runs (also read by run capture for
 * the notebook's tracking switch).
 */
export const METADATA_KEY = 'jupyterlab_runs';

/**
 * Where a notebook saved from a snapshot came from, kept in its metadata as
 * `metadata.jupyterlab_runs.restored_from`.
 */
export type RestoredFrom = {
  /** The path of the notebook the run recorded. */
  readonly notebook: string;
  /** The run id. */
  readonly run: string;
  /** The run's name when the notebook was saved. */
  readonly run_name: string;
  /** When the snapshot was taken, ISO 8601 in UTC. */
  readonly snapshot_time: string;
};

/**
 * The largest number of UTF-8 bytes of the notebook's name, and of the run's
 * name, in the name of a restored notebook: together with the rest they stay
 * well under the 255 bytes file systems allow.
 */
const STEM_BYTES = 120;
const RUN_NAME_BYTES = 60;

/**
 * What a cell id may be in nbformat 4.5 and later.
 */
const CELL_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Notebook metadata that nbformat treats as transient: a copy must not carry
 * the signature or the format the original was converted from.
 */
const TRANSIENT_METADATA = [
  'signature',
  'orig_nbformat',
  'orig_nbformat_minor'
];

/**
 * A snapshot's notebook (nbformat JSON as the store gives it back) as a valid
 * nbformat 4.5 notebook, cell by cell as it stood: sources, outputs,
 * execution counts, attachments and metadata unchanged, except that
 *
 * - no cell is trusted (`metadata.trusted` is dropped): the outputs were
 *   not produced here, and a notebook whose cells are all trusted would be
 *   signed as trusted by the server when saved;
 * - every cell has an id, unique in the notebook: its own when valid (the
 *   first cell of a repeated id keeps it), else a new one;
 * - sources are strings; only code cells have outputs and execution counts;
 *   only markdown and raw cells have attachments; a cell of an unknown type
 *   becomes a raw cell; an output of an unknown type is left out;
 * - transient notebook metadata (signature, original format) is dropped.
 */
export function toNotebookContent(
  notebook: Readonly<Record<string, unknown>>
): nbformat.INotebookContent {
  const cells = (Array.isArray(notebook.cells) ? notebook.cells : []).map(
    raw => asObject(raw) ?? {}
  );
  // Valid ids are kept (the first cell of an id has it); new ones avoid them.
  const kept = new Map<string, number>();
  cells.forEach((cell, index) => {
    if (typeof cell.id === 'string' && CELL_ID.test(cell.id)) {
      if (!kept.has(cell.id)) {
        kept.set(cell.id, index);
      }
    }
  });
  const ids = new Set(kept.keys());
  const content: nbformat.ICell[] = cells.map((cell, index) => {
    if (typeof cell.id === 'string' && kept.get(cell.id) === index) {
      return toCell(cell, cell.id);
    }
    const id = newCellId(index, ids);
    ids.add(id);
    return toCell(cell, id);
  });
  const metadata = { ...(asObject(notebook.metadata) ?? {}) };
  for (const key of TRANSIENT_METADATA) {
    delete metadata[key];
  }
  const minor = notebook.nbformat_minor;
  return {
    cells: content,
    metadata: metadata as nbformat.INotebookMetadata,
    nbformat: 4,
    // Cell ids need 4.5.
    nbformat_minor:
      notebook.nbformat === 4 && isCount(minor) ? Math.max(minor, 5) : 5
  };
}

/**
 * The notebook to save from a snapshot: `toNotebookContent` with where it
 * came from in `metadata.jupyterlab_runs.restored_from`. The copy is a new
 * notebook with runs of its own: its tracking switch is on, whatever the
 * snapshot's was (a run ends, and is snapshotted, when tracking is turned
 * off).
 */
export function restoredNotebook(
  notebook: Readonly<Record<string, unknown>>,
  from: RestoredFrom
): nbformat.INotebookContent {
  const content = toNotebookContent(notebook);
  const own = { ...(asObject(content.metadata[METADATA_KEY]) ?? {}) };
  delete own.tracking;
  delete own.restored_from;
  return {
    ...content,
    metadata: {
      ...content.metadata,
      [METADATA_KEY]: { ...own, restored_from: { ...from } }
    }
  };
}

/**
 * The provenance of a notebook saved from the snapshot taken at `time` (epoch
 * milliseconds) of a run.
 */
export function restoredFrom(
  notebookPath: string,
  run: { readonly id: string; readonly name: string },
  time: number
): RestoredFrom {
  return {
    notebook: notebookPath,
    run: run.id,
    run_name: run.name,
    snapshot_time: isoTime(time)
  };
}

/**
 * The file name of a notebook saved from a snapshot of a run of
 * `notebookPath`, beside it: `<notebook> (<run name> <YYYY-MM-DD HH-mm>).ipynb`,
 * the time being when the run started, in local time; then
 * `… (2).ipynb`, `… (3).ipynb` while the name is `taken` (compared ignoring
 * case, as some file systems do).
 *
 * Only letters, digits, spaces and `_ - .` are kept of the names;
 * other characters become `-`. Each name is cut to a fixed number of bytes,
 * and the file name never starts with a dot (hidden files cannot be opened
 * through the Contents API).
 */
export function restoredFileName(
  notebookPath: string,
  run: { readonly name: string; readonly startedAt: number },
  taken: Iterable<string>
): string {
  const file = notebookPath.split('/').pop() ?? '';
  const stem =
    safeName(file.replace(/\.ipynb$/i, ''), STEM_BYTES) ||
    safeName('notebook', STEM_BYTES);
  const runName = safeName(run.name, RUN_NAME_BYTES) || 'run';
  const base = `${stem} (${runName} ${localMinute(run.startedAt)})`;
  const used = new Set([...taken].map(name => name.toLowerCase()));
  let name = `${base}.ipynb`;
  for (let n = 2; used.has(name.toLowerCase()); n++) {
    name = `${base} (${n}).ipynb`;
  }
  return name;
}

/**
 * The path of a file named `fileName` in the folder of `notebookPath`.
 *
 * @throws When `fileName` is not one plain file name: nothing is ever
 * written outside the notebook's folder.
 */
export function siblingPath(notebookPath: string, fileName: string): string {
  if (
    fileName === '' ||
    fileName === '.' ||
    fileName === '..' ||
    /[/\\]/.test(fileName)
  ) {
    throw new Error(`"${fileName}" is not a file name`);
  }
  const folder = folderOf(notebookPath);
  return folder === '' ? fileName : `${folder}/${fileName}`;
}

/**
 * The folder of a path on the server ('' for the root).
 */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * `text` with only safe characters, runs of spaces and dashes collapsed, no
 * dot, space or dash at either end, cut to at most `maxBytes` UTF-8 bytes
 * (never inside a character).
 */
export function safeName(text: string, maxBytes: number): string {
  const cleaned = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N} _.-]+/gu, '-')
    .replace(/\s+/g, ' ')
    .replace(/-{2,}/g, '-');
  const trim = (value: string) => value.replace(/^[\s.-]+|[\s.-]+$/g, '');
  const encoder = new TextEncoder();
  let bytes = 0;
  let cut = '';
  for (const char of trim(cleaned)) {
    bytes += encoder.encode(char).length;
    if (bytes > maxBytes) {
      break;
    }
    cut += char;
  }
  return trim(cut);
}

/**
 * One cell, with only the fields nbformat 4.5 allows for its type.
 */
function toCell(cell: Record<string, unknown>, id: string): nbformat.ICell {
  const metadata = { ...(asObject(cell.metadata) ?? {}) };
  delete metadata.trusted;
  const source = toMultiline(cell.source);
  if (cell.cell_type === 'code') {
    return {
      id,
      cell_type: 'code',
      metadata: metadata as nbformat.ICodeCellMetadata,
      source,
      execution_count: isCount(cell.execution_count)
        ? cell.execution_count
        : null,
      outputs: (Array.isArray(cell.outputs) ? cell.outputs : [])
        .map(toOutput)
        .filter((output): output is nbformat.IOutput => output !== null)
    };
  }
  const attachments = asObject(cell.attachments);
  return {
    id,
    cell_type: cell.cell_type === 'markdown' ? 'markdown' : 'raw',
    metadata: metadata as nbformat.IBaseCellMetadata,
    source,
    ...(attachments
      ? { attachments: attachments as nbformat.IAttachments }
      : {})
  };
}

/**
 * One output with the fields of its type; null for an output nbformat does
 * not know.
 */
function toOutput(raw: unknown): nbformat.IOutput | null {
  const output = asObject(raw);
  if (!output) {
    return null;
  }
  const bundle = () => ({
    data: (asObject(output.data) ?? {}) as nbformat.IMimeBundle,
    metadata: (asObject(output.metadata) ?? {}) as nbformat.OutputMetadata
  });
  switch (output.output_type) {
    case 'stream':
      return {
        output_type: 'stream',
        name: output.name === 'stderr' ? 'stderr' : 'stdout',
        text: toMultiline(output.text)
      };
    case 'display_data':
      return { output_type: 'display_data', ...bundle() };
    case 'execute_result':
      return {
        output_type: 'execute_result',
        execution_count: isCount(output.execution_count)
          ? output.execution_count
          : null,
        ...bundle()
      };
    case 'error':
      return {
        output_type: 'error',
        ename: String(output.ename ?? ''),
        evalue: String(output.evalue ?? ''),
        traceback: Array.isArray(output.traceback)
          ? output.traceback.map(line => String(line))
          : []
      };
    default:
      return null;
  }
}

/**
 * An id for the cell at `index` that is not `used`.
 */
function newCellId(index: number, used: ReadonlySet<string>): string {
  let candidate = `cell-${index + 1}`;
  for (let n = 2; used.has(candidate); n++) {
    candidate = `cell-${index + 1}-${n}`;
  }
  return candidate;
}

/**
 * A source or stream text as stored: a string kept as it is, a list of
 * lines joined; anything else is empty.
 */
function toMultiline(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  return Array.isArray(value)
    ? value.filter(line => typeof line === 'string').join('')
    : '';
}

/**
 * `YYYY-MM-DD HH-mm` in local time: a colon is not allowed in file names on
 * every system.
 */
function localMinute(time: number): string {
  const date = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}-${two(date.getMinutes())}`
  );
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function asObject(value: unknown): PartialJSONObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as { [key: string]: PartialJSONValue })
    : null;
}
