/**
 * What the two-tabs and load specs read of a run: through the Lab's own run
 * store in a page (`IRunStore.readRun` with every point, summed up in the
 * page so a million points never cross to the test), and the raw run
 * blocks of the packs on disk, to see what each page wrote.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { Page } from '@playwright/test';
import type { FaultLab } from './lab';
import { STORE } from '../tests/store-files';

/** A stored run as the page's `IRunStore.readRun` gives it, summed up. */
export type RunSummary = {
  id: string;
  status: string;
  session: string | null;
  seq: number;
  problems: string[];
  /** `exec` of each execution, in the order read. */
  execs: number[];
  /** Execution counts, in the same order. */
  counts: (number | null)[];
  metrics: Record<
    string,
    {
      count: number;
      points: number;
      /** The steps are 0, 1, …, points - 1, in that order. */
      contiguous: boolean;
      firstBadStep: number | null;
      duplicates: number;
    }
  >;
};

/**
 * Make the Lab's run store (the `jupyterlab-runs:store` plugin's service)
 * `window.faultStore` in the page, as bench/lab.mjs does.
 */
export async function exposeStore(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const app = (window as any).jupyterapp;
    const plugin = app.pluginRegistry._plugins.get('jupyterlab-runs:store');
    (window as any).faultStore = await app.resolveRequiredService(
      plugin.provides
    );
  });
}

/** The ids of a notebook's runs, newest first, from the page's store. */
export async function listedRuns(
  page: Page,
  notebookPath: string
): Promise<{ ids: string[]; problems: string[] }> {
  return page.evaluate(async p => {
    const list = await (window as any).faultStore.listRuns(p);
    return {
      ids: list.runs.map((run: any) => run.id),
      problems: [...list.problems]
    };
  }, notebookPath);
}

/** Read a run with every point through the page's store and sum it up. */
export async function readStoredRun(
  page: Page,
  notebookPath: string,
  runId: string
): Promise<RunSummary | null> {
  return page.evaluate(
    async ({ notebookPath, runId }) => {
      const { value: run, problems } = await (window as any).faultStore.readRun(
        notebookPath,
        runId,
        { allPoints: true }
      );
      if (!run) {
        return null;
      }
      const metrics: RunSummary['metrics'] = {};
      for (const metric of run.metrics) {
        let contiguous = true;
        let firstBadStep: number | null = null;
        const seen = new Set<number>();
        let duplicates = 0;
        metric.points.forEach((point: any[], i: number) => {
          const step = point[1];
          if (seen.has(step)) {
            duplicates += 1;
          }
          seen.add(step);
          if (step !== i && contiguous) {
            contiguous = false;
            firstBadStep = i;
          }
        });
        metrics[metric.name] = {
          count: metric.count,
          points: metric.points.length,
          contiguous,
          firstBadStep,
          duplicates
        };
      }
      return {
        id: run.id,
        status: run.status,
        session: run.session,
        seq: run.seq,
        problems: [...problems],
        execs: run.executions.map((e: any) => e.exec),
        counts: run.executions.map((e: any) => e.executionCount),
        metrics
      };
    },
    { notebookPath, runId }
  );
}

/** A store file read from disk: its newest whole slot, or null. */
function readSlots(stem: string): any {
  let newest: { time: number; data: any } | null = null;
  for (const slot of ['a', 'b']) {
    const file = `${stem}.${slot}.json.gz`;
    if (!fs.existsSync(file) || fs.statSync(file).size === 0) {
      continue;
    }
    try {
      const data = JSON.parse(
        zlib.gunzipSync(fs.readFileSync(file)).toString('utf-8')
      );
      const time = fs.statSync(file).mtimeMs;
      if (!newest || time > newest.time) {
        newest = { time, data };
      }
    } catch {
      // A torn slot: scanStore counts those.
    }
  }
  return newest?.data ?? null;
}

/** The delta-decoded length of a delta list (its entries). */
const lengthOf = (list: unknown[] | undefined) => list?.length ?? 0;

/** One pack's block of a run, as it lies on disk. */
export type RawBlock = {
  pack: string;
  seq: number;
  executions: number[];
  points: Record<string, number>;
};

/**
 * Every block of `runId` in the packs of the lab's store on disk, with the
 * execution numbers and points it holds (every point of a long series, from
 * the points file), and the notebooks' session entries.
 */
export function rawBlocks(
  lab: FaultLab,
  runId: string
): { blocks: RawBlock[]; sessions: { id: string; seq: number }[] } {
  const notebooks = path.join(lab.root, STORE, 'notebooks');
  const blocks: RawBlock[] = [];
  const sessions: { id: string; seq: number }[] = [];
  for (const key of fs.existsSync(notebooks) ? fs.readdirSync(notebooks) : []) {
    const folder = path.join(notebooks, key);
    const index = readSlots(path.join(folder, 'index'));
    sessions.push(...(index?.sessions ?? []));
    const packs = path.join(folder, 'packs');
    const stems = new Set(
      (fs.existsSync(packs) ? fs.readdirSync(packs) : [])
        .map(name => /^(.*)\.[ab]\.json\.gz$/.exec(name)?.[1])
        .filter((stem): stem is string => !!stem)
    );
    for (const stem of stems) {
      const pack = readSlots(path.join(packs, stem));
      const points = readSlots(path.join(folder, 'points', stem));
      for (const block of pack?.runs ?? []) {
        if (block.run !== runId) {
          continue;
        }
        let exec = 0;
        const execs = (block.executions.exec as (number | null)[]).map(
          delta => (exec += delta ?? 0)
        );
        const counted: Record<string, number> = {};
        for (const series of block.metrics) {
          const whole = series.whole
            ? points?.series.find(
                (item: any) =>
                  item.run === runId &&
                  item.name === series.name &&
                  item.source === series.source
              )
            : series;
          counted[series.name] =
            (counted[series.name] ?? 0) + lengthOf(whole?.value);
        }
        blocks.push({
          pack: stem,
          seq: block.seq,
          executions: execs,
          points: counted
        });
      }
    }
  }
  return { blocks, sessions };
}

/** Bytes of every file under the lab's store folder. */
export function storeBytes(lab: FaultLab): number {
  let total = 0;
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else {
        total += fs.statSync(file).size;
      }
    }
  };
  const store = path.join(lab.root, STORE);
  if (fs.existsSync(store)) {
    walk(store);
  }
  return total;
}

/** Make cell `index` of the notebook the page shows active and run it. */
export async function runCell(page: Page, index: number): Promise<void> {
  await page.evaluate(i => {
    const app = (window as any).jupyterapp;
    const panel = app.shell.currentWidget;
    panel.content.activeCellIndex = i;
    void app.commands.execute('notebook:run-cell');
  }, index);
}

/**
 * Open the Lab on a notebook in a workspace of its own (the fixtures'
 * openNotebook uses the default one, which a second tab of the same browser
 * would find in use and leave for a new one) and wait until it is restored.
 */
export async function openNotebook(
  page: Page,
  lab: FaultLab,
  notebookPath: string,
  workspace = 'default'
): Promise<void> {
  await page.goto(
    `${lab.base}/lab/workspaces/${workspace}/tree/${notebookPath}`
  );
  await page.waitForFunction(() => !!(window as any).jupyterapp, null, {
    timeout: 60000
  });
  await page.evaluate(() => (window as any).jupyterapp.restored);
}
