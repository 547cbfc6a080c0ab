/**
 * Which rows of the Runs table are selected, and which row has the focus.
 *
 * #### Notes
 * The focus is the row the keyboard is on and that single-run actions act
 * on; the selection is the set of runs the user marked (compare, delete).
 * They usually coincide, but Ctrl/Cmd+Arrow moves the focus alone and
 * Ctrl/Cmd+Space then marks or unmarks the focused row, as in a file
 * browser. The anchor is where Shift+Arrow and Shift-click extend from.
 * Rows are named by their keys (`RunsPanelModel.rowKey`), in table order.
 */
export class RunSelection {
  /**
   * The key of the focused row, or `null`.
   */
  get focused(): string | null {
    return this._focused;
  }

  /**
   * The keys of the selected rows.
   */
  get marked(): ReadonlySet<string> {
    return this._marked;
  }

  /**
   * Whether a row is selected.
   */
  has(key: string): boolean {
    return this._marked.has(key);
  }

  /**
   * Select one row, focused, letting the others go; `null` selects nothing.
   * False when nothing changed.
   */
  select(key: string | null): boolean {
    if (
      key === this._focused &&
      this._marked.size === (key === null ? 0 : 1) &&
      (key === null || this._marked.has(key))
    ) {
      return false;
    }
    this._focused = key;
    this._anchor = key;
    this._marked = new Set(key === null ? [] : [key]);
    return true;
  }

  /**
   * Add a row to the selection or take it out, and focus it (Ctrl/Cmd-click,
   * Ctrl/Cmd+Space).
   */
  toggle(key: string): void {
    const marked = new Set(this._marked);
    if (!marked.delete(key)) {
      marked.add(key);
    }
    this._marked = marked;
    this._focused = key;
    this._anchor = key;
  }

  /**
   * Select the rows from the anchor to `key` and focus `key` (Shift-click,
   * Shift+Arrow); without an anchor among `keys`, select `key` alone.
   */
  extendTo(key: string, keys: readonly string[]): void {
    const from = this._anchor === null ? -1 : keys.indexOf(this._anchor);
    const to = keys.indexOf(key);
    if (from < 0 || to < 0) {
      this.select(key);
      return;
    }
    const [start, end] = from < to ? [from, to] : [to, from];
    this._marked = new Set(keys.slice(start, end + 1));
    this._focused = key;
  }

  /**
   * Select every row; the focus stays, or goes to the first row.
   */
  selectAll(keys: readonly string[]): void {
    this._marked = new Set(keys);
    if (this._focused === null || !keys.includes(this._focused)) {
      this._focused = keys[0] ?? null;
    }
    this._anchor = this._focused;
  }

  /**
   * Move the focus by `delta` rows, staying within the table (from no focus,
   * to the first row): `select` selects the row reached alone, `extend`
   * selects from the anchor to it, `focus` leaves the selection as it is.
   */
  move(delta: number, mode: RunSelection.MoveMode, keys: readonly string[]) {
    if (keys.length === 0) {
      return;
    }
    const index = this._focused === null ? -1 : keys.indexOf(this._focused);
    const next =
      index < 0 ? 0 : Math.max(0, Math.min(keys.length - 1, index + delta));
    const key = keys[next];
    if (mode === 'select') {
      this.select(key);
    } else if (mode === 'extend') {
      if (this._anchor === null || !keys.includes(this._anchor)) {
        // Extending from nowhere starts at the row the focus was on.
        this._anchor = index < 0 ? key : keys[index];
      }
      this.extendTo(key, keys);
    } else {
      this._focused = key;
    }
  }

  /**
   * Forget rows that are gone (deleted): they leave the selection, and the
   * focus moves to the nearest row still there.
   */
  forget(gone: ReadonlySet<string>, keys: readonly string[]): void {
    const marked = [...this._marked].filter(key => !gone.has(key));
    if (marked.length !== this._marked.size) {
      this._marked = new Set(marked);
    }
    if (this._anchor !== null && gone.has(this._anchor)) {
      this._anchor = null;
    }
    if (this._focused !== null && gone.has(this._focused)) {
      const index = keys.indexOf(this._focused);
      const after = keys.slice(index + 1).find(key => !gone.has(key));
      const before = keys
        .slice(0, Math.max(0, index))
        .reverse()
        .find(key => !gone.has(key));
      this._focused = index < 0 ? null : (after ?? before ?? null);
    }
  }

  private _focused: string | null = null;
  private _anchor: string | null = null;
  private _marked: ReadonlySet<string> = new Set();
}

/**
 * Types of the selection.
 */
export namespace RunSelection {
  /**
   * What a move of the focus does to the selection.
   */
  export type MoveMode = 'select' | 'extend' | 'focus';
}
