/**
 * Which cell of one notebook is which cell of the other: by cell id, then
 * by exact source, then by position or likeness between cells already
 * matched; and which matched cells moved.
 */

/**
 * A cell as compared: outputs and metadata play no part.
 */
export type ComparedCell = {
  readonly id: string | null;
  readonly type: string;
  readonly source: string;
};

/**
 * How a pair of cells was matched.
 */
export type MatchKind = 'id' | 'source' | 'position' | 'similarity';

/**
 * Two matched cells, by index in their notebooks.
 */
export type CellPair = {
  readonly old: number;
  readonly new: number;
  readonly by: MatchKind;
};

/**
 * How alike two cells must be to be matched by likeness: within a stretch
 * between matched cells, and anywhere (a cell moved and edited).
 */
const NEAR_LIKENESS = 0.5;
const FAR_LIKENESS = 0.6;

/**
 * Past this many candidate pairs a search by likeness is skipped: it
 * compares every unmatched cell with every other.
 */
const MAX_LIKENESS_PAIRS = 40000;

/**
 * The matched cells of two notebooks, in the new notebook's order.
 */
export function matchCells(
  oldCells: readonly ComparedCell[],
  newCells: readonly ComparedCell[]
): CellPair[] {
  const matching = new Matching(oldCells, newCells);
  matchById(matching);
  matchBySource(matching);
  matchBetweenAnchors(matching);
  matchMovedAndEdited(matching);
  return matching.pairs();
}

/**
 * The pairs that keep their order, by new index: the longest run of pairs
 * whose old indices increase. The other pairs moved.
 */
export function inOrder(pairs: readonly CellPair[]): Set<CellPair> {
  const sorted = [...pairs].sort((x, y) => x.new - y.new);
  // tails[l]: the index in `sorted` ending the best run of length l + 1.
  const tails: number[] = [];
  const before: number[] = [];
  sorted.forEach((pair, index) => {
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (sorted[tails[mid]].old < pair.old) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    before[index] = low > 0 ? tails[low - 1] : -1;
    tails[low] = index;
  });
  const kept = new Set<CellPair>();
  for (
    let index = tails.length > 0 ? tails[tails.length - 1] : -1;
    index >= 0;
    index = before[index]
  ) {
    kept.add(sorted[index]);
  }
  return kept;
}

/**
 * How alike two sources are, from 0 to 1: the Dice coefficient of their
 * character pairs, white space collapsed. Cheap, and unlike a line count it
 * sees `seed = 69` and `seed = 42` as alike.
 */
export function likeness(a: string, b: string): number {
  return diceOf(bigrams(a), bigrams(b));
}

/**
 * The pairs being built, both ways.
 */
class Matching {
  constructor(
    readonly oldCells: readonly ComparedCell[],
    readonly newCells: readonly ComparedCell[]
  ) {
    this.oldPair = new Array<CellPair | null>(oldCells.length).fill(null);
    this.newPair = new Array<CellPair | null>(newCells.length).fill(null);
  }

  readonly oldPair: (CellPair | null)[];
  readonly newPair: (CellPair | null)[];

  pair(old: number, added: number, by: MatchKind): void {
    const pair = { old, new: added, by };
    this.oldPair[old] = pair;
    this.newPair[added] = pair;
  }

  pairs(): CellPair[] {
    return this.newPair.filter((pair): pair is CellPair => pair !== null);
  }

  /**
   * The likeness of two cells; bigrams are computed once per cell.
   */
  likeness(old: number, added: number): number {
    return diceOf(
      this._bigrams(this._oldBigrams, this.oldCells, old),
      this._bigrams(this._newBigrams, this.newCells, added)
    );
  }

  private _bigrams(
    cache: Map<number, Map<string, number>>,
    cells: readonly ComparedCell[],
    index: number
  ): Map<string, number> {
    let found = cache.get(index);
    if (!found) {
      found = bigrams(cells[index].source);
      cache.set(index, found);
    }
    return found;
  }

  private readonly _oldBigrams = new Map<number, Map<string, number>>();
  private readonly _newBigrams = new Map<number, Map<string, number>>();
}

/**
 * Cells keep their id while edited and moved, so an id match is the surest.
 * A duplicated id (a damaged notebook) matches its first cell only.
 */
function matchById(matching: Matching): void {
  const byId = new Map<string, number>();
  matching.oldCells.forEach((cell, index) => {
    if (cell.id !== null && !byId.has(cell.id)) {
      byId.set(cell.id, index);
    }
  });
  matching.newCells.forEach((cell, index) => {
    const old = cell.id === null ? undefined : byId.get(cell.id);
    if (old !== undefined && matching.oldPair[old] === null) {
      matching.pair(old, index, 'id');
    }
  });
}

/**
 * Unmatched cells of the same type with the same source, in order. Blank
 * cells are left to position: they say nothing about which is which.
 */
function matchBySource(matching: Matching): void {
  const waiting = new Map<string, number[]>();
  matching.oldCells.forEach((cell, index) => {
    if (matching.oldPair[index] === null && cell.source.trim() !== '') {
      const key = `${cell.type}\n${cell.source}`;
      const queue = waiting.get(key);
      if (queue) {
        queue.push(index);
      } else {
        waiting.set(key, [index]);
      }
    }
  });
  matching.newCells.forEach((cell, index) => {
    if (matching.newPair[index] !== null) {
      return;
    }
    const old = waiting.get(`${cell.type}\n${cell.source}`)?.shift();
    if (old !== undefined) {
      matching.pair(old, index, 'source');
    }
  });
}

/**
 * Between two cells matched in order, the unmatched cells of each side are
 * most likely edits of each other: matched by position when both sides have
 * as many, of the same types, else by likeness. Two cells with different
 * ids are known to be different cells, so position alone does not match
 * them.
 */
function matchBetweenAnchors(matching: Matching): void {
  const anchors = [...inOrder(matching.pairs())].sort((x, y) => x.new - y.new);
  let oldFrom = 0;
  let newFrom = 0;
  for (const anchor of [
    ...anchors,
    { old: matching.oldCells.length, new: matching.newCells.length }
  ]) {
    const olds = unmatched(matching.oldPair, oldFrom, anchor.old);
    const news = unmatched(matching.newPair, newFrom, anchor.new);
    matchStretch(matching, olds, news);
    oldFrom = anchor.old + 1;
    newFrom = anchor.new + 1;
  }
}

function matchStretch(
  matching: Matching,
  olds: readonly number[],
  news: readonly number[]
): void {
  const byPosition =
    olds.length === news.length &&
    olds.every((old, i) => {
      const a = matching.oldCells[old];
      const b = matching.newCells[news[i]];
      return (
        a.type === b.type &&
        (a.id === null ||
          b.id === null ||
          a.id === b.id ||
          matching.likeness(old, news[i]) >= NEAR_LIKENESS)
      );
    });
  if (byPosition) {
    olds.forEach((old, i) => matching.pair(old, news[i], 'position'));
    return;
  }
  if (olds.length * news.length > MAX_LIKENESS_PAIRS) {
    return;
  }
  // In order: each new cell takes the likeliest old cell after the last one
  // taken.
  let next = 0;
  for (const added of news) {
    let best = -1;
    let bestLikeness = NEAR_LIKENESS;
    for (let i = next; i < olds.length; i++) {
      if (matching.oldCells[olds[i]].type !== matching.newCells[added].type) {
        continue;
      }
      const value = matching.likeness(olds[i], added);
      if (value >= bestLikeness && (best < 0 || value > bestLikeness)) {
        best = i;
        bestLikeness = value;
      }
    }
    if (best >= 0) {
      matching.pair(olds[best], added, 'similarity');
      next = best + 1;
    }
  }
}

/**
 * A cell moved and edited: the likeliest pairs of what is still unmatched
 * anywhere, best first.
 */
function matchMovedAndEdited(matching: Matching): void {
  const olds = unmatched(matching.oldPair, 0, matching.oldCells.length);
  const news = unmatched(matching.newPair, 0, matching.newCells.length);
  if (olds.length * news.length > MAX_LIKENESS_PAIRS) {
    return;
  }
  const candidates: { old: number; new: number; likeness: number }[] = [];
  for (const old of olds) {
    for (const added of news) {
      if (matching.oldCells[old].type !== matching.newCells[added].type) {
        continue;
      }
      const value = matching.likeness(old, added);
      if (value >= FAR_LIKENESS) {
        candidates.push({ old, new: added, likeness: value });
      }
    }
  }
  candidates.sort(
    (x, y) => y.likeness - x.likeness || x.new - y.new || x.old - y.old
  );
  for (const candidate of candidates) {
    if (
      matching.oldPair[candidate.old] === null &&
      matching.newPair[candidate.new] === null
    ) {
      matching.pair(candidate.old, candidate.new, 'similarity');
    }
  }
}

function unmatched(
  pairs: readonly (CellPair | null)[],
  from: number,
  to: number
): number[] {
  const found: number[] = [];
  for (let index = from; index < to; index++) {
    if (pairs[index] === null) {
      found.push(index);
    }
  }
  return found;
}

/**
 * Past this many characters a source's likeness is judged on its start:
 * enough to tell cells apart, and bounded.
 */
const MAX_LIKENESS_CHARS = 10000;

function bigrams(source: string): Map<string, number> {
  const text = source.slice(0, MAX_LIKENESS_CHARS).replace(/\s+/g, ' ').trim();
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < text.length; i++) {
    const pair = text.slice(i, i + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  // A one-character source is its own single "pair".
  if (text.length === 1) {
    counts.set(text, 1);
  }
  return counts;
}

function diceOf(a: Map<string, number>, b: Map<string, number>): number {
  let total = 0;
  let shared = 0;
  for (const [pair, count] of a) {
    total += count;
    shared += Math.min(count, b.get(pair) ?? 0);
  }
  for (const count of b.values()) {
    total += count;
  }
  return total === 0 ? 1 : (2 * shared) / total;
}
