/**
 * The shortest edit script between two sequences (Myers, "An O(ND)
 * Difference Algorithm and Its Variations", 1986), over items already turned
 * into numbers so that comparing two items is one integer test.
 *
 * Both limits bound the work: past them the script is coarse (the common
 * start and end kept, everything between deleted then inserted) rather than
 * minimal, so a huge or wholly rewritten input never hangs the view.
 */

/**
 * One step of an edit script. `oldIndex` and `newIndex` are 0-based; an
 * insertion's `oldIndex` (a deletion's `newIndex`) is where it falls in the
 * other sequence.
 */
export type Edit = {
  readonly op: 'equal' | 'insert' | 'delete';
  readonly oldIndex: number;
  readonly newIndex: number;
};

/**
 * How much work a script may take.
 */
export type EditLimits = {
  /**
   * The most items on either side once the common start and end are set
   * aside; past it the script is coarse.
   */
  readonly maxLength?: number;
  /**
   * The most insertions and deletions searched for; memory grows with its
   * square, time with it times the length.
   */
  readonly maxEdits?: number;
};

/**
 * An edit script and whether it is minimal.
 */
export type EditScript = {
  readonly edits: readonly Edit[];
  /** False when a limit was hit and the middle is a coarse replacement. */
  readonly exact: boolean;
};

/**
 * The edit script turning `a` into `b`, in the order of both sequences.
 */
export function editScript(
  a: readonly number[],
  b: readonly number[],
  limits: EditLimits = {}
): EditScript {
  const { prefix, suffix } = commonEnds(a, b);
  const n = a.length - prefix - suffix;
  const m = b.length - prefix - suffix;
  const edits: Edit[] = [];
  for (let i = 0; i < prefix; i++) {
    edits.push({ op: 'equal', oldIndex: i, newIndex: i });
  }
  const middle =
    n > (limits.maxLength ?? Infinity) || m > (limits.maxLength ?? Infinity)
      ? null
      : shortestMiddle(a, b, prefix, n, m, limits.maxEdits ?? Infinity);
  for (const edit of middle ?? replaceMiddle(prefix, n, m)) {
    edits.push(edit);
  }
  for (let i = 0; i < suffix; i++) {
    edits.push({
      op: 'equal',
      oldIndex: prefix + n + i,
      newIndex: prefix + m + i
    });
  }
  return { edits, exact: middle !== null };
}

/**
 * Turns strings into numbers, equal strings into equal numbers, for
 * `editScript`.
 */
export function internAll(
  a: readonly string[],
  b: readonly string[]
): [number[], number[]] {
  const ids = new Map<string, number>();
  const intern = (item: string): number => {
    let id = ids.get(item);
    if (id === undefined) {
      id = ids.size;
      ids.set(item, id);
    }
    return id;
  };
  return [a.map(intern), b.map(intern)];
}

/**
 * How many items both sequences start with, and then end with; the end
 * never overlaps the start.
 */
function commonEnds(
  a: readonly number[],
  b: readonly number[]
): { prefix: number; suffix: number } {
  const shorter = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < shorter && a[prefix] === b[prefix]) {
    prefix++;
  }
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  return { prefix, suffix };
}

/**
 * The coarse middle: every old item deleted, then every new one inserted.
 */
function replaceMiddle(start: number, n: number, m: number): Edit[] {
  const edits: Edit[] = [];
  for (let i = 0; i < n; i++) {
    edits.push({ op: 'delete', oldIndex: start + i, newIndex: start });
  }
  for (let j = 0; j < m; j++) {
    edits.push({ op: 'insert', oldIndex: start + n, newIndex: start + j });
  }
  return edits;
}

/**
 * Myers' greedy forward search over the middle (`n` old items and `m` new
 * ones from `start`), keeping each round's frontier to walk back along; null
 * when it needs more than `maxEdits` edits.
 */
function shortestMiddle(
  a: readonly number[],
  b: readonly number[],
  start: number,
  n: number,
  m: number,
  maxEdits: number
): Edit[] | null {
  if (n === 0 || m === 0) {
    return replaceMiddle(start, n, m);
  }
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  // v[offset + k]: the furthest x reached on diagonal k = x - y.
  const v = new Int32Array(2 * max + 3);
  // trace[d]: the frontier before round d, over diagonals -d-1 .. d+1.
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])
          ? v[offset + k + 1]
          : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[start + x] === b[start + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        return walkBack(trace, start, n, m);
      }
    }
  }
  return null;
}

/**
 * The edits of the path found, from the end back to the start through the
 * frontiers of each round.
 */
function walkBack(
  trace: readonly Int32Array[],
  start: number,
  n: number,
  m: number
): Edit[] {
  const reversed: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const frontier = trace[d];
    const at = (k: number): number => frontier[k + d + 1];
    const k = x - y;
    const previous =
      k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const previousX = at(previous);
    const previousY = previousX - previous;
    while (x > previousX && y > previousY) {
      x--;
      y--;
      reversed.push({ op: 'equal', oldIndex: start + x, newIndex: start + y });
    }
    if (x === previousX) {
      reversed.push({
        op: 'insert',
        oldIndex: start + x,
        newIndex: start + y - 1
      });
    } else {
      reversed.push({
        op: 'delete',
        oldIndex: start + x - 1,
        newIndex: start + y
      });
    }
    x = previousX;
    y = previousY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    reversed.push({ op: 'equal', oldIndex: start + x, newIndex: start + y });
  }
  return reversed.reverse();
}
