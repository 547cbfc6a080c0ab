/**
 * Bad input, in the real Lab: store files damaged at random, and hostile
 * notebook and run names.
 *
 * "1,000 store files mutated" records a few hundred runs for real (kernels,
 * the helper, the page's store), splits each notebook's run list into a
 * head and two segments as a store of thousands of runs has, then damages
 * files with the jest fuzz's mutations (src/__tests__/fuzz-mutations.ts),
 * round after round on a fresh copy, and reads the store in the Runs panel.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { BrowserContext, Page } from '@playwright/test';
import type { IStoreSlots, Mutation } from '../../src/__tests__/fuzz-mutations';
import { mutateStoreFile, prng } from '../../src/__tests__/fuzz-mutations';
import {
  notebookFolder,
  runRows,
  STORE,
  storedSessions
} from '../tests/store-files';
import type { FaultLab } from './lab';
import { waitFor } from './lab';
import type { FaultRow } from './fixtures';
import { expect, openNotebook, test, writeNotebook } from './fixtures';

test.describe.configure({ timeout: 240000 });

/** Set FUZZ_SEED to replay a failure. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const ROUNDS = 50;
const PER_ROUND = 20;
const NOTEBOOKS = [
  'fuzz/train.ipynb',
  'fuzz/eval one.ipynb',
  'fuzz/deep/er/sweep.ipynb',
  'fuzz/a.ipynb',
  'fuzz/b.ipynb',
  'fuzz/c.ipynb',
  'fuzz/d.ipynb',
  'fuzz/e.ipynb'
];
const RUNS = 40;

/** A cell that records `RUNS` runs, the first with a long series. */
function runsCell(n: number): string {
  return [
    'import jupyterlab_runs as runs',
    `for i in range(${RUNS}):`,
    `    runs.start_run(f'nb${n}-run-{i}')`,
    "    runs.log_param('seed', i)",
    "    runs.set_tag('stage', f's{i % 3}')",
    `    for step in range(${n === 0 ? 1500 : 3}):`,
    "        runs.log_metric('loss', 1 / (i + step + 1), step=step)",
    'runs.end_run()'
  ].join('\n');
}

/** The store's slot files under the lab's root, as the mutations see them. */
function diskSlots(root: string): IStoreSlots {
  return {
    read: slot => {
      const file = path.join(root, slot);
      return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    },
    write: (slot, bytes) => fs.writeFileSync(path.join(root, slot), bytes)
  };
}

/** Every file under a folder, as paths relative to `root`. */
function filesUnder(root: string, folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else {
        found.push(path.relative(root, file));
      }
    }
  };
  if (fs.existsSync(path.join(root, folder))) {
    walk(path.join(root, folder));
  }
  return found.sort();
}

/** The compressed store files (`x.json.gz`) under the lab's store folder. */
function storeFiles(lab: FaultLab): string[] {
  const stems = new Set<string>();
  for (const file of filesUnder(lab.root, STORE)) {
    const match = /^(.*)\.[ab]\.json\.gz$/.exec(file);
    if (match) {
      stems.add(`${match[1]}.json.gz`);
    }
  }
  return [...stems].sort();
}

/** Count the page's console errors, and those that are exceptions. */
function watchConsole(context: BrowserContext, row: FaultRow) {
  const seen = { errors: 0, exceptions: [] as string[] };
  context.on('console', message => {
    if (message.type() !== 'error') {
      return;
    }
    seen.errors += 1;
    const text = message.text();
    // A failed request is logged as an error too; a thrown error names its
    // kind or says it was not caught.
    if (/Uncaught|\b\w*Error\b|Exception/.test(text)) {
      // The server's own errors, relayed: not the page's.
      if (/Traceback \(most recent call last\)/.test(text)) {
        row.notes.push(`server error relayed: ${text.split('\n').pop()}`);
      } else if (!/^Failed to load resource/.test(text)) {
        seen.exceptions.push(text.slice(0, 300));
        row.notes.push(`console exception: ${text.slice(0, 200)}`);
      }
    }
  });
  return seen;
}

/** Run a command in the page and wait for it. */
async function execute(
  page: Page,
  command: string,
  args: Record<string, unknown> = {}
): Promise<void> {
  await page.evaluate(
    async ({ command, args }) => {
      await (window as any).jupyterapp.commands.execute(command, args);
    },
    { command, args }
  );
}

/** What the Runs panel shows. */
type PanelView = {
  /** `<notebook path>\n<run id>` of every row of the table. */
  runs: string[];
  /** Each row's name cell text, by the key above. */
  names: Record<string, string>;
  /** The table's own count of rows. */
  rowCount: number;
  problems: string[];
  empty: string | null;
};

/**
 * Read the store again in the Runs panel (as it does when the store says
 * runs changed) and collect every row of its table, scrolled through (it
 * renders only the rows in view), and every problem line.
 */
async function readPanel(page: Page, notebookPath = ''): Promise<PanelView> {
  return page.evaluate(async notebookPath => {
    const app = (window as any).jupyterapp;
    const panel = Array.from(app.shell.widgets('left') as any[]).find(
      widget => widget.id === 'jupyterlab-runs-panel'
    );
    await panel.model.refresh();
    const frame = () =>
      new Promise(resolve =>
        requestAnimationFrame(() => setTimeout(resolve, 0))
      );
    const node = panel.node as HTMLElement;
    const settled = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) {
        await frame();
      }
    };
    await frame();
    await settled(
      () =>
        !node.querySelector('.jp-RunsPanel-empty')?.textContent?.includes('…')
    );
    const problems = Array.from(
      node.querySelectorAll('.jp-RunsPanel-problem')
    ).map(line => line.textContent ?? '');
    const runs = new Map<string, string>();
    const table = node.querySelector('.jp-RunsPanel-table') as HTMLElement;
    let rowCount = 0;
    if (table) {
      rowCount = Number(table.getAttribute('aria-rowcount')) - 1;
      const rowAt = (index: number) =>
        table.querySelector(`[data-run-id][aria-rowindex="${index + 2}"]`);
      const collect = () => {
        for (const row of Array.from(
          table.querySelectorAll<HTMLElement>('[data-run-id]')
        )) {
          const notebook =
            row
              .querySelector('.jp-RunsPanel-cell-notebook [title]')
              ?.getAttribute('title') ?? notebookPath;
          const name = row.querySelector('.jp-RunsPanel-runName');
          runs.set(
            `${notebook}\n${row.dataset.runId}`,
            Array.from(name?.childNodes ?? [])
              .filter(child => child.nodeType === Node.TEXT_NODE)
              .map(child => child.textContent)
              .join('')
          );
        }
      };
      // Scroll to the first row not seen yet until every row was seen, by
      // the height the rows are drawn at.
      const rowHeight =
        table.querySelector<HTMLElement>('[data-run-id]')?.offsetHeight || 42;
      for (let next = 0; next < rowCount;) {
        table.scrollTop = next * rowHeight;
        await settled(() => !!rowAt(next));
        if (!rowAt(next)) {
          throw new Error(`row ${next} of ${rowCount} is never drawn`);
        }
        collect();
        while (next < rowCount && rowAt(next)) {
          next += 1;
        }
      }
    }
    return {
      runs: [...runs.keys()],
      names: Object.fromEntries(runs),
      rowCount,
      problems,
      empty: node.querySelector('.jp-RunsPanel-empty')?.textContent ?? null
    };
  }, notebookPath);
}

/** Show the Runs panel, for all notebooks or the active one. */
async function showPanel(page: Page, allNotebooks: boolean): Promise<void> {
  await execute(page, 'jupyterlab-runs:show-panel');
  const panel = page.getByRole('region', { name: 'Runs' });
  const box = panel.getByRole('checkbox', { name: 'All notebooks' });
  await box.setChecked(allNotebooks);
}

test('1,000 store files mutated', async ({ api, context, lab, page, row }) => {
  row.checked =
    'every valid run listed; one problem line naming each broken file; no exception; broken runs open with a message';
  const started = Date.now();
  const console = watchConsole(context, row);

  // Record the runs for real: one kernel per notebook, RUNS runs each.
  for (const [n, notebook] of NOTEBOOKS.entries()) {
    fs.mkdirSync(path.join(lab.root, path.dirname(notebook)), {
      recursive: true
    });
    writeNotebook(lab, notebook, runsCell(n));
  }
  await openNotebook(page, lab, NOTEBOOKS[0]);
  for (const notebook of NOTEBOOKS.slice(1)) {
    await execute(page, 'docmanager:open', { path: notebook });
  }
  for (const notebook of NOTEBOOKS) {
    await execute(page, 'docmanager:open', { path: notebook });
    // The helper is attached once the kernel's session is stored.
    await waitFor(
      async () => (await storedSessions(api, notebook)) >= 1,
      90000,
      `the kernel session of ${notebook}`
    );
    await execute(page, 'notebook:run-all-cells');
  }
  for (const notebook of NOTEBOOKS) {
    await waitFor(
      async () => {
        const rows = await runRows(api, notebook);
        return (
          rows.length >= RUNS && rows.every(each => each.status !== 'running')
        );
      },
      120000,
      `the runs of ${notebook} stored`
    );
  }
  // The user's annotations: pin the newest run of each notebook.
  await showPanel(page, false);
  for (const notebook of NOTEBOOKS) {
    await execute(page, 'docmanager:open', { path: notebook });
    const runsPanel = page.getByRole('region', { name: 'Runs' });
    // The panel follows the notebook opened, then reads its runs: click a
    // row of this notebook, once drawn (a list read again redraws it).
    await expect(runsPanel.locator('.jp-RunsPanel-notebookName')).toHaveText(
      path.basename(notebook)
    );
    const first = runsPanel.locator('.jp-RunsPanel-item').first();
    await expect(async () => {
      await first.click();
      await expect(first).toHaveAttribute('aria-selected', 'true', {
        timeout: 2000
      });
    }).toPass({ timeout: 30000 });
    await execute(page, 'jupyterlab-runs:pin-run');
    await expect(first.locator('.jp-RunsPanel-pin')).toBeVisible();
  }
  const folders = new Map<string, string>();
  for (const notebook of NOTEBOOKS) {
    const folder = (await notebookFolder(api, notebook))!;
    expect(folder, `the store folder of ${notebook}`).toBeTruthy();
    folders.set(notebook, folder);
    await waitFor(
      () =>
        fs
          .readdirSync(path.join(lab.root, folder))
          .some(name => name.startsWith('annotations.')),
      30000,
      `the annotations of ${notebook}`
    );
  }
  // From here on this Lab only reads: tracking off, the recording page
  // closed, and the store left alone until nothing changes in it.
  const settings = await api.put('/lab/api/settings/jupyterlab-runs:tracking', {
    data: { raw: '{ "trackingEnabled": false }' }
  });
  expect(settings.ok(), 'tracking turned off').toBe(true);
  await page.close();
  let last = '';
  await waitFor(
    () => {
      const now = filesUnder(lab.root, STORE)
        .map(
          file => `${file} ${fs.statSync(path.join(lab.root, file)).mtimeMs}`
        )
        .join('\n');
      const quiet = now === last;
      last = now;
      return quiet;
    },
    60000,
    'the store to be quiet'
  );

  // Each notebook's run list as a head and two sealed segments.
  const slots = diskSlots(lab.root);
  const readJson = (file: string) => {
    const current = ['a', 'b']
      .map(slot => slots.read(file.replace(/\.json\.gz$/, `.${slot}.json.gz`)))
      .find(bytes => bytes && bytes.length > 0)!;
    return JSON.parse(zlib.gunzipSync(current).toString('utf-8'));
  };
  const writeJson = (file: string, data: unknown) => {
    const [a, b] = ['a', 'b'].map(slot =>
      file.replace(/\.json\.gz$/, `.${slot}.json.gz`)
    );
    const bytes = zlib.gzipSync(Buffer.from(JSON.stringify(data), 'utf-8'));
    slots.write(a, bytes);
    if (slots.read(b) !== undefined) {
      slots.write(b, Buffer.alloc(0));
    }
  };
  /** Notebook → run id → the index file its row is in. */
  const rowFiles = new Map<string, Map<string, string>>();
  for (const [notebook, folder] of folders) {
    const headPath = `${folder}/index.json.gz`;
    const head = readJson(headPath);
    const third = Math.floor(head.runs.length / 3);
    const older = head.runs.splice(head.runs.length - 2 * third);
    const sealed = [older.slice(third), older.slice(0, third)];
    head.segments = [
      { segment: 1, count: sealed[1].length },
      { segment: 0, count: sealed[0].length }
    ];
    writeJson(headPath, head);
    const rows = new Map<string, string>(
      head.runs.map((each: { id: string }) => [each.id, headPath])
    );
    sealed.forEach((runs, segment) => {
      const segmentPath = `${folder}/index/${segment}.json.gz`;
      fs.mkdirSync(path.join(lab.root, folder, 'index'), { recursive: true });
      writeJson(segmentPath, {
        format: 'jupyterlab-runs/index-segment',
        version: 2,
        notebookPath: notebook,
        segment,
        runs
      });
      for (const each of runs) {
        rows.set(each.id, segmentPath);
      }
    });
    rowFiles.set(notebook, rows);
  }
  const targets = storeFiles(lab);
  const slotFiles = filesUnder(lab.root, STORE).filter(file =>
    /\.[ab]\.json\.gz$/.test(file)
  );
  const pristine = new Map(slotFiles.map(file => [file, slots.read(file)!]));
  const recorded: IStoreSlots = {
    read: slot => pristine.get(slot),
    write: () => {
      throw new Error('the recorded store is not damaged');
    }
  };
  const restore = () => {
    for (const [file, bytes] of pristine) {
      slots.write(file, bytes);
    }
  };

  // The undamaged store, read in a fresh page: every run, no problem.
  const reader = await context.newPage();
  await openNotebook(reader, lab, NOTEBOOKS[0]);
  for (const notebook of NOTEBOOKS) {
    await execute(reader, 'docmanager:open', { path: notebook });
  }
  await showPanel(reader, true);
  const baseline = await readPanel(reader);
  expect(baseline.problems).toEqual([]);
  const expected = new Map<string, Set<string>>();
  for (const [notebook, rows] of rowFiles) {
    expected.set(notebook, new Set(rows.keys()));
  }
  expect(baseline.runs.sort()).toEqual(
    [...rowFiles]
      .flatMap(([notebook, rows]) =>
        [...rows.keys()].map(id => `${notebook}\n${id}`)
      )
      .sort()
  );
  expect(baseline.runs.length).toBeGreaterThanOrEqual(NOTEBOOKS.length * RUNS);
  row.notes.push(
    `${baseline.runs.length} runs in ${NOTEBOOKS.length} notebooks, ${targets.length} store files; recorded in ${Math.round((Date.now() - started) / 1000)} s`
  );

  // The rounds.
  const random = prng(SEED);
  const counts = {
    mutations: 0,
    listed: 0,
    expected: 0,
    problemLines: 0,
    byKind: {} as Record<string, number>
  };
  const failures: string[] = [];
  const isListFile = (file: string) => /\/(index|annotations)[./]/.test(file);
  for (let round = 0; round < ROUNDS; round++) {
    restore();
    const touched = new Map<string, Mutation>();
    const pool = [...targets];
    for (let i = 0; i < PER_ROUND && pool.length > 0; i++) {
      const file = pool.splice(Math.floor(random() * pool.length), 1)[0];
      const mutation = mutateStoreFile(slots, file, random, {
        paths: targets,
        recorded
      });
      touched.set(file, mutation);
      counts.mutations += 1;
      counts.byKind[mutation.kind] = (counts.byKind[mutation.kind] ?? 0) + 1;
    }
    const written = new Map(
      slotFiles.map(file => [file, slots.read(file)?.toString('base64')])
    );
    const context = `round ${round} (seed ${SEED})`;
    const view = await readPanel(reader);
    counts.listed += view.runs.length;
    counts.problemLines += view.problems.length;
    if (view.rowCount !== view.runs.length) {
      failures.push(
        `${context}: the table counts ${view.rowCount} rows but shows ${view.runs.length}`
      );
    }
    if (new Set(view.problems).size !== view.problems.length) {
      failures.push(`${context}: repeated problem lines`);
    }
    const listed = new Set(view.runs);
    for (const [notebook, rows] of rowFiles) {
      const headFile = `${folders.get(notebook)}/index.json.gz`;
      for (const [id, file] of rows) {
        if (touched.has(file) || touched.has(headFile)) {
          continue;
        }
        counts.expected += 1;
        if (!listed.has(`${notebook}\n${id}`)) {
          failures.push(
            `${context}: ${notebook} ${id} is not listed (${[...touched].map(([f, m]) => `${m.kind} ${f}`).join(', ')})`
          );
        }
      }
    }
    for (const key of listed) {
      const [notebook, id] = key.split('\n');
      if (!expected.get(notebook)?.has(id)) {
        failures.push(
          `${context}: ${notebook} ${id} is listed, never recorded`
        );
      }
    }
    for (const [file, mutation] of touched) {
      const naming = view.problems.filter(line => line.includes(file));
      if (naming.length > 1) {
        failures.push(
          `${context}: ${naming.length} lines name ${file} (${mutation.kind}): ${JSON.stringify(naming)}`
        );
      }
      const headFile = file.replace(
        /\/index\/\d+\.json\.gz$/,
        '/index.json.gz'
      );
      if (
        isListFile(file) &&
        mutation.breaks &&
        naming.length === 0 &&
        (headFile === file || !touched.has(headFile))
      ) {
        failures.push(
          `${context}: no problem line names ${file} (${mutation.kind}): ${JSON.stringify(view.problems)}`
        );
      }
    }
    for (const line of view.problems) {
      if (
        ![...touched.keys()].some(file =>
          line.includes(file.replace(/\/index(\/\d+)?\.json\.gz$/, '/index'))
        )
      ) {
        failures.push(
          `${context}: a problem line names no damaged file: ${line}`
        );
      }
    }
    // Reading wrote nothing.
    for (const [file, bytes] of written) {
      if (slots.read(file)?.toString('base64') !== bytes) {
        failures.push(`${context}: ${file} changed while the store was read`);
      }
    }
    // Each notebook open on its own shows the same: every 10th round.
    if (round % 10 === 9) {
      await showPanel(reader, false);
      for (const [notebook, folder] of folders) {
        await execute(reader, 'docmanager:open', { path: notebook });
        const own = await readPanel(reader, notebook);
        const mine = (line: string) => line.includes(`${folder}/`);
        const shown = JSON.stringify([own.runs.sort(), own.problems.sort()]);
        const all = JSON.stringify([
          view.runs.filter(key => key.startsWith(`${notebook}\n`)).sort(),
          view.problems.filter(mine).sort()
        ]);
        if (shown !== all) {
          failures.push(
            `${context}: ${notebook} open on its own shows ${shown}, among all ${all}`
          );
        }
      }
      await showPanel(reader, true);
    }
    if (failures.length > 20) {
      break;
    }
  }
  row.files = counts.mutations;
  row.stored = counts.listed;
  row.notes.push(
    `seed ${SEED}: ${ROUNDS} rounds of ${PER_ROUND} files; ${counts.listed} runs listed (${counts.expected} valid runs expected), ${counts.problemLines} problem lines; ${JSON.stringify(counts.byKind)}`
  );
  expect(failures.slice(0, 20)).toEqual([]);

  // Broken runs open with a message: a damaged pack (detail, compare), and
  // a row whose times are out of the range of dates.
  restore();
  let opened = 0;
  for (const notebook of NOTEBOOKS.slice(1, 4)) {
    const folder = folders.get(notebook)!;
    const pack = targets.find(file => file.startsWith(`${folder}/packs/`))!;
    let mutation: Mutation;
    do {
      for (const slot of [
        pack.replace(/\.json\.gz$/, '.a.json.gz'),
        pack.replace(/\.json\.gz$/, '.b.json.gz')
      ]) {
        if (pristine.has(slot)) {
          slots.write(slot, pristine.get(slot)!);
        }
      }
      mutation = mutateStoreFile(slots, pack, random, {
        paths: targets,
        recorded
      });
    } while (!mutation.breaks);
    const ids = [...rowFiles.get(notebook)!.keys()].slice(0, 2);
    await execute(reader, 'jupyterlab-runs:open-run', {
      notebookPath: notebook,
      runId: ids[0]
    });
    const detail = reader.locator('.jp-RunDetail:visible');
    await expect(detail.locator('.jp-RunDetail-problems')).toContainText(pack, {
      timeout: 30000
    });
    await execute(reader, 'jupyterlab-runs:compare-runs', {
      runs: ids.map(runId => ({ notebookPath: notebook, runId }))
    });
    await expect(
      reader.locator('.jp-RunsCompare:visible .jp-RunsCompare-problems')
    ).toContainText(pack, { timeout: 30000 });
    row.notes.push(`${mutation.kind} ${pack}: detail and compare say so`);
    opened += 2;
  }
  const far = NOTEBOOKS[4];
  const headPath = `${folders.get(far)}/index.json.gz`;
  const head = readJson(headPath);
  head.runs[0].startedAt = 1e308;
  head.runs[1].endedAt = -1e308;
  writeJson(headPath, head);
  const farIds = head.runs.slice(0, 2).map((each: { id: string }) => each.id);
  const farView = await readPanel(reader);
  expect(farView.runs).toContain(`${far}\n${farIds[0]}`);
  for (const runId of farIds) {
    await execute(reader, 'jupyterlab-runs:open-run', {
      notebookPath: far,
      runId
    });
    await expect(
      reader.locator('.jp-RunDetail:visible .jp-RunDetail-name')
    ).toHaveCount(1, { timeout: 30000 });
  }
  await execute(reader, 'jupyterlab-runs:compare-runs', {
    runs: farIds.map((runId: string) => ({ notebookPath: far, runId }))
  });
  await expect(reader.locator('.jp-RunsCompare:visible')).toHaveCount(1, {
    timeout: 30000
  });
  opened += 3;
  row.notes.push(`${opened} broken runs opened (detail, compare)`);

  // A flood: every row of a notebook unreadable (a newer version wrote
  // them, say). One line each, and the runs stay in view.
  restore();
  const flooded = folders.get(NOTEBOOKS[5])!;
  let unreadable = 0;
  for (const file of targets.filter(each =>
    each.startsWith(`${flooded}/index`)
  )) {
    const data = readJson(file);
    for (const each of data.runs) {
      each.status = 'queued';
      unreadable += 1;
    }
    writeJson(file, data);
  }
  const flood = await readPanel(reader);
  expect(
    flood.problems.filter(line => line.includes(`${flooded}/`))
  ).toHaveLength(unreadable);
  await expect(reader.locator('.jp-RunsPanel-problem:visible')).toHaveCount(3);
  await expect(reader.locator('.jp-RunsPanel-problems summary')).toHaveText(
    `${unreadable - 3} more problems`
  );
  await reader.evaluate(() => {
    document.querySelector('.jp-RunsPanel-table')!.scrollTop = 0;
  });
  await expect(
    reader.locator('.jp-RunsPanel-item[aria-rowindex="2"]')
  ).toBeInViewport();
  row.notes.push(
    `${unreadable} unreadable rows: ${unreadable} problem lines, 3 shown and the rest folded; the runs stay in view`
  );

  restore();
  row.notes.push(
    `console: ${console.errors} errors, ${console.exceptions.length} exceptions; ${Math.round((Date.now() - started) / 1000)} s`
  );
  expect(console.exceptions).toEqual([]);
  expect(counts.mutations).toBe(ROUNDS * PER_ROUND);
});

/**
 * Every file and folder under `root` with its size and content digest,
 * one line each; the store folder and checkpoints are told apart.
 */
function rootState(root: string): Map<string, string> {
  const state = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      const relative = path.relative(root, file);
      if (entry.isDirectory()) {
        state.set(`${relative}/`, 'folder');
        walk(file);
      } else {
        state.set(relative, fs.readFileSync(file).toString('base64'));
      }
    }
  };
  walk(root);
  return state;
}

/** Run names a kernel hands the store. */
const HOSTILE_RUNS = [
  'x'.repeat(1000),
  '../../../etc/passwd',
  '/etc/passwd',
  'a\u0000b',
  '\u202eevil\u202c.txt and more',
  '\u200f\u05e9\u05dc\u05d5\u05dd run 1',
  '😀🧪📓 👩‍👩‍👧‍👦'
];

/** Notebook file names, in nested folders. */
const HOSTILE_NOTEBOOKS = [
  'names/rtl \u200f\u05e9\u05dc\u05d5\u05dd \u202eevil.ipynb',
  'names/emoji 😀🧪/📓 notebook.ipynb',
  'names/spaces # hash % percent \'single\' "double".ipynb',
  'names/a..b/a..b.ipynb',
  'names/-leading-dash/--x.ipynb',
  // 244 bytes: with "-checkpoint" its checkpoint's name is 255.
  `names/long/${'é'.repeat(119)}.ipynb`
];

test('hostile names', async ({ api, context, lab, page, row }) => {
  row.checked =
    'hostile notebook and run names shown exactly (sidebar, detail), bidi isolated; nothing written outside the store folder';
  const started = Date.now();
  const console = watchConsole(context, row);
  const cell = [
    'import jupyterlab_runs as runs',
    ...HOSTILE_RUNS.flatMap(name => [
      `runs.start_run(${JSON.stringify(name)})`,
      "runs.log_metric('loss', 0.5, step=0)"
    ]),
    'runs.end_run()'
  ].join('\n');
  for (const notebook of HOSTILE_NOTEBOOKS) {
    fs.mkdirSync(path.join(lab.root, path.dirname(notebook)), {
      recursive: true
    });
    writeNotebook(lab, notebook, cell);
  }
  expect(Buffer.byteLength(path.basename(HOSTILE_NOTEBOOKS.at(-1)!))).toBe(244);
  const before = rootState(lab.root);

  await page.goto(`${lab.base}/lab`);
  await page.waitForFunction(() => !!(window as any).jupyterapp, null, {
    timeout: 60000
  });
  await page.evaluate(() => (window as any).jupyterapp.restored);
  for (const notebook of HOSTILE_NOTEBOOKS) {
    await execute(page, 'docmanager:open', { path: notebook });
    await page.waitForFunction(
      notebook =>
        (window as any).jupyterapp.shell.currentWidget?.context?.path ===
        notebook,
      notebook,
      { timeout: 30000 }
    );
    // The helper is attached once the kernel's session is stored.
    await waitFor(
      async () => (await storedSessions(api, notebook)) >= 1,
      90000,
      `the kernel session of ${JSON.stringify(notebook)}`
    );
    await execute(page, 'notebook:run-all-cells');
  }
  for (const notebook of HOSTILE_NOTEBOOKS) {
    await waitFor(
      async () => {
        const rows = await runRows(api, notebook);
        return (
          rows.length >= HOSTILE_RUNS.length &&
          rows.every(each => each.status !== 'running')
        );
      },
      120000,
      `the runs of ${JSON.stringify(notebook)} stored`
    );
  }

  // Each notebook's runs in the sidebar: its name above them, every run
  // name exactly, isolated from the text around it.
  await showPanel(page, false);
  const panel = page.getByRole('region', { name: 'Runs' });
  let checked = 0;
  for (const notebook of HOSTILE_NOTEBOOKS) {
    await execute(page, 'docmanager:open', { path: notebook });
    await expect(panel.locator('.jp-RunsPanel-notebookName')).toHaveText(
      path.basename(notebook)
    );
    const view = await readPanel(page, notebook);
    expect(view.problems).toEqual([]);
    expect(Object.values(view.names).sort()).toEqual([...HOSTILE_RUNS].sort());
    checked += HOSTILE_RUNS.length;
  }
  const isolation = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll(
        '.jp-RunsPanel-runName, .jp-RunsPanel-notebookName'
      )
    ).map(node => getComputedStyle(node).unicodeBidi)
  );
  expect(isolation.length).toBeGreaterThan(0);
  expect(new Set(isolation)).toEqual(new Set(['isolate']));

  // The detail of each run of the last notebook names it exactly.
  const notebook = HOSTILE_NOTEBOOKS.at(-1)!;
  for (const run of await runRows(api, notebook)) {
    await execute(page, 'jupyterlab-runs:open-run', {
      notebookPath: notebook,
      runId: run.id
    });
    const name = page.locator('.jp-RunDetail:visible .jp-RunDetail-name');
    await expect(name).toHaveCount(1, { timeout: 30000 });
    expect(await name.evaluate(node => node.textContent)).toBe(run.name);
    expect(
      await name.evaluate(node => getComputedStyle(node).unicodeBidi)
    ).toBe('isolate');
    checked += 1;
  }

  // Renamed from the sidebar: kept exactly; a name of 1,000 characters is
  // refused with a message.
  await execute(page, 'docmanager:open', { path: notebook });
  const renamed = '\u202e../../x 😀 /etc/passwd \u200f\u05e9';
  const first = panel.locator('.jp-RunsPanel-item').first();
  await first.click();
  await expect(first).toHaveAttribute('aria-selected', 'true');
  const rename = async (name: string) => {
    void execute(page, 'jupyterlab-runs:rename-run');
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('input').fill(name);
    await dialog.getByRole('button', { name: 'Save' }).click();
  };
  await rename(renamed);
  await expect
    .poll(async () =>
      Object.values((await readPanel(page, notebook)).names).includes(renamed)
    )
    .toBe(true);
  checked += 1;
  await rename('y'.repeat(1000));
  const error = page.locator('.jp-Dialog');
  await expect(error).toContainText('could not be changed');
  await expect(error).toContainText('200');
  await error.getByRole('button').last().click();
  await expect(error).toHaveCount(0);

  // Nothing written outside the store folder.
  await page.close();
  await waitFor(
    async () =>
      (await (await api.get('/api/kernels')).json()).length ===
      HOSTILE_NOTEBOOKS.length,
    10000,
    'the kernels'
  );
  const after = rootState(lab.root);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
    file =>
      before.get(file) !== after.get(file) &&
      !file.startsWith(`${STORE}/`) &&
      file !== `${STORE}/` &&
      !file.split('/').includes('.ipynb_checkpoints')
  );
  expect(changed).toEqual([]);
  expect(filesUnder(lab.root, STORE).length).toBeGreaterThan(0);
  row.files = HOSTILE_NOTEBOOKS.length;
  row.stored = (
    await Promise.all(HOSTILE_NOTEBOOKS.map(each => runRows(api, each)))
  ).flat().length;
  row.notes.push(
    `${checked} names checked (${HOSTILE_RUNS.length} run names × ${HOSTILE_NOTEBOOKS.length} notebooks in the sidebar, details, a rename); ${Math.round((Date.now() - started) / 1000)} s`,
    `console: ${console.errors} errors, ${console.exceptions.length} exceptions`
  );
  expect(console.exceptions).toEqual([]);
});
