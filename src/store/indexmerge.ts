import type { TranslationBundle } from '@jupyterlab/translation';

import type { StoreDrive } from './drive';
import type { StoreFormat } from './format';
import { checkIndexRow, DamagedFileError, parseStoreFile } from './format';
import type { PendingMerge } from './local';
import type { IWriteTarget } from './queue';
import { mergeRows, sealOldRows } from './rows';

/**
 * How many sessions the index head keeps.
 */
const HEAD_SESSIONS = 200;

/**
 * How many times a page writes the index head again when reading it back
 * shows that another page's write replaced its rows.
 */
const MERGE_ROUNDS = 4;

/**
 * Segment numbers skip a random amount up to this, so that two pages
 * sealing the same head at the same moment pick different files.
 */
const SEGMENT_JITTER = 1_000_000;

/**
 * The index head as a page reads it: its valid rows, and those it cannot
 * read, kept as they are (they may come from a newer version).
 */
export type ReadIndex = {
  readonly file: StoreFormat.IndexFile;
  readonly unreadable: readonly unknown[];
};

/**
 * Parse an index head's text; null for a missing or damaged file (a new
 * head is then written), a string saying why for a file of another version
 * (never rewritten).
 */
export function readIndexText(
  text: string | null,
  trans: TranslationBundle
): ReadIndex | string | null {
  if (text === null) {
    return null;
  }
  const parsed = parseStoreFile('index', text, trans);
  if (!parsed.ok) {
    return parsed.problem.includes('format version') ? parsed.problem : null;
  }
  const runs: StoreFormat.IndexRow[] = [];
  const unreadable: unknown[] = [];
  parsed.value.runs.forEach((row, index) => {
    const checked = checkIndexRow(row, `runs[${index}]`, trans);
    if (checked.ok) {
      runs.push(checked.value);
    } else {
      unreadable.push(row);
    }
  });
  return { file: { ...parsed.value, runs }, unreadable };
}

/**
 * Lay what a page changed (`merge`: the ids of its changed rows and
 * sessions, taken from `ours`) over the head another page may have written
 * since (`theirs`): a row updated later wins, sessions keep their highest
 * `seq`, segments are the union. The result is not sealed.
 */
export function mergeIndex(
  theirs: ReadIndex | null,
  ours: StoreFormat.IndexFile,
  merge: PendingMerge,
  now: number
): { file: StoreFormat.IndexFile; unreadable: readonly unknown[] } {
  const rowIds = new Set(merge.rows);
  const sessionIds = new Set(merge.sessions);
  const base = theirs?.file;
  const changed = ours.runs.filter(row => rowIds.has(row.id));
  const mine = ours.sessions.filter(session => sessionIds.has(session.id));
  const known = base?.sessions ?? [];
  const sessions = [
    ...mine.map(session => {
      const other = known.find(item => item.id === session.id);
      return {
        id: session.id,
        seq: Math.max(session.seq, other?.seq ?? 0),
        env: session.env ?? other?.env ?? null
      };
    }),
    ...known.filter(item => !sessionIds.has(item.id))
  ].slice(0, HEAD_SESSIONS);
  const segments = new Map<number, StoreFormat.IndexSegmentRef>();
  for (const ref of [...(base?.segments ?? []), ...ours.segments]) {
    segments.set(ref.segment, ref);
  }
  return {
    file: {
      format: 'jupyterlab-runs/index',
      version: 2,
      notebookPath: ours.notebookPath,
      updatedAt: now,
      segments: [...segments.values()].sort((a, b) => b.segment - a.segment),
      sessions,
      runs: mergeRows(base?.runs ?? [], changed)
    },
    unreadable: theirs?.unreadable ?? []
  };
}

/**
 * The text of an index head as it will be once a pending merge write of it
 * lands on the server's `server` text: the pending text itself when either
 * cannot be read.
 */
export function mergedText(
  server: string | null,
  pending: { readonly text: string; readonly merge?: PendingMerge },
  trans: TranslationBundle,
  now: number
): string {
  const theirs = readIndexText(server, trans);
  const ours = readIndexText(pending.text, trans);
  if (
    !pending.merge ||
    typeof theirs === 'string' ||
    ours === null ||
    typeof ours === 'string'
  ) {
    return pending.text;
  }
  const merged = mergeIndex(theirs, ours.file, pending.merge, now);
  return JSON.stringify({
    ...merged.file,
    runs: [...merged.file.runs, ...merged.unreadable]
  });
}

/**
 * The queue's target: the drive, with the index head written the way
 * several pages can share it. Right before it is sent, the head is read
 * again and this page's changes are merged into it; rows past the head's
 * size go to a new segment whose number no other page picks; once written,
 * the head is read back, and written again while another page's write
 * replaced this page's rows.
 */
export class IndexWriteTarget implements IWriteTarget {
  constructor(options: IndexWriteTarget.IOptions) {
    this._drive = options.drive;
    this._trans = options.trans;
    this._now = options.now;
    this._settle = options.settle ?? 250;
  }

  exists(path: string): Promise<boolean> {
    return this._drive.exists(path);
  }

  async write(
    folder: string,
    path: string,
    text: string,
    merge?: PendingMerge
  ): Promise<void> {
    if (!merge) {
      return this._drive.write(folder, path, text);
    }
    const ours = readIndexText(text, this._trans);
    if (ours === null || typeof ours === 'string') {
      throw new Error(`jupyterlab-runs: cannot merge ${path}: ${ours}`);
    }
    for (let round = 0; round < MERGE_ROUNDS; round++) {
      const theirs = await this._readFresh(path);
      if (typeof theirs === 'string') {
        // Of another version: never rewritten.
        console.warn(`jupyterlab-runs: ${path} ${theirs}`);
        return;
      }
      const merged = mergeIndex(theirs, ours.file, merge, this._now());
      const sealed = await this._seal(folder, path, merged.file);
      let final = { file: sealed.file, unreadable: merged.unreadable };
      if (sealed.ids.size > 0) {
        // Sealing wrote segment files, time in which another page may have
        // written the head: merge into the head as it is now, so that only
        // one read and one write separate what is merged from what lands.
        // A row both pages sealed sits in two segments; readers keep one.
        const latest = await this._readFresh(path);
        if (typeof latest === 'string') {
          console.warn(`jupyterlab-runs: ${path} ${latest}`);
          return;
        }
        // The rows sealed are in this page's segment now: taken from the
        // head as it is, not back into it (a head past its size, each of
        // those rows twice).
        const rest =
          latest === null
            ? null
            : {
                ...latest,
                file: {
                  ...latest.file,
                  runs: latest.file.runs.filter(row => !sealed.ids.has(row.id))
                }
              };
        final = mergeIndex(rest, sealed.file, merge, this._now());
      }
      await this._drive.write(
        folder,
        path,
        JSON.stringify({
          ...final.file,
          runs: [...final.file.runs, ...final.unreadable]
        })
      );
      // A page that read the head just before this write lands its own
      // meanwhile: read back once it had the time to.
      await new Promise(resolve => setTimeout(resolve, this._settle));
      const back = await this._readFresh(path);
      if (
        typeof back !== 'string' &&
        holds(back, ours.file, merge, sealed.ids)
      ) {
        return;
      }
    }
  }

  /**
   * The head as the server has it now, not as a listing cached a moment
   * ago says.
   */
  private async _readFresh(path: string): Promise<ReadIndex | string | null> {
    this._drive.forget(path.slice(0, path.lastIndexOf('/')));
    let text: string | null;
    try {
      text = await this._drive.read(path);
    } catch (reason) {
      if (reason instanceof DamagedFileError) {
        return null;
      }
      throw reason;
    }
    return readIndexText(text, this._trans);
  }

  /**
   * Move the oldest rows of a head grown too long to new segments, written
   * first; the head that refers to them, and the ids of the rows moved.
   */
  private async _seal(
    folder: string,
    headPath: string,
    file: StoreFormat.IndexFile
  ): Promise<{ file: StoreFormat.IndexFile; ids: Set<string> }> {
    const { head, sealed } = sealOldRows(file.runs);
    let segments = [...file.segments];
    const ids = new Set<string>();
    const notebookFolder = headPath.slice(0, headPath.lastIndexOf('/'));
    for (const runs of sealed) {
      let segment = nextSegment(segments);
      const pathOf = (n: number) => `${notebookFolder}/index/${n}.json.gz`;
      while (await this._drive.exists(pathOf(segment))) {
        segment = nextSegment([{ segment, count: 0 }]);
      }
      const content: StoreFormat.IndexSegmentFile = {
        format: 'jupyterlab-runs/index-segment',
        version: 2,
        notebookPath: file.notebookPath,
        segment,
        runs
      };
      await this._drive.write(folder, pathOf(segment), JSON.stringify(content));
      segments = [{ segment, count: runs.length }, ...segments];
      runs.forEach(row => ids.add(row.id));
    }
    return { file: { ...file, segments, runs: head }, ids };
  }

  private readonly _drive: StoreDrive;
  private readonly _now: () => number;
  private readonly _settle: number;
  private readonly _trans: TranslationBundle;
}

export namespace IndexWriteTarget {
  export interface IOptions {
    drive: StoreDrive;
    trans: TranslationBundle;
    now: () => number;
    /** Milliseconds from writing the head to reading it back; 250. */
    settle?: number;
  }
}

/**
 * A segment number above every one given, by a random step: two pages
 * sealing at once do not pick the same (and each checks the file is new).
 */
function nextSegment(segments: readonly StoreFormat.IndexSegmentRef[]): number {
  const top = segments.reduce((max, ref) => Math.max(max, ref.segment), -1);
  return top + 1 + Math.floor(Math.random() * SEGMENT_JITTER);
}

/**
 * Whether a head read back holds this page's changes: each changed row
 * (or a later version of it) in the head or in a segment this write made,
 * each changed session at least as far.
 */
function holds(
  back: ReadIndex | null,
  ours: StoreFormat.IndexFile,
  merge: PendingMerge,
  sealed: ReadonlySet<string>
): boolean {
  if (!back) {
    return false;
  }
  const rows = new Map(back.file.runs.map(row => [row.id, row]));
  const rowIds = new Set(merge.rows);
  for (const row of ours.runs) {
    if (!rowIds.has(row.id) || sealed.has(row.id)) {
      continue;
    }
    const stored = rows.get(row.id);
    if (!stored || stored.updatedAt < row.updatedAt) {
      return false;
    }
  }
  const sessionIds = new Set(merge.sessions);
  for (const session of ours.sessions) {
    if (!sessionIds.has(session.id)) {
      continue;
    }
    const stored = back.file.sessions.find(item => item.id === session.id);
    if (!stored || stored.seq < session.seq) {
      // Sessions past the head's 200 drop out: not a lost write.
      if (back.file.sessions.length < HEAD_SESSIONS) {
        return false;
      }
    }
  }
  return true;
}
