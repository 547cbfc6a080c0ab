import { isBinaryMimeType, redactJSON } from './redact';

/**
 * One nbformat output, as `OutputAreaModel.toJSON()` gives it.
 */
export type OutputJSON = Record<string, unknown>;

/**
 * The outputs of one execution as they are stored: redacted, then capped.
 */
export function prepareOutputs(
  outputs: readonly OutputJSON[],
  capBytes: number
): OutputJSON[] {
  return capOutputs(redactJSON(outputs), capBytes);
}

/**
 * A notebook's nbformat JSON as a snapshot stores it: every string redacted,
 * and the outputs of each cell capped like those of one execution.
 */
export function prepareNotebook(
  notebook: Record<string, unknown>,
  capBytes: number
): Record<string, unknown> {
  const redacted = redactJSON(notebook);
  const cells = Array.isArray(redacted.cells) ? redacted.cells : [];
  return {
    ...redacted,
    cells: cells.map(cell =>
      isRecord(cell) && Array.isArray(cell.outputs)
        ? { ...cell, outputs: capOutputs(cell.outputs, capBytes) }
        : cell
    )
  };
}

/**
 * Keep at most `capBytes` bytes of output content, in output order.
 *
 * Text past the cap is cut and ends with a note giving its full size; an
 * image, or any other non-text data, is kept whole when it fits in what is
 * left and is otherwise replaced by a note with its size. Notes are not
 * counted: they are short, and a reader must see why content is missing.
 */
export function capOutputs(
  outputs: readonly OutputJSON[],
  capBytes: number
): OutputJSON[] {
  const budget = new ByteBudget(capBytes);
  return outputs.map(output => capOutput(output, budget));
}

/**
 * What a cut text ends with.
 */
export function cutNote(totalBytes: number, capBytes: number): string {
  return `[jupyterlab-runs: output cut, ${totalBytes} bytes in all, over the ${capBytes}-byte cap]`;
}

/**
 * What replaces data too large to keep.
 */
export function omittedNote(
  mimeType: string,
  bytes: number,
  capBytes: number
): string {
  return `[jupyterlab-runs: ${mimeType} of ${bytes} bytes not stored, over the ${capBytes}-byte cap]`;
}

/**
 * The bytes of output content still allowed.
 */
class ByteBudget {
  constructor(readonly capBytes: number) {
    this.remaining = capBytes;
  }

  /**
   * Take `text` if it fits, else the part of it that fits plus a note.
   */
  takeText(text: string): string {
    const size = utf8Length(text);
    if (size <= this.remaining) {
      this.remaining -= size;
      return text;
    }
    const kept = utf8Prefix(text, this.remaining);
    this.remaining = 0;
    return `${kept}${kept === '' || kept.endsWith('\n') ? '' : '\n'}${cutNote(size, this.capBytes)}`;
  }

  /**
   * Take `bytes` whole if they fit; say whether they did.
   */
  takeWhole(bytes: number): boolean {
    if (bytes > this.remaining) {
      return false;
    }
    this.remaining -= bytes;
    return true;
  }

  remaining: number;
}

function capOutput(output: OutputJSON, budget: ByteBudget): OutputJSON {
  switch (output.output_type) {
    case 'stream':
      return { ...output, text: budget.takeText(joinText(output.text)) };
    case 'error':
      return {
        ...output,
        traceback: capLines(output.traceback, budget)
      };
    case 'display_data':
    case 'execute_result':
    case 'update_display_data':
      return capMimeBundle(output, budget);
    default: {
      const bytes = utf8Length(JSON.stringify(output));
      return budget.takeWhole(bytes)
        ? output
        : {
            output_type: 'stream',
            name: 'stdout',
            text: omittedNote(
              String(output.output_type),
              bytes,
              budget.capBytes
            )
          };
    }
  }
}

/**
 * Cap each representation of a rich output. Data that is dropped is named
 * in `text/plain`, which every frontend can show.
 */
function capMimeBundle(output: OutputJSON, budget: ByteBudget): OutputJSON {
  const data = isRecord(output.data) ? output.data : {};
  const kept: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const [mimeType, value] of Object.entries(data)) {
    if (isTextMimeType(mimeType, value)) {
      kept[mimeType] = budget.takeText(joinText(value));
      continue;
    }
    const bytes = isBinaryMimeType(mimeType)
      ? utf8Length(joinText(value))
      : utf8Length(JSON.stringify(value));
    if (budget.takeWhole(bytes)) {
      kept[mimeType] = value;
    } else {
      notes.push(omittedNote(mimeType, bytes, budget.capBytes));
    }
  }
  if (notes.length > 0) {
    const plain =
      typeof kept['text/plain'] === 'string' ? kept['text/plain'] : '';
    kept['text/plain'] = [plain, ...notes]
      .filter(line => line !== '')
      .join('\n');
  }
  return { ...output, data: kept };
}

/**
 * Keep the lines of a traceback that fit; the first that does not is cut.
 */
function capLines(lines: unknown, budget: ByteBudget): string[] {
  const capped: string[] = [];
  for (const line of Array.isArray(lines) ? lines : []) {
    if (budget.remaining === 0 && capped.length > 0) {
      break;
    }
    capped.push(budget.takeText(String(line)));
  }
  return capped;
}

/**
 * Whether a representation is text: a string that is not base64 binary
 * data, or nbformat's list of lines.
 */
function isTextMimeType(mimeType: string, value: unknown): boolean {
  return (
    !isBinaryMimeType(mimeType) &&
    (typeof value === 'string' || Array.isArray(value)) &&
    !mimeType.endsWith('json')
  );
}

/**
 * nbformat allows multiline text as a list of lines; store one string.
 */
function joinText(value: unknown): string {
  if (Array.isArray(value)) {
    return value.join('');
  }
  return typeof value === 'string' ? value : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The size of `text` encoded as UTF-8, without encoding it.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      // A surrogate pair: one character of four bytes.
      bytes += 4;
      i++;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

/**
 * The longest start of `text` that is at most `maxBytes` bytes in UTF-8,
 * never splitting a character.
 */
function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const pair = code >= 0xd800 && code < 0xdc00 && end + 1 < text.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) {
      break;
    }
    bytes += size;
    end += pair ? 2 : 1;
  }
  return text.slice(0, end);
}

/**
 * A cell as it was when an execution of it finished.
 */
export type SettledCell = {
  readonly count: number;
  readonly cell: Record<string, unknown>;
};

/**
 * A notebook's nbformat JSON as it stood when the execution numbered
 * `lastCount` finished: a cell run since (a higher count), or queued or
 * running now (`pending`), is put back as it was after its latest execution
 * up to `lastCount` (`history`, oldest first, by cell id), or without
 * outputs and count when it had none; a cell edited since it ran (for the
 * next run) gets back the source it ran.
 *
 * #### Notes
 * A run's end reaches the frontend after its events are flushed, which may
 * be after Run All went on into the next run: the snapshot of the run that
 * ended must not show the next run's outputs.
 */
export function settledNotebook(
  notebook: Record<string, unknown>,
  lastCount: number,
  history: ReadonlyMap<string, readonly SettledCell[]>,
  pending: ReadonlySet<string>
): Record<string, unknown> {
  if (!Array.isArray(notebook.cells)) {
    return notebook;
  }
  return {
    ...notebook,
    cells: notebook.cells.map(cell => {
      if (!isRecord(cell) || typeof cell.id !== 'string') {
        return cell;
      }
      const count = cell.execution_count;
      const later = typeof count === 'number' && count > lastCount;
      const versions = history.get(cell.id) ?? [];
      if (!later && !pending.has(cell.id)) {
        // Its outputs are those of an execution of the run; its source may
        // have been edited since (for the next run, or by a collaborator
        // while it ran): the source as it ran, with the outputs it shows.
        const ran = versions.find(settled => settled.count === count);
        return ran && ran.cell.source !== cell.source
          ? { ...cell, source: ran.cell.source }
          : cell;
      }
      const before = versions.filter(settled => settled.count <= lastCount);
      return (
        before[before.length - 1]?.cell ?? {
          ...cell,
          outputs: [],
          execution_count: null
        }
      );
    })
  };
}
