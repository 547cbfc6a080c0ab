import { isBinaryMimeType, redactJSON, redactText } from './redact';

/**
 * One nbformat output, as `OutputAreaModel.toJSON()` gives it.
 */
export type OutputJSON = Record<string, unknown>;

/**
 * How many characters past the cap are redacted with the text kept, so that
 * a secret the cap cuts through is still recognised, and replaced, whole.
 */
const REDACTION_MARGIN = 8192;

/**
 * The outputs of one execution as they are stored: capped, then redacted.
 *
 * #### Notes
 * Capping first bounds the time redaction takes: a 64 MB output costs no
 * more to redact than its first megabyte.
 */
export function prepareOutputs(
  outputs: readonly OutputJSON[],
  capBytes: number
): OutputJSON[] {
  return capOutputs(outputs, capBytes, true);
}

/**
 * A notebook's nbformat JSON as a snapshot stores it: every string redacted,
 * and the outputs of each cell capped like those of one execution, before
 * they are redacted.
 */
export function prepareNotebook(
  notebook: Record<string, unknown>,
  capBytes: number
): Record<string, unknown> {
  const cells = Array.isArray(notebook.cells) ? notebook.cells : [];
  return {
    ...redactJSON({ ...notebook, cells: [] }),
    cells: cells.map(cell => {
      if (!isRecord(cell) || !Array.isArray(cell.outputs)) {
        return redactJSON(cell);
      }
      const redacted: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(cell)) {
        redacted[key] =
          key === 'outputs'
            ? capOutputs(cell.outputs, capBytes, true)
            : redactJSON(value);
      }
      return redacted;
    })
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
  capBytes: number,
  redact = false
): OutputJSON[] {
  const budget = new ByteBudget(capBytes, redact);
  return outputs.map(output => budget.redactRest(capOutput(output, budget)));
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
  constructor(
    readonly capBytes: number,
    readonly redact: boolean
  ) {
    this.remaining = capBytes;
  }

  /**
   * Take `text` if it fits, else the part of it that fits plus a note. A
   * budget that redacts redacts what it may keep (and a margin), then cuts.
   */
  takeText(text: string): string {
    let taken = text;
    let size: number | null = null;
    if (this.redact) {
      // A character is at least one byte: nothing past this can be kept.
      const head = text.slice(0, this.remaining + REDACTION_MARGIN);
      taken = redactText(head);
      size = head.length < text.length ? utf8Length(text) : null;
    }
    const takenSize = utf8Length(taken);
    if (size === null && takenSize <= this.remaining) {
      this.remaining -= takenSize;
      return taken;
    }
    const kept = utf8Prefix(taken, this.remaining);
    this.remaining = 0;
    return `${kept}${kept === '' || kept.endsWith('\n') ? '' : '\n'}${cutNote(size ?? takenSize, this.capBytes)}`;
  }

  /**
   * A capped output with the fields `takeText` did not take redacted too
   * (names, metadata, JSON data kept whole), when the budget redacts.
   */
  redactRest(output: OutputJSON): OutputJSON {
    if (!this.redact) {
      return output;
    }
    const taken = TAKEN_AS_TEXT[String(output.output_type)];
    const redacted: OutputJSON = {};
    for (const [key, value] of Object.entries(output)) {
      if (key === taken) {
        redacted[key] = value;
      } else if (key === 'data' && taken === 'data' && isRecord(value)) {
        const data: Record<string, unknown> = {};
        for (const [mimeType, item] of Object.entries(value)) {
          data[mimeType] = isTextMimeType(mimeType, item)
            ? item
            : redactJSON({ [mimeType]: item })[mimeType];
        }
        redacted[key] = data;
      } else {
        redacted[key] = redactJSON(value);
      }
    }
    return redacted;
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

/**
 * The field of each output type whose texts `ByteBudget.takeText` took
 * (the text representations, for rich outputs).
 */
const TAKEN_AS_TEXT: Record<string, string> = {
  stream: 'text',
  error: 'traceback',
  display_data: 'data',
  execute_result: 'data',
  update_display_data: 'data'
};

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
