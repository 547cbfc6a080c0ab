/**
 * Reading the store folder of the UI tests' server back from its files, as
 * docs/FORMAT.md describes them, over the Contents API: the one place the UI
 * tests know the store's format.
 */
import * as zlib from 'zlib';
import type { APIRequestContext } from '@playwright/test';

export const STORE = 'jupyter-runs';

export type IndexRow = {
  id: string;
  name: string;
  status: string;
  params: Record<string, unknown>;
  metrics: Record<string, number | null>;
  packs: string[];
};

/** A run read back from its packs, as docs/FORMAT.md describes them. */
export type StoredRun = {
  id: string;
  name: string;
  status: string;
  session: string | null;
  env: Record<string, unknown> | null;
  sources: string[];
  /** The executions in order: cell, outcome and error (sources above). */
  executions: {
    cellId: string | null;
    outcome: string;
    error: { name: string; value: string } | null;
  }[];
  /** The executions whose displayed outputs are stored. */
  outputs: number[];
  metrics: Record<
    string,
    {
      source: string;
      count: number;
      lastStep: number | null;
      steps: (number | null)[];
      values: (number | string)[];
    }
  >;
};

/**
 * A compressed store file (`x.json.gz`): gzip of JSON, kept in the slots
 * `x.a.json.gz` and `x.b.json.gz`; the newest whole copy wins.
 */
export async function readStoreFile(
  request: APIRequestContext,
  filePath: string
): Promise<any> {
  const stem = filePath.replace(/\.json\.gz$/, '');
  let newest: { modified: string; data: any } | null = null;
  for (const slot of ['a', 'b']) {
    const response = await request.get(
      `/api/contents/${stem}.${slot}.json.gz?type=file&format=base64&content=1`
    );
    if (!response.ok()) {
      continue;
    }
    const model = await response.json();
    const bytes = Buffer.from(model.content, 'base64');
    if (bytes.length === 0) {
      continue;
    }
    const data = JSON.parse(zlib.gunzipSync(bytes).toString('utf-8'));
    if (!newest || model.last_modified > newest.modified) {
      newest = { modified: model.last_modified, data };
    }
  }
  return newest?.data ?? null;
}

/**
 * Every file of a folder and its subfolders with its size and time, one
 * line each: what changes when anything is written there.
 */
async function folderState(
  request: APIRequestContext,
  folder: string
): Promise<string[]> {
  const response = await request.get(`/api/contents/${folder}`);
  if (!response.ok()) {
    return [];
  }
  const lines: string[] = [];
  for (const child of (await response.json()).content) {
    if (child.type === 'directory') {
      lines.push(...(await folderState(request, child.path)));
    } else {
      lines.push(`${child.path} ${child.size} ${child.last_modified}`);
    }
  }
  return lines.sort();
}

/**
 * Resolve once nothing has been written to a notebook's store folder for
 * `quiet` milliseconds: the pages have written what they had to write
 * (the store writes 0.5 s after a run ends, or every 3 s while one runs).
 */
export async function waitForQuietStore(
  request: APIRequestContext,
  notebookPath: string,
  quiet = 2000
): Promise<void> {
  const folder = await notebookFolder(request, notebookPath);
  if (!folder) {
    throw new Error(`No store folder holds ${notebookPath}.`);
  }
  let last = JSON.stringify(await folderState(request, folder));
  for (let waited = 0; waited < 30000; waited += quiet) {
    await new Promise(resolve => setTimeout(resolve, quiet));
    const now = JSON.stringify(await folderState(request, folder));
    if (now === last) {
      return;
    }
    last = now;
  }
  throw new Error(`The store of ${notebookPath} is still being written.`);
}

/**
 * Replace the content of a compressed store file, as another program
 * editing the store would: gzip of `data`'s JSON, into the slot that holds
 * the current version (the other slot stays as it is, empty or older).
 */
export async function writeStoreFile(
  request: APIRequestContext,
  filePath: string,
  data: unknown
): Promise<void> {
  const stem = filePath.replace(/\.json\.gz$/, '');
  const folder = stem.slice(0, stem.lastIndexOf('/'));
  const listing = await request.get(`/api/contents/${folder}`);
  let current: { slot: string; modified: string } | null = null;
  for (const child of listing.ok() ? (await listing.json()).content : []) {
    const slot = /\.([ab])\.json\.gz$/.exec(child.path)?.[1];
    if (
      slot &&
      child.path === `${stem}.${slot}.json.gz` &&
      child.size > 0 &&
      (!current || child.last_modified > current.modified)
    ) {
      current = { slot, modified: child.last_modified };
    }
  }
  const target = `${stem}.${current?.slot ?? 'a'}.json.gz`;
  const content = zlib
    .gzipSync(Buffer.from(JSON.stringify(data), 'utf-8'))
    .toString('base64');
  const response = await request.put(`/api/contents/${target}`, {
    data: { type: 'file', format: 'base64', content }
  });
  if (!response.ok()) {
    throw new Error(`Could not write ${target}: ${response.status()}`);
  }
}

/** The values of a delta list (docs/FORMAT.md). */
function fromDeltas(list: (number | null)[]): (number | null)[] {
  let previous = 0;
  return list.map(delta => (delta === null ? null : (previous += delta)));
}

/** The store folder of a notebook, found by the path its index names. */
export async function notebookFolder(
  request: APIRequestContext,
  notebookPath: string
): Promise<string | null> {
  const response = await request.get(`/api/contents/${STORE}/notebooks`);
  if (!response.ok()) {
    return null;
  }
  for (const child of (await response.json()).content) {
    const index = await readStoreFile(request, `${child.path}/index.json.gz`);
    if (index?.notebookPath === notebookPath) {
      return child.path;
    }
  }
  return null;
}

/**
 * Reads packs of one notebook folder, each once, and resolves blob
 * references: a number within the pack at hand, or `<pack>/<index>`.
 */
function packReader(request: APIRequestContext, folder: string) {
  const packs: Record<string, any> = {};
  const pack = async (name: string) =>
    (packs[name] ??= await readStoreFile(
      request,
      `${folder}/packs/${name}.json.gz`
    ));
  const blob = async (ref: number | string, within: string) => {
    const [name, index] =
      typeof ref === 'number' ? [within, ref] : ref.split('/');
    return (await pack(String(name))).blobs[Number(index)];
  };
  const points: Record<string, any> = {};
  // Every point of a series the pack holds as an overview (`whole`).
  const allPoints = async (name: string, run: string, series: any) => {
    points[name] ??= await readStoreFile(
      request,
      `${folder}/points/${name}.json.gz`
    );
    return points[name].series.find(
      (item: any) =>
        item.run === run &&
        item.name === series.name &&
        item.source === series.source
    );
  };
  return { pack, blob, allPoints };
}

/** The kernel sessions of a notebook, with their environments. */
export async function sessionEnvs(
  request: APIRequestContext,
  notebookPath: string
): Promise<{ id: string; env: Record<string, any> | null }[]> {
  const folder = await notebookFolder(request, notebookPath);
  const index = folder
    ? await readStoreFile(request, `${folder}/index.json.gz`)
    : null;
  if (!folder || !index) {
    return [];
  }
  const { blob } = packReader(request, folder);
  const sessions = [];
  for (const session of index.sessions) {
    const env =
      session.env === null || session.env === undefined
        ? null
        : await blob(session.env, '');
    sessions.push({ id: session.id, env });
  }
  return sessions;
}

/** How many kernel sessions of a notebook the store holds. */
export async function storedSessions(
  request: APIRequestContext,
  notebookPath: string
): Promise<number> {
  const folder = await notebookFolder(request, notebookPath);
  const index = folder
    ? await readStoreFile(request, `${folder}/index.json.gz`)
    : null;
  return index?.sessions.length ?? 0;
}

/** The notebook's runs, oldest first, as its index lists them. */
export async function runRows(
  request: APIRequestContext,
  notebookPath: string
): Promise<IndexRow[]> {
  const folder = await notebookFolder(request, notebookPath);
  const index = folder
    ? await readStoreFile(request, `${folder}/index.json.gz`)
    : null;
  return index ? [...index.runs].reverse() : [];
}

/**
 * A run read from its blocks in the packs its row names: its executions'
 * sources, its environment and its metrics, with blob references resolved.
 */
export async function readRun(
  request: APIRequestContext,
  notebookPath: string,
  runId: string | null = null
): Promise<StoredRun | null> {
  const folder = await notebookFolder(request, notebookPath);
  const rows = await runRows(request, notebookPath);
  const row = runId ? rows.find(item => item.id === runId) : rows.pop();
  if (!folder || !row) {
    return null;
  }
  const { pack, blob, allPoints } = packReader(request, folder);
  const run: StoredRun = {
    id: row.id,
    name: row.name,
    status: row.status,
    session: null,
    env: null,
    sources: [],
    executions: [],
    outputs: [],
    metrics: {}
  };
  for (const name of row.packs) {
    for (const block of (await pack(name)).runs) {
      if (block.run !== row.id) {
        continue;
      }
      if (block.env !== undefined && block.env !== null) {
        run.env = await blob(block.env, name);
      }
      run.session = block.session ?? run.session;
      const { source, cell, outcome, error } = block.executions;
      for (const [i, ref] of source.entries()) {
        run.sources.push(await blob(ref, name));
        run.executions.push({
          cellId: cell[i],
          outcome: outcome[i],
          error: error[i]
        });
      }
      for (const exec of fromDeltas(block.outputs?.exec ?? [])) {
        if (exec !== null && !run.outputs.includes(exec)) {
          run.outputs.push(exec);
        }
      }
      for (const overview of block.metrics) {
        const series = overview.whole
          ? await allPoints(name, row.id, overview)
          : overview;
        const known = (run.metrics[series.name] ??= {
          source: series.source,
          count: 0,
          lastStep: null,
          steps: [],
          values: []
        });
        known.steps.push(...fromDeltas(series.step));
        known.values.push(...series.value);
        known.count = known.steps.length;
        known.lastStep = known.steps[known.steps.length - 1];
      }
    }
  }
  return run;
}

/** A notebook snapshot read back from its pack, as docs/FORMAT.md says. */
export type StoredSnapshot = {
  run: string;
  time: number;
  nbformat: number;
  metadata: Record<string, unknown>;
  cells: {
    id: string | null;
    type: string;
    source: string;
    /** The outputs with their own execution counts put back, or null. */
    outputs: Record<string, any>[] | null;
    count: number | null;
    metadata: Record<string, unknown>;
  }[];
};

/**
 * The snapshots of a run, oldest first: each pack's snapshots decoded in
 * order (a snapshot other than a keyframe holds its changes to an earlier
 * one of the same pack), blob references resolved.
 */
export async function readSnapshots(
  request: APIRequestContext,
  notebookPath: string,
  runId: string
): Promise<StoredSnapshot[]> {
  const folder = await notebookFolder(request, notebookPath);
  const row = (await runRows(request, notebookPath)).find(
    item => item.id === runId
  );
  if (!folder || !row) {
    return [];
  }
  const { pack, blob } = packReader(request, folder);
  type Cell = {
    id: string | null;
    type: string;
    source: number | string;
    outputs: number | string | null;
    count: number | null;
    metadata: Record<string, unknown>;
    pack: string;
  };
  const found: {
    run: string;
    time: number;
    nbformat: number;
    metadata: any;
    cells: Cell[];
  }[] = [];
  for (const name of row.packs) {
    const decoded: (typeof found)[number][] = [];
    for (const snapshot of (await pack(name)).snapshots) {
      const base = snapshot.base === undefined ? null : decoded[snapshot.base];
      const cells: Cell[] = [];
      for (const item of snapshot.cells) {
        if (Array.isArray(item)) {
          const [first, last, shift = 0] = item;
          for (const cell of base!.cells.slice(first, last + 1)) {
            cells.push(
              cell.count === null
                ? cell
                : { ...cell, count: cell.count + shift }
            );
          }
          continue;
        }
        const was: Cell | null =
          item.from === undefined ? null : base!.cells[item.from];
        const whole = was === null;
        cells.push({
          id: 'id' in item ? item.id : whole ? null : was.id,
          type: item.type ?? (whole ? 'code' : was.type),
          source: item.source ?? was!.source,
          outputs:
            'outputs' in item ? item.outputs : whole ? null : was.outputs,
          count:
            item.shift !== undefined && was?.count != null
              ? was.count + item.shift
              : 'count' in item
                ? item.count
                : whole
                  ? null
                  : was.count,
          metadata: item.metadata ?? (whole ? {} : was.metadata),
          // A changed cell's unchanged blobs are references of the base's pack.
          pack: name
        });
      }
      decoded.push({
        run: snapshot.run,
        time: snapshot.time,
        nbformat: snapshot.nbformat ?? base?.nbformat ?? 4,
        metadata: snapshot.metadata ?? base?.metadata ?? {},
        cells
      });
    }
    found.push(...decoded.filter(snapshot => snapshot.run === runId));
  }
  found.sort((a, b) => a.time - b.time);
  const snapshots: StoredSnapshot[] = [];
  for (const snapshot of found) {
    const cells: StoredSnapshot['cells'] = [];
    for (const cell of snapshot.cells) {
      const outputs =
        cell.outputs === null ? null : await blob(cell.outputs, cell.pack);
      cells.push({
        id: cell.id,
        type: cell.type,
        source: await blob(cell.source, cell.pack),
        outputs:
          outputs === null
            ? null
            : outputs.map((output: any) =>
                output.output_type === 'execute_result' &&
                output.execution_count === '='
                  ? { ...output, execution_count: cell.count }
                  : output
              ),
        count: cell.count,
        metadata: cell.metadata
      });
    }
    snapshots.push({ ...snapshot, cells });
  }
  return snapshots;
}
