import * as React from 'react';

import type { RunsPanelModel } from './model';

/**
 * The keyboard of the Runs table, as a listbox with several selected items
 * (WAI-ARIA's multi-select listbox and grid patterns, and the file
 * browser's keys):
 *
 * - Up/Down, Page Up/Down, Home, End: move the focus, selecting the run
 *   reached alone; with Shift, select from the anchor to it; with Ctrl/Cmd,
 *   move the focus only.
 * - Ctrl/Cmd+Space: select or unselect the focused run; Space: select it
 *   alone; Shift+Space: select from the anchor to it.
 * - Ctrl/Cmd+A: select every run shown (the runs, not the page's text).
 * - Enter: open the focused run.
 * - Shift+F10, the context-menu key: the right-click menu, at the focused
 *   run.
 */
export function handleListKey(
  event: React.KeyboardEvent<HTMLElement>,
  model: RunsPanelModel,
  options: IListKeyOptions
): void {
  // The sort buttons of the header are inside the table: their own keys.
  if (event.target !== event.currentTarget) {
    return;
  }
  const accel = event.ctrlKey || event.metaKey;
  const count = model.rows.length;
  const moves: Record<string, number> = {
    ArrowDown: 1,
    ArrowUp: -1,
    PageDown: options.page,
    PageUp: -options.page,
    Home: -count,
    End: count
  };
  const key = event.key;
  if (key in moves && !event.altKey) {
    event.preventDefault();
    options.follow();
    model.moveSelection(
      moves[key],
      event.shiftKey ? 'extend' : accel ? 'focus' : 'select'
    );
  } else if (key === ' ' || key === 'Spacebar') {
    event.preventDefault();
    options.follow();
    const focused = model.selectedKey;
    if (focused === null || model.selectedIndex < 0) {
      model.moveSelection(0);
    } else if (accel) {
      model.toggleFocused();
    } else if (event.shiftKey) {
      model.selectRange(focused);
    } else {
      model.select(focused);
    }
  } else if (accel && !event.altKey && key.toLowerCase() === 'a') {
    event.preventDefault();
    // The Lab's own Ctrl/Cmd+A (select all cells) is not for this list.
    event.stopPropagation();
    model.selectAll();
  } else if (key === 'Enter') {
    event.preventDefault();
    const focused = model.selectedIndex;
    if (focused >= 0) {
      model.open(model.rows[focused].run);
    } else {
      options.follow();
      model.moveSelection(0);
    }
  } else if (isMenuKey(event)) {
    // The browser would open the menu at the table, where the run actions
    // are not offered: it opens at the focused run instead.
    event.preventDefault();
    event.stopPropagation();
    if (model.selectedIndex < 0) {
      model.moveSelection(0);
    }
    options.follow();
    options.openMenu();
  }
}

/**
 * What the list's keys need from the table.
 */
export interface IListKeyOptions {
  /**
   * How many rows a Page Up/Down moves.
   */
  readonly page: number;

  /**
   * Scroll the focused row into view once the model moved it.
   */
  follow(): void;

  /**
   * Open the context menu at the focused row.
   */
  openMenu(): void;
}

/**
 * Shift+F10 or the context-menu key.
 */
export function isMenuKey(event: {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}): boolean {
  return (
    event.key === 'ContextMenu' ||
    (event.key === 'F10' &&
      event.shiftKey &&
      !event.ctrlKey &&
      !event.metaKey &&
      !event.altKey)
  );
}

/**
 * Open the Lab's context menu at a row, as a right click there would: the
 * menu offers the run actions (their selector is the row's class) and acts
 * on the focused run.
 */
export function openContextMenuAt(row: Element): void {
  const box = row.getBoundingClientRect();
  row.dispatchEvent(
    new MouseEvent('contextmenu', {
      bubbles: true,
      cancelable: true,
      composed: true,
      button: 2,
      buttons: 2,
      clientX: Math.round(box.left + Math.min(24, box.width / 2)),
      clientY: Math.round(box.bottom)
    })
  );
}

/**
 * Give the keyboard back to the run list once the context menu opened on it
 * is closed with Escape (the menu would leave the focus nowhere), as from
 * the filter box. Gives a function that stops waiting.
 */
export function returnFocusAfterMenu(list: HTMLElement): () => void {
  const doc = list.ownerDocument;
  const stop = () => {
    doc.removeEventListener('keydown', onKey, true);
    doc.removeEventListener('pointerdown', onPointer, true);
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') {
      return;
    }
    stop();
    // After the menu handled the key and closed.
    setTimeout(() => {
      const active = doc.activeElement;
      const lost =
        active === null ||
        active === doc.body ||
        !active.isConnected ||
        active.closest('.lm-Menu') !== null;
      if (lost && list.isConnected) {
        list.focus();
      }
    }, 0);
  };
  // A click chooses an item or closes the menu elsewhere: focus goes where
  // the user or the command sends it.
  const onPointer = () => stop();
  doc.addEventListener('keydown', onKey, true);
  doc.addEventListener('pointerdown', onPointer, true);
  return stop;
}

/**
 * Escape in the filter box gives the keyboard back to the run list (the
 * filter is kept: a search box would clear it).
 */
export function escapeToList(event: React.KeyboardEvent<HTMLElement>): void {
  if (event.key !== 'Escape') {
    return;
  }
  const list = event.currentTarget
    .closest('.jp-RunsPanel')
    ?.querySelector<HTMLElement>('.jp-RunsPanel-table');
  if (list) {
    event.preventDefault();
    event.stopPropagation();
    list.focus();
  }
}

/**
 * Mark the focused row (`jp-mod-focused`), which the selection's colour does
 * not show: with Ctrl/Cmd+Arrow the focus moves over rows that are not
 * selected. Set on the row's node after each render, as the row's
 * rendering knows nothing of the keyboard.
 */
export function useFocusedRowMark(
  list: React.RefObject<HTMLElement>,
  rowId: string | undefined
): void {
  React.useLayoutEffect(() => {
    const node = list.current;
    if (!node) {
      return;
    }
    for (const marked of node.querySelectorAll(`.${FOCUSED}`)) {
      if (marked.id !== rowId) {
        marked.classList.remove(FOCUSED);
      }
    }
    if (rowId) {
      node.ownerDocument.getElementById(rowId)?.classList.add(FOCUSED);
    }
  });
}

const FOCUSED = 'jp-mod-focused';
