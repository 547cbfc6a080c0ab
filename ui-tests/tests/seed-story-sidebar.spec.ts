/**
 * The seed story as a new user sees it in the Runs sidebar, at 1280×800
 * with the sidebar as wide as JupyterLab opens it (250 px) and widened to
 * 500 px: run the notebook with seed 69, change it to 42, restart and run
 * again. Each row must say what the run did and what changed without
 * scrolling sideways, and the trend chart must name its runs.
 */
import * as path from 'path';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { runRows } from './store-files';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

/**
 * Applied while the sidebar is screenshot: see the file.
 */
const SIDEBAR_CSS = path.join(__dirname, 'screenshot-sidebar.css');

test.use({ viewport: { width: 1280, height: 800 } });

/**
 * Drag the edge of the left sidebar so that it is `width` pixels wide.
 */
async function resizeSidebar(
  page: IJupyterLabPageFixture,
  width: number
): Promise<void> {
  const stack = await page.locator('#jp-left-stack').boundingBox();
  const handle = await page
    .locator('#jp-main-split-panel > .lm-SplitPanel-handle')
    .first()
    .boundingBox();
  if (!stack || !handle) {
    throw new Error('The left sidebar is not shown.');
  }
  const y = handle.y + handle.height / 2;
  await page.mouse.move(handle.x + handle.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(stack.x + width + handle.width / 2, y, { steps: 5 });
  await page.mouse.up();
  // Away from the rows and the handle, so nothing shows a hover state.
  await page.mouse.move(0, 0);
  await expect
    .poll(
      async () =>
        (await page.locator('#jp-left-stack').boundingBox())?.width ?? 0
    )
    .toBeCloseTo(width, -1);
}

async function restartKernel(page: IJupyterLabPageFixture): Promise<void> {
  await page.menu.clickMenuItem('Kernel>Restart Kernel…');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await waitForIdleKernel(page);
}

/**
 * Whether the element is drawn where the user can see it: inside the run
 * list's visible box and inside its own row (a row hides what does not fit
 * on its two lines).
 */
async function expectSeen(element: Locator, list: Locator): Promise<void> {
  await expect(element).toBeVisible();
  const box = await element.boundingBox();
  const listBox = await list.boundingBox();
  const rowBox = await element
    .locator('xpath=ancestor::*[@role="row"][1]')
    .boundingBox();
  expect(box && listBox && rowBox).toBeTruthy();
  for (const outer of [listBox!, rowBox!]) {
    expect(box!.x).toBeGreaterThanOrEqual(outer.x - 0.5);
    expect(box!.y).toBeGreaterThanOrEqual(outer.y - 0.5);
    expect(box!.x + box!.width).toBeLessThanOrEqual(
      outer.x + outer.width + 0.5
    );
    expect(box!.y + box!.height).toBeLessThanOrEqual(
      outer.y + outer.height + 0.5
    );
  }
}

test.describe('The seed story in the Runs sidebar', () => {
  test.describe.configure({ timeout: 180000 });

  test('should show name, metric change and the changed seed in each row, at 250 and 500 px', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/seed-story.ipynb`;
    await page.contents.uploadFile(
      path.join(NOTEBOOKS, 'seed-story.ipynb'),
      notebookPath
    );
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    const metricOf = async (index: number) =>
      (await runRows(request, notebookPath))[index]?.metrics.mean_squared_error;

    await page.notebook.run();
    await expect
      .poll(() => metricOf(0), { timeout: 30000 })
      .toEqual(expect.any(Number));
    await page.notebook.setCell(0, 'code', 'seed = 42\nalpha = 0.1');
    await restartKernel(page);
    await page.notebook.run();
    await expect
      .poll(() => metricOf(1), { timeout: 30000 })
      .toEqual(expect.any(Number));
    const [first, second] = await runRows(request, notebookPath);

    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyterlab-runs:show-panel');
    });
    const panel = page.getByRole('region', { name: 'Runs' });
    const list = panel.getByRole('grid', { name: 'Runs' });
    const rows = panel.locator('.jp-RunsPanel-item');
    await expect(rows).toHaveCount(2, { timeout: 30000 });
    const newest = rows.first();
    await expect(newest.locator('.jp-RunsPanel-runName')).toHaveText(
      second.name
    );

    // What a user reads in the newest row, at each width, without
    // scrolling sideways.
    const badge = newest.locator('.jp-RunsPanel-badge', {
      hasText: 'seed 69→42'
    });
    const change = newest.locator('.jp-RunsPanel-metricChange');
    const delta =
      second.metrics.mean_squared_error! - first.metrics.mean_squared_error!;
    for (const width of [250, 500]) {
      await resizeSidebar(page, width);
      const overflow = await list.evaluate(node => ({
        scrollWidth: node.scrollWidth,
        clientWidth: node.clientWidth
      }));
      expect(
        overflow.scrollWidth,
        `the run list scrolls sideways at ${width} px`
      ).toBeLessThanOrEqual(overflow.clientWidth);
      await expectSeen(newest.locator('.jp-RunsPanel-runName'), list);
      await expectSeen(badge, list);
      await expectSeen(change, list);
      await expect(change).toHaveText(delta > 0 ? /^▲[\d.,]+$/ : /^▼[\d.,]+$/);
      // The status dot is not under a header cut to "S…".
      const status = panel.getByRole('columnheader', { name: 'Status' });
      await expect(status).toHaveText('Status');
      const header = await status.evaluate(node => ({
        scrollWidth: node.scrollWidth,
        clientWidth: node.clientWidth
      }));
      expect(header.scrollWidth).toBeLessThanOrEqual(header.clientWidth);
    }
    // The trend chart follows the sidebar's width.
    const chart = panel.locator('.jp-RunsPanel-trend svg.marks');
    await expect
      .poll(async () => (await chart.boundingBox())?.width ?? 0)
      .toBeGreaterThan(400);
    // Widened, the row has room for the words that say only the seed changed.
    await expectSeen(
      newest.locator('.jp-RunsPanel-badge', {
        hasText: 'only the seed changed'
      }),
      list
    );

    // The trend chart names the run of a point on hover.
    await resizeSidebar(page, 250);
    await expect
      .poll(async () => (await chart.boundingBox())?.width ?? 0)
      .toBeLessThan(250);
    const points = panel.locator(
      '.jp-RunsPanel-trend svg .mark-symbol.role-mark path'
    );
    await expect(points).toHaveCount(2, { timeout: 30000 });
    const tooltip = page.locator('#vg-tooltip-element');
    for (const [index, run] of [first, second].entries()) {
      await page.mouse.move(0, 0);
      await points.nth(index).hover({ force: true });
      await expect(tooltip).toBeVisible();
      await expect(tooltip).toContainText(run.name);
    }
    // Its time axis labels do not overlap.
    const labels = await panel
      .locator(
        '.jp-RunsPanel-trend g.role-axis[aria-label^="X-axis"] .role-axis-label text'
      )
      .evaluateAll(nodes =>
        nodes
          // vega hides the labels it leaves out by making them transparent.
          .filter(node => Number(getComputedStyle(node).opacity) > 0)
          .map(node => {
            const box = node.getBoundingClientRect();
            return { left: box.left, right: box.right };
          })
      );
    expect(labels.length).toBeGreaterThan(0);
    labels.sort((a, b) => a.left - b.left);
    for (let i = 1; i < labels.length; i++) {
      expect(labels[i].left).toBeGreaterThan(labels[i - 1].right);
    }

    // How it looks, in the light and the dark theme, at both widths.
    await page.mouse.move(0, 0);
    await expect(tooltip).toBeHidden();
    const shot = { stylePath: SIDEBAR_CSS };
    await expect(panel).toHaveScreenshot('sidebar-250-light.png', shot);
    await resizeSidebar(page, 500);
    await expect(panel).toHaveScreenshot('sidebar-500-light.png', shot);
    await page.theme.setDarkTheme();
    await expect(panel).toHaveScreenshot('sidebar-500-dark.png', shot);
    await resizeSidebar(page, 250);
    await expect(panel).toHaveScreenshot('sidebar-250-dark.png', shot);
  });
});
