/**
 * The Runs table from the keyboard, and what tells its rows apart: three
 * runs of a small notebook (two kernel restarts), selected, acted on and
 * deleted without a mouse where a keyboard user would, then brought back
 * with Undo.
 */
import * as path from 'path';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { notebookFolder, readStoreFile, runRows } from './store-files';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

async function restartKernel(page: IJupyterLabPageFixture): Promise<void> {
  await page.menu.clickMenuItem('Kernel>Restart Kernel…');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await waitForIdleKernel(page);
}

/**
 * Reload the page and open the notebook again (the Lab may restore it, and
 * shows no launcher then, which galata would wait for).
 */
async function reloadWith(
  page: IJupyterLabPageFixture,
  notebookPath: string
): Promise<void> {
  await page.reload({ waitForIsReady: false });
  // The file browser may be hidden behind the restored Runs panel.
  await page.evaluate(async path => {
    await window.jupyterapp.commands.execute('docmanager:open', { path });
  }, notebookPath);
  await expect(
    page.getByRole('main').getByRole('tab', { name: /keyboard\.ipynb/ })
  ).toBeVisible({ timeout: 30000 });
}

async function showRuns(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('jupyterlab-runs:show-panel');
  });
  return page.getByRole('region', { name: 'Runs' });
}

/** The class of the element that has the keyboard. */
async function focusedClass(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    return active?.className ?? '';
  });
}

test.describe('Runs table from the keyboard', () => {
  test.describe.configure({ timeout: 180000 });

  test('should select, act on and delete runs from the keyboard, each state shown its own way, and undo the delete', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/keyboard.ipynb`;
    await page.contents.uploadFile(
      path.join(NOTEBOOKS, 'sys-version.ipynb'),
      notebookPath
    );
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    // Three runs: each restart ends one and the next execution starts one.
    for (let n = 1; n <= 3; n++) {
      if (n > 1) {
        await restartKernel(page);
      }
      await page.notebook.run();
      await expect
        .poll(async () => (await runRows(request, notebookPath)).length, {
          timeout: 30000
        })
        .toBe(n);
    }
    const stored = await runRows(request, notebookPath);

    const panel = await showRuns(page);
    const list = panel.getByRole('grid', { name: 'Runs' });
    const rows = list.locator('.jp-RunsPanel-item');
    await expect(rows).toHaveCount(3, { timeout: 30000 });
    await expect(list).toHaveAttribute('aria-multiselectable', 'true');
    // The newest run, first, is the one the kernel records now.
    await expect(rows.nth(0)).toHaveAttribute('aria-current', 'true', {
      timeout: 30000
    });

    // Into the list from the filter with Escape, then keys only.
    const filter = panel.getByLabel('Filter runs');
    await filter.focus();
    await page.keyboard.press('Escape');
    await expect(list).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true');
    await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'false');

    // The current run and the selected run do not look alike.
    await page.mouse.move(0, 0);
    const look = (row: Locator) =>
      row.evaluate(node => {
        const style = getComputedStyle(node);
        return { background: style.backgroundColor, bar: style.boxShadow };
      });
    const current = await look(rows.nth(0));
    const selected = await look(rows.nth(1));
    expect(current.background).not.toBe(selected.background);
    expect(current.bar).toMatch(/inset/);
    expect(selected.bar).toBe('none');
    await expect(rows.nth(1)).not.toHaveAttribute('aria-current', /.*/);
    // So in the dark theme, where the selected text stays readable.
    await page.theme.setDarkTheme();
    const currentDark = await look(rows.nth(0));
    const selectedDark = await look(rows.nth(1));
    expect(currentDark.background).not.toBe(selectedDark.background);
    expect(selectedDark.background).not.toBe(selected.background);
    expect(currentDark.bar).toMatch(/inset/);
    await page.theme.setLightTheme();
    await list.focus();

    // Shift+Down adds the next run; the focus is on it.
    await page.keyboard.press('Shift+ArrowDown');
    await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true');
    await expect(rows.nth(2)).toHaveAttribute('aria-selected', 'true');
    await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'false');
    const focusedRowId = await rows.nth(2).getAttribute('id');
    await expect(list).toHaveAttribute('aria-activedescendant', focusedRowId!);
    await expect(rows.nth(2)).toHaveClass(/jp-mod-focused/);
    const focusedName = (
      await rows.nth(2).locator('.jp-RunsPanel-runName').textContent()
    )?.trim();
    expect(focusedName).toBeTruthy();

    // Shift+F10: the right-click menu, at the focused run, whose single-run
    // actions name it (or are off).
    await page.keyboard.press('Shift+F10');
    const menu = page.locator('.lm-Menu.jp-ThemedContainer, .lm-Menu').last();
    await expect(menu).toBeVisible();
    const items = menu.locator('.lm-Menu-item');
    await expect(
      menu.locator('.lm-Menu-item', { hasText: 'Delete 2 Runs…' })
    ).toBeVisible();
    await expect(
      menu.locator('.lm-Menu-item', { hasText: `Rename ${focusedName}…` })
    ).toBeVisible();
    for (const label of [
      'Open Run',
      'Rename Run…',
      'Pin Run',
      'Open Snapshot',
      'Re-run in a Fresh Kernel'
    ]) {
      const unnamed = menu.locator('.lm-Menu-itemLabel', {
        hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
      });
      expect(await unnamed.count(), `"${label}" names no run`).toBe(0);
    }
    expect(await items.count()).toBeGreaterThan(3);
    const menuBox = await menu.boundingBox();
    const rowBox = await rows.nth(2).boundingBox();
    expect(Math.abs(menuBox!.y - (rowBox!.y + rowBox!.height))).toBeLessThan(
      rowBox!.height + 4
    );

    // Escape closes it and gives the keyboard back to the list, on the row.
    await page.keyboard.press('Escape');
    await expect(menu).toBeHidden();
    await expect(list).toBeFocused();
    await expect(list).toHaveAttribute('aria-activedescendant', focusedRowId!);

    // The context-menu key opens the same menu.
    await page.keyboard.press('ContextMenu');
    await expect(
      page.locator('.lm-Menu-item', { hasText: `Rename ${focusedName}…` })
    ).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(list).toBeFocused();

    // Ctrl+A selects the runs, not the page's text.
    await page.keyboard.press('Control+a');
    for (let n = 0; n < 3; n++) {
      await expect(rows.nth(n)).toHaveAttribute('aria-selected', 'true');
    }
    expect(await page.evaluate(() => String(window.getSelection()))).toBe('');

    // Tab goes on to the sort headers, which Enter sorts by.
    await page.keyboard.press('Tab');
    const header = list.locator('[role="columnheader"] button').first();
    await expect(header).toBeFocused();
    expect(await focusedClass(page)).toContain('jp-RunsPanel-sortButton');
    const column = list.locator('[role="columnheader"]').first();
    const sortBefore = await column.getAttribute('aria-sort');
    await page.keyboard.press('Enter');
    await expect(column).not.toHaveAttribute('aria-sort', sortBefore!);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+Tab');
    await expect(list).toBeFocused();

    // Walks the list from the top to a run, selecting it alone.
    const focusRun = async (id: string) => {
      await page.keyboard.press('Home');
      for (let n = 0; n < 3; n++) {
        const focused = await list.getAttribute('aria-activedescendant');
        if (
          (await list.locator(`#${focused}`).getAttribute('data-run-id')) === id
        ) {
          return list.locator(`#${focused}`);
        }
        await page.keyboard.press('ArrowDown');
      }
      throw new Error(`The run ${id} is not in the list.`);
    };

    // The run going on cannot be deleted, and the menu says so.
    const currentId = (await list
      .locator('[aria-current="true"]')
      .getAttribute('data-run-id'))!;
    await focusRun(currentId);
    await page.keyboard.press('Shift+F10');
    await expect(
      page.locator('.lm-Menu-item', { hasText: 'Delete Run…' })
    ).toHaveClass(/lm-mod-disabled/);
    await page.keyboard.press('Escape');
    await expect(list).toBeFocused();

    // Delete a finished run: the dialog names it with its time and id, and
    // the focus is on Cancel.
    const doomedId = stored.find(row => row.id !== currentId)!.id;
    const doomed = await focusRun(doomedId);
    await expect(doomed).toHaveAttribute('aria-selected', 'true');
    await expect(list.locator('[aria-selected="true"]')).toHaveCount(1);
    const doomedName = (
      await doomed.locator('.jp-RunsPanel-runName').textContent()
    )?.trim();
    await page.keyboard.press('Shift+F10');
    await page.locator('.lm-Menu-item', { hasText: 'Delete Run…' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText(`"${doomedName}", started`);
    await expect(dialog).toContainText(`(id ${doomedId.split('-').pop()})`);
    await expect(dialog.locator('button.jp-mod-reject')).toBeFocused();
    await dialog.locator('button.jp-mod-warn').click();
    await expect(rows).toHaveCount(2);
    await expect(list.locator(`[data-run-id="${doomedId}"]`)).toHaveCount(0);

    // Undo brings it back, for good.
    const undo = page.getByRole('button', { name: 'Undo' });
    await expect(undo).toBeVisible();
    await undo.click();
    await expect(rows).toHaveCount(3);
    await expect(list.locator(`[data-run-id="${doomedId}"]`)).toHaveCount(1);
    await reloadWith(page, notebookPath);
    const reloaded = await showRuns(page);
    await expect(
      reloaded.locator(`.jp-RunsPanel-item[data-run-id="${doomedId}"]`)
    ).toHaveCount(1, { timeout: 30000 });
    await expect(reloaded.locator('.jp-RunsPanel-item')).toHaveCount(3);

    // Without Undo, the store deletes it once the time to undo is over.
    const again = reloaded.locator(
      `.jp-RunsPanel-item[data-run-id="${doomedId}"]`
    );
    await again.click();
    await again.click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Delete Run…' }).click();
    await page.locator('.jp-Dialog button.jp-mod-warn').click();
    await expect(again).toHaveCount(0);
    // Still undoable a while; then the store holds the deletion.
    const deletedInStore = async () => {
      const folder = await notebookFolder(request, notebookPath);
      const annotations = folder
        ? await readStoreFile(request, `${folder}/annotations.json.gz`)
        : null;
      return annotations?.runs?.[doomedId]?.deleted !== undefined;
    };
    expect(await deletedInStore()).toBe(false);
    await expect.poll(deletedInStore, { timeout: 30000 }).toBe(true);
    await reloadWith(page, notebookPath);
    const after = await showRuns(page);
    await expect(after.locator('.jp-RunsPanel-item')).toHaveCount(2, {
      timeout: 30000
    });
    await expect(
      after.locator(`.jp-RunsPanel-item[data-run-id="${doomedId}"]`)
    ).toHaveCount(0);
  });
});
