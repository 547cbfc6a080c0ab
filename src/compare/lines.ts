/**
 * A line diff of two texts, grouped into hunks with context as a unified
 * diff shows them, with the changed words of paired lines marked.
 */
import type { Segment } from './inline';
import { inlineMarks } from './inline';
import type { Edit } from './myers';
import { editScript, internAll } from './myers';

/**
 * The shapes of a line diff.
 */
export namespace LineDiff {
  /**
   * One line of a hunk. Line numbers are 1-based, null on the side the line
   * is not on.
   */
  export type Line = {
    readonly kind: 'equal' | 'insert' | 'delete';
    readonly text: string;
    readonly oldLine: number | null;
    readonly newLine: number | null;
    /**
     * For a deleted line paired with an inserted one (or the reverse): the
     * line cut into unchanged and changed segments; null otherwise.
     */
    readonly marks: readonly Segment[] | null;
  };

  /**
   * Changed lines with the lines around them. As in a unified diff, a side
   * with no lines starts at the line before the hunk (0 at the top).
   */
  export type Hunk = {
    readonly oldStart: number;
    readonly oldLines: number;
    readonly newStart: number;
    readonly newLines: number;
    readonly lines: readonly Line[];
  };

  /**
   * The diff of two texts.
   */
  export type Result = {
    readonly hunks: readonly Hunk[];
    /** Lines inserted and deleted. */
    readonly added: number;
    readonly removed: number;
    /** True when both texts have the same lines. */
    readonly identical: boolean;
    /**
     * True when the input was too large or too different for a minimal
     * diff: the changed middle is shown as replaced, without marks.
     */
    readonly coarse: boolean;
  };

  /**
   * Options of `diffLines`.
   */
  export type Options = {
    /** Unchanged lines kept around each change; 3 by default. */
    readonly context?: number;
    /**
     * Past this many lines on either side (once the common start and end
     * are set aside), the diff is coarse; 5,000 by default.
     */
    readonly maxLines?: number;
    /** Past this many changed lines, the diff is coarse; 2,000 by default. */
    readonly maxEdits?: number;
  };
}

const DEFAULT_CONTEXT = 3;
const DEFAULT_MAX_LINES = 5000;
const DEFAULT_MAX_EDITS = 2000;

/**
 * The lines of a text: split at `\n`, `\r\n` or `\r`; a final line break
 * does not start another line, so an empty text has no lines.
 */
export function splitLines(text: string): string[] {
  if (text === '') {
    return [];
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/**
 * The line diff turning `oldText` into `newText`.
 */
export function diffLines(
  oldText: string,
  newText: string,
  options: LineDiff.Options = {}
): LineDiff.Result {
  const oldLines = splitLines(oldText);
  const newLines = splitLines(newText);
  const [a, b] = internAll(oldLines, newLines);
  const { edits, exact } = editScript(a, b, {
    maxLength: options.maxLines ?? DEFAULT_MAX_LINES,
    maxEdits: options.maxEdits ?? DEFAULT_MAX_EDITS
  });
  const lines = toLines(groupChanges(edits), oldLines, newLines, exact);
  const added = lines.filter(line => line.kind === 'insert').length;
  const removed = lines.filter(line => line.kind === 'delete').length;
  return {
    hunks: toHunks(lines, Math.max(0, options.context ?? DEFAULT_CONTEXT)),
    added,
    removed,
    identical: added === 0 && removed === 0,
    coarse: !exact
  };
}

/**
 * The edits with each run of changes put as its deletions then its
 * insertions, the order a reader expects and the one pairing needs.
 */
function groupChanges(edits: readonly Edit[]): Edit[][] {
  const runs: Edit[][] = [];
  let deletions: Edit[] = [];
  let insertions: Edit[] = [];
  const flush = (): void => {
    if (deletions.length + insertions.length > 0) {
      runs.push([...deletions, ...insertions]);
      deletions = [];
      insertions = [];
    }
  };
  for (const edit of edits) {
    if (edit.op === 'equal') {
      flush();
      runs.push([edit]);
    } else if (edit.op === 'delete') {
      deletions.push(edit);
    } else {
      insertions.push(edit);
    }
  }
  flush();
  return runs;
}

/**
 * The numbered lines of the runs; in a run of changes the n-th deleted line
 * is paired with the n-th inserted one for marks, unless the diff is coarse.
 */
function toLines(
  runs: readonly Edit[][],
  oldLines: readonly string[],
  newLines: readonly string[],
  exact: boolean
): LineDiff.Line[] {
  const lines: LineDiff.Line[] = [];
  for (const run of runs) {
    const deleted = run.filter(edit => edit.op === 'delete');
    const inserted = run.filter(edit => edit.op === 'insert');
    const marks = new Map<Edit, readonly Segment[]>();
    const pairs = exact ? Math.min(deleted.length, inserted.length) : 0;
    for (let i = 0; i < pairs; i++) {
      const found = inlineMarks(
        oldLines[deleted[i].oldIndex],
        newLines[inserted[i].newIndex]
      );
      if (found) {
        marks.set(deleted[i], found.old);
        marks.set(inserted[i], found.new);
      }
    }
    for (const edit of run) {
      lines.push({
        kind: edit.op,
        text:
          edit.op === 'insert'
            ? newLines[edit.newIndex]
            : oldLines[edit.oldIndex],
        oldLine: edit.op === 'insert' ? null : edit.oldIndex + 1,
        newLine: edit.op === 'delete' ? null : edit.newIndex + 1,
        marks: marks.get(edit) ?? null
      });
    }
  }
  return lines;
}

/**
 * The changed lines with `context` lines around them; changes whose
 * context meets or overlaps share a hunk.
 */
function toHunks(
  lines: readonly LineDiff.Line[],
  context: number
): LineDiff.Hunk[] {
  const ranges: [number, number][] = [];
  lines.forEach((line, index) => {
    if (line.kind === 'equal') {
      return;
    }
    const from = Math.max(0, index - context);
    const to = Math.min(lines.length, index + context + 1);
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1]) {
      last[1] = Math.max(last[1], to);
    } else {
      ranges.push([from, to]);
    }
  });
  // The lines each side had before each line, for where hunks start.
  const oldBefore: number[] = [];
  const newBefore: number[] = [];
  let oldSeen = 0;
  let newSeen = 0;
  for (const line of lines) {
    oldBefore.push(oldSeen);
    newBefore.push(newSeen);
    oldSeen += line.kind === 'insert' ? 0 : 1;
    newSeen += line.kind === 'delete' ? 0 : 1;
  }
  return ranges.map(([from, to]): LineDiff.Hunk => {
    const slice = lines.slice(from, to);
    const oldLines = slice.filter(line => line.kind !== 'insert').length;
    const newLines = slice.filter(line => line.kind !== 'delete').length;
    return {
      oldStart: oldBefore[from] + (oldLines > 0 ? 1 : 0),
      oldLines,
      newStart: newBefore[from] + (newLines > 0 ? 1 : 0),
      newLines,
      lines: slice
    };
  });
}
