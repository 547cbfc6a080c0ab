/**
 * Which rows of a long table to render: those in view and a few around them.
 * Pure arithmetic on a fixed row height, no DOM.
 */

/**
 * The rows to render, `start` included and `end` excluded, and where they go.
 */
export type RowWindow = {
  readonly start: number;
  readonly end: number;
  /** Pixels above the first rendered row: the height of a spacer. */
  readonly before: number;
  /** Pixels below the last rendered row. */
  readonly after: number;
};

/**
 * The window of rows to render for a scroll position.
 *
 * @param scrollTop - How far the rows are scrolled, in pixels.
 * @param viewportHeight - The height the rows are seen through, in pixels.
 * @param rowHeight - The fixed height of a row, in pixels.
 * @param count - How many rows there are.
 * @param overscan - Rows rendered beyond each edge, so a scroll does not
 *   show blank space before the next render.
 */
export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 5
): RowWindow {
  if (count <= 0 || rowHeight <= 0) {
    return { start: 0, end: 0, before: 0, after: 0 };
  }
  const top = Math.max(0, scrollTop);
  const first = Math.min(count - 1, Math.floor(top / rowHeight));
  const shown = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + shown + overscan);
  return {
    start,
    end,
    before: start * rowHeight,
    after: (count - end) * rowHeight
  };
}

/**
 * The scroll position that brings row `index` fully into view, moving as
 * little as possible; the current one when it already is.
 */
export function scrollToRow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number
): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) {
    return top;
  }
  if (bottom > scrollTop + viewportHeight) {
    return Math.max(0, bottom - viewportHeight);
  }
  return scrollTop;
}
