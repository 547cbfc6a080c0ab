// Store size for 100 runs of a 40-cell notebook where one cell changes per
// run, against one full copy of the notebook (the .ipynb as the Jupyter
// server saves it, with its outputs).
//
// bench/notebook_runs.py runs the notebook for real (in-process IPython with
// the kernel helper's Recorder attached) and writes down the calls the capture
// plugin makes on the store: kernel events, outputs, snapshots, run ends.
// They are replayed here through the Lab's own RunStore (the service of the
// `jupyterlab-runs:store` plugin) in Chromium, which writes through the
// Contents API to the server's disk, where the store folder is measured.
//
//   node bench/store-size.mjs [--port 8871] [--runs 100] [--scenarios restart,same-kernel] [--json]
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync
} from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { REPO, exposeRunStore, log, options, withLab } from './lab.mjs';

const opts = options({
  port: 8871,
  runs: 100,
  scenarios: 'restart,same-kernel',
  json: false
});
const TARGET = 3;
const NOTEBOOK = 'churn.ipynb';
const WORK = path.join(REPO, 'build', 'bench', 'store-size');
const STORE = 'jupyter-runs';

// 1. Record the runs (before the Lab starts: it needs both cores).
const recordings = {};
mkdirSync(path.join(WORK, 'python'), { recursive: true });
for (const scenario of opts.scenarios.split(',')) {
  const file = path.join(WORK, 'python', `${scenario}.json`);
  log(`recording ${opts.runs} runs (${scenario}) with the kernel helper…`);
  const run = spawnSync(
    path.join(REPO, 'build', 'venvs', 'dev', 'bin', 'python'),
    [
      path.join(REPO, 'bench', 'notebook_runs.py'),
      '--scenario',
      scenario,
      '--runs',
      String(opts.runs),
      '--out',
      file
    ],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        IPYTHONDIR: path.join(WORK, 'python', 'ipython'),
        MPLCONFIGDIR: path.join(WORK, 'python', 'matplotlib')
      }
    }
  );
  if (run.status !== 0) {
    throw new Error(`bench/notebook_runs.py --scenario ${scenario} failed`);
  }
  recordings[scenario] = JSON.parse(readFileSync(file, 'utf8'));
}

// Sizes of the files under a folder: apparent bytes (what the issue compares),
// allocated bytes (du), and bytes per kind of store file.
function measure(folder) {
  const total = { bytes: 0, allocated: 0, files: 0, kinds: {} };
  const walk = dir => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      const stat = statSync(full);
      const rel = path.relative(folder, full).split(path.sep);
      // store.json, or a notebook's index (head and segments) and packs;
      // a compressed file is in one of two slots, x.a.json.gz or x.b.json.gz.
      const kind = (rel[0] !== 'notebooks' ? rel[0] : rel[2]).replace(
        /(\.[ab])?\.json(\.gz)?$/,
        ''
      );
      total.bytes += stat.size;
      total.allocated += stat.blocks * 512;
      total.files += 1;
      total.kinds[kind] = (total.kinds[kind] ?? 0) + stat.size;
    }
  };
  walk(folder);
  total.pack_parts = packParts(folder);
  return total;
}

// What the packs hold, by part: the bytes of each part's JSON, and of that
// JSON gzipped on its own (parts compress better together, so these only
// say which parts weigh most).
function packParts(folder) {
  const parts = {};
  const walk = dir => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (/\/packs\/[^/]+\.[ab]\.json\.gz$/.test(full)) {
        const bytes = readFileSync(full);
        if (bytes.length === 0) {
          continue;
        }
        const pack = JSON.parse(gunzipSync(bytes).toString('utf8'));
        const columns = {};
        for (const block of pack.runs) {
          for (const key of ['executions', 'outputs', 'metrics', 'params']) {
            (columns[`runs.${key}`] ??= []).push(block[key]);
          }
          const { executions, outputs, metrics, params, ...rest } = block;
          (columns['runs.other'] ??= []).push(rest);
        }
        for (const key of ['blobs', 'sessions', 'snapshots']) {
          columns[key] = pack[key];
        }
        for (const [key, value] of Object.entries(columns)) {
          const json = Buffer.from(JSON.stringify(value));
          const part = (parts[key] ??= { json: 0, gzip_alone: 0 });
          part.json += json.length;
          part.gzip_alone += gzipSync(json).length;
        }
      }
    }
  };
  walk(folder);
  return parts;
}

// 2. Replay each recording through the Lab's RunStore, one fresh store each.
const result = await withLab(
  { port: opts.port, work: path.join(WORK, 'lab') },
  async ({ page, root, api, open }) => {
    const scenarios = {};
    let oneCopy = null;
    for (const [scenario, recording] of Object.entries(recordings)) {
      rmSync(path.join(root, STORE), { recursive: true, force: true });
      // The full copy: the last run's notebook, saved by the server.
      await api.putNotebook(NOTEBOOK, recording.notebook);
      oneCopy ??= statSync(path.join(root, NOTEBOOK)).size;
      await open(); // a fresh page: a fresh RunStore
      await exposeRunStore(page);
      const started = Date.now();
      const CHUNK = 10; // runs per page.evaluate; the store is flushed after each chunk
      for (let first = 0; first < recording.runs.length; first += CHUNK) {
        await page.evaluate(
          async ({ runs, notebookPath }) => {
            const store = window.benchStore;
            for (const steps of runs) {
              for (const [kind, value] of steps) {
                if (kind === 'events') store.addEvents(notebookPath, value);
                else if (kind === 'outputs')
                  store.addOutputs(notebookPath, value);
                else if (kind === 'snapshot')
                  store.saveSnapshot(notebookPath, value);
                else if (kind === 'end')
                  store.endRun(notebookPath, value, 'finished');
              }
            }
            await store.flush();
          },
          {
            runs: recording.runs.slice(first, first + CHUNK),
            notebookPath: NOTEBOOK
          }
        );
      }
      log(
        `${scenario}: ${recording.runs.length} runs written by the RunStore in ${((Date.now() - started) / 1000).toFixed(1)} s`
      );
      // Check the store lists every run, as the Runs panel would.
      const listed = await page.evaluate(
        p => window.benchStore.listRuns(p),
        NOTEBOOK
      );
      scenarios[scenario] = {
        runs_listed: listed.runs.length,
        problems: listed.problems.length,
        ...measure(path.join(root, STORE))
      };
    }
    return { one_copy_bytes: oneCopy, scenarios };
  }
);

for (const entry of Object.values(result.scenarios)) {
  entry.ratio = entry.bytes / result.one_copy_bytes;
  entry.holds = entry.ratio <= TARGET;
}
result.runs = opts.runs;
result.target = TARGET;
result.copies_bytes = opts.runs * result.one_copy_bytes;

if (opts.json) {
  console.log(JSON.stringify(result));
} else {
  const kb = bytes => `${(bytes / 1024).toFixed(1)} kB`;
  console.log(
    `one full copy of ${NOTEBOOK}: ${kb(result.one_copy_bytes)}; ${opts.runs} full copies: ${kb(result.copies_bytes)}`
  );
  for (const [scenario, entry] of Object.entries(result.scenarios)) {
    console.log(
      `${scenario}: store ${kb(entry.bytes)} in ${entry.files} files (${kb(entry.allocated)} on disk), ` +
        `${entry.ratio.toFixed(1)}× one copy (target ≤ ${TARGET}×: ${entry.holds ? 'yes' : 'NO'}); ` +
        `${entry.runs_listed} runs listed, ${entry.problems} problems`
    );
    console.log(
      '  ' +
        Object.entries(entry.kinds)
          .sort((a, b) => b[1] - a[1])
          .map(([kind, bytes]) => `${kind} ${kb(bytes)}`)
          .join(', ')
    );
  }
}
