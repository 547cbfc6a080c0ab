// Run history at scale, each figure against a baseline measured in the same
// run (issue 3):
//
//   - the Runs sidebar with 10,000 runs of one notebook: time from the
//     `jupyterlab-runs:show-panel` command to the first row on screen, in a
//     fresh browser context (cold: nothing in IndexedDB or the HTTP cache)
//     and after a reload of that context (warm), against one bare Contents
//     API listing of the store's notebooks folder;
//   - the compare view of 20 runs × 100,000 metric points: time from the
//     `jupyterlab-runs:compare-runs` command to the first chart drawn and to
//     every chart drawn, and the longest main-thread task meanwhile, against
//     the same comparison of 20 runs × 1,000 points (what the chart draws
//     per series once downsampled: the ratio is the cost of the stored
//     points);
//   - the extension's start-up bundle: the gzipped bytes of the files the
//     browser fetched from /lab/extensions/jupyterlab-runs/ while the Lab
//     started, against those fetched later for the first chart (vega).
//
// All runs are written through the Lab's own RunStore in the page, as
// synthetic kernel events (docs/CAPTURE.md).
//
//   node bench/history.mjs [--port 8872] [--runs 10000] [--points 100000] [--samples 3] [--json]
//                          [--profile compare.cpuprofile]
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  REPO,
  exposeRunStore,
  log,
  median,
  openLab,
  options,
  sleep,
  withLab
} from './lab.mjs';
import { writeRuns } from './synthetic-runs.mjs';

const opts = options({
  port: 8872,
  runs: 10000,
  points: 100000,
  'compare-runs': 20,
  'baseline-points': 1000,
  samples: 3,
  json: false,
  // A file to write a CPU profile (Chrome DevTools format) of one comparison
  // of the big runs to: where the time goes.
  profile: ''
});
const TARGETS = {
  warm_ms: 300,
  cold_ms: 3000,
  chart_ms: 1000,
  longest_task_ms: 200,
  startup_kb_gz: 150
};
const STORE = 'jupyter-runs';
const HISTORY = 'history.ipynb';
const COMPARE = 'compare.ipynb';
const COMPARE_SMALL = 'compare-small.ipynb';
const STATIC = path.join(REPO, 'jupyterlab_runs', 'labextension', 'static');
const EXTENSION_URL = '/lab/extensions/jupyterlab-runs/';
const PANEL_ID = 'jupyterlab-runs-panel';

// The notebook the sidebar follows. Tracking is off in its metadata so that
// its kernel adds no run while the sidebar is measured.
const notebook = {
  cells: [
    {
      cell_type: 'code',
      id: 'train',
      metadata: {},
      source: 'lr = 0.01\nseed = 0\nloss = train(lr, seed)',
      outputs: [],
      execution_count: null
    }
  ],
  metadata: {
    kernelspec: {
      display_name: 'Python 3 (ipykernel)',
      language: 'python',
      name: 'python3'
    },
    jupyterlab_runs: { tracking: false }
  },
  nbformat: 4,
  nbformat_minor: 5
};

/** The runs of a notebook as the store lists them, newest first. */
const listRuns = (page, notebookPath) =>
  page.evaluate(async p => {
    const list = await window.benchStore.listRuns(p);
    return { ids: list.runs.map(run => run.id), problems: list.problems };
  }, notebookPath);

/**
 * In a Lab page whose Runs panel is hidden: show it with its command and
 * time until its first row is on screen (the animation frame that paints
 * it), in ms; also say how many rows the table has then.
 */
const timeSidebar = page =>
  page.evaluate(
    ({ panelId }) =>
      new Promise((resolve, reject) => {
        const app = window.jupyterapp;
        const started = performance.now();
        performance.mark('runs-show-panel');
        const deadline = started + 60000;
        const check = () => {
          const row = document.querySelector(`#${panelId} .jp-RunsPanel-item`);
          if (row && row.getClientRects().length > 0) {
            const now = performance.now();
            performance.measure('runs-first-row', 'runs-show-panel');
            const grid = document.querySelector(`#${panelId} [role="grid"]`);
            resolve({
              ms: now - started,
              rowCount: Number(grid?.getAttribute('aria-rowcount') ?? 1) - 1,
              rowsInDom: document.querySelectorAll(
                `#${panelId} .jp-RunsPanel-item`
              ).length
            });
          } else if (performance.now() > deadline) {
            reject(new Error('no run row within 60 s'));
          } else {
            requestAnimationFrame(check);
          }
        };
        void app.commands.execute('jupyterlab-runs:show-panel');
        requestAnimationFrame(check);
      }),
    { panelId: PANEL_ID }
  );

/**
 * Open the Lab on the history notebook in `page`, wait until its kernel is
 * idle and the page is quiet, check the Runs panel is hidden.
 */
async function openHistory(page, base) {
  await openLab(page, `${base}/lab/tree/${HISTORY}?reset`);
  await page.waitForFunction(
    path => {
      const panel = [...window.jupyterapp.shell.widgets('main')].find(
        w => w.context?.path === path
      );
      return panel?.sessionContext.session?.kernel?.status === 'idle';
    },
    HISTORY,
    { timeout: 90000 }
  );
  await sleep(1000);
  const shown = await page.evaluate(
    id => document.getElementById(id)?.checkVisibility?.() ?? false,
    PANEL_ID
  );
  if (shown) {
    throw new Error('the Runs panel is already shown after the Lab started');
  }
}

/**
 * Run the compare command on `refs` and time it: the first chart drawn (its
 * canvas has a painted pixel), every chart drawn, and the long tasks
 * (≥ 50 ms, Long Tasks API) from the command until every chart is drawn.
 * The comparison is closed afterwards.
 */
const timeCompare = (page, refs) =>
  page.evaluate(
    refs =>
      new Promise((resolve, reject) => {
        const app = window.jupyterapp;
        const tasks = [];
        const observer = new PerformanceObserver(list =>
          tasks.push(...list.getEntries())
        );
        observer.observe({ type: 'longtask' });
        const painted = canvas => {
          if (!canvas || canvas.width === 0 || canvas.height === 0) {
            return false;
          }
          const { data } = canvas
            .getContext('2d')
            .getImageData(0, 0, canvas.width, canvas.height);
          for (let i = 3; i < data.length; i += 4 * 7) {
            if (data[i] !== 0) {
              return true;
            }
          }
          return false;
        };
        let widget = null;
        let first = null;
        const started = performance.now();
        const deadline = started + 180000;
        const check = () => {
          const now = performance.now();
          const charts = widget
            ? [...widget.node.querySelectorAll('.jp-RunsChart')]
            : [];
          const drawn = charts.filter(chart =>
            painted(chart.querySelector('canvas'))
          );
          if (first === null && drawn.length > 0) {
            first = now - started;
          }
          if (charts.length > 0 && drawn.length === charts.length) {
            const all = now - started;
            // Let the last task end before reading the long tasks.
            setTimeout(() => {
              tasks.push(...observer.takeRecords());
              observer.disconnect();
              const within = tasks.filter(
                task =>
                  task.startTime >= started && task.startTime <= started + all
              );
              const failures = [
                ...widget.node.querySelectorAll('.jp-RunsChart-failure')
              ].map(node => node.textContent);
              widget.dispose();
              resolve({
                first_ms: first,
                all_ms: all,
                charts: charts.length,
                failures,
                longest_task_ms: Math.max(
                  0,
                  ...within.map(task => task.duration)
                ),
                long_tasks: within.length,
                long_task_total_ms: within.reduce(
                  (sum, task) => sum + task.duration,
                  0
                )
              });
            }, 300);
          } else if (now > deadline) {
            observer.disconnect();
            reject(
              new Error(
                `charts not drawn within 180 s (${drawn.length}/${charts.length})`
              )
            );
          } else {
            requestAnimationFrame(check);
          }
        };
        app.commands
          .execute('jupyterlab-runs:compare-runs', { runs: refs })
          .then(w => {
            widget = w;
            requestAnimationFrame(check);
          }, reject);
      }),
    refs
  );

const gzipBytes = file =>
  gzipSync(readFileSync(path.join(STATIC, file)), { level: 9 }).length;

// Requests to the extension's files, by the phase they were made in.
const requests = new Map(); // file name -> phase
let phase = 'startup';
const watch = page =>
  page.on('request', request => {
    const url = new URL(request.url());
    if (url.pathname.startsWith(EXTENSION_URL)) {
      const file = path.basename(url.pathname);
      if (!requests.has(file)) {
        requests.set(file, phase);
      }
    }
  });

const result = await withLab(
  {
    port: opts.port,
    work: path.join(REPO, 'build', 'bench', 'history'),
    url: '/lab?reset'
  },
  async ({ page, base, root, api, open }) => {
    const browser = page.context().browser();
    await api.putNotebook(HISTORY, notebook);

    // 1. The store: `runs` runs of one notebook (setup, timed).
    await open();
    await exposeRunStore(page);
    let started = Date.now();
    await writeRuns(page, {
      notebookPath: HISTORY,
      runs: opts.runs,
      points: 20
    });
    const generateSeconds = (Date.now() - started) / 1000;
    const listed = await listRuns(page, HISTORY);
    log(
      `${listed.ids.length} runs of ${HISTORY} written in ${generateSeconds.toFixed(1)} s (${listed.problems.length} problems)`
    );
    if (listed.ids.length !== opts.runs) {
      throw new Error(`${listed.ids.length} runs listed, ${opts.runs} written`);
    }

    // 2. The baseline: one bare Contents API listing, timed in the page.
    const listingUrl = `/api/contents/${STORE}/notebooks?content=1`;
    const listings = await page.evaluate(async url => {
      const times = [];
      for (let i = 0; i < 9; i++) {
        const t0 = performance.now();
        const response = await fetch(url, { cache: 'no-store' });
        await response.json();
        times.push(performance.now() - t0);
      }
      return times.slice(2); // two untimed: connection and server warm-up
    }, listingUrl);
    const listingMs = median(listings);
    log(
      `baseline: GET ${listingUrl} in ${listingMs.toFixed(1)} ms (median of ${listings.length})`
    );
    await page.close();

    // 3. The sidebar: cold in a fresh context, then warm after a reload.
    const cold = [];
    const warm = [];
    let rowCount = null;
    let cachedListMs = null;
    for (let sample = 0; sample < opts.samples; sample++) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 }
      });
      const fresh = await context.newPage();
      if (sample === 0) {
        watch(fresh);
      }
      await openHistory(fresh, base);
      phase = 'sidebar';
      const c = await timeSidebar(fresh);
      cold.push(c.ms);
      rowCount = c.rowCount;
      await sleep(1500); // the run list lands in IndexedDB
      await openHistory(fresh, base);
      const w = await timeSidebar(fresh);
      warm.push(w.ms);
      if (sample === 0) {
        // What reading the run list cached in IndexedDB alone takes.
        await exposeRunStore(fresh);
        cachedListMs = await fresh.evaluate(async p => {
          const t0 = performance.now();
          const cached = await window.benchStore.cachedRuns(p);
          return cached ? performance.now() - t0 : null;
        }, HISTORY);
      }
      log(
        `sidebar sample ${sample + 1}: cold ${c.ms.toFixed(0)} ms, warm ${w.ms.toFixed(0)} ms ` +
          `(${c.rowCount} rows in the table, ${c.rowsInDom} in the DOM)`
      );
      await context.close();
      phase = 'later';
    }

    // 4. The compare view: 20 runs × `points` points, and 20 × 1,000.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 }
    });
    const comparePage = await context.newPage();
    watch(comparePage);
    await openLab(comparePage, `${base}/lab?reset`);
    await exposeRunStore(comparePage);
    started = Date.now();
    await writeRuns(comparePage, {
      notebookPath: COMPARE,
      runs: opts['compare-runs'],
      points: opts.points
    });
    await writeRuns(comparePage, {
      notebookPath: COMPARE_SMALL,
      runs: opts['compare-runs'],
      points: opts['baseline-points']
    });
    log(
      `compare runs written in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `${opts['compare-runs']} × ${opts.points} and ${opts['compare-runs']} × ${opts['baseline-points']} points`
    );
    const refs = async notebookPath =>
      (await listRuns(comparePage, notebookPath)).ids.map(runId => ({
        notebookPath,
        runId
      }));
    const big = await refs(COMPARE);
    const small = await refs(COMPARE_SMALL);
    if (
      big.length !== opts['compare-runs'] ||
      small.length !== opts['compare-runs']
    ) {
      throw new Error(`compare runs listed: ${big.length} and ${small.length}`);
    }
    // A clean page for the timings.
    await openLab(comparePage, `${base}/lab?reset`);
    await sleep(1000);
    // The first comparison loads vega: untimed for the ratio, reported.
    phase = 'first-chart';
    const firstEver = await timeCompare(comparePage, small);
    phase = 'later';
    log(`first comparison (loads vega): ${firstEver.all_ms.toFixed(0)} ms`);
    const compare = { big: [], small: [] };
    for (let sample = 0; sample < opts.samples; sample++) {
      for (const [name, set] of sample % 2
        ? [
            ['small', small],
            ['big', big]
          ]
        : [
            ['big', big],
            ['small', small]
          ]) {
        await sleep(500);
        const timing = await timeCompare(comparePage, set);
        if (timing.failures.length) {
          throw new Error(`a chart failed: ${timing.failures.join('; ')}`);
        }
        compare[name].push(timing);
        log(
          `compare ${name}: first chart ${timing.first_ms.toFixed(0)} ms, all ${timing.charts} charts ` +
            `${timing.all_ms.toFixed(0)} ms, longest task ${timing.longest_task_ms.toFixed(0)} ms (${timing.long_tasks} long tasks)`
        );
      }
    }
    if (opts.profile) {
      const cdp = await context.newCDPSession(comparePage);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      await timeCompare(comparePage, big);
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(opts.profile, JSON.stringify(profile));
      log(`CPU profile of one comparison: ${opts.profile}`);
    }
    // How much of it is reading: the 20 runs through the store, as the
    // comparison does (Promise.all of readRun), without drawing.
    await exposeRunStore(comparePage);
    const readMs = async set => {
      const times = [];
      for (let sample = 0; sample < opts.samples; sample++) {
        times.push(
          await comparePage.evaluate(async refs => {
            const t0 = performance.now();
            await Promise.all(
              refs.map(ref =>
                window.benchStore.readRun(ref.notebookPath, ref.runId, {
                  inherited: false
                })
              )
            );
            return performance.now() - t0;
          }, set)
        );
      }
      return median(times);
    };
    const readBig = await readMs(big);
    const readSmall = await readMs(small);
    log(
      `reading the compared runs alone: ${readBig.toFixed(0)} ms (${readSmall.toFixed(0)} ms for the baseline)`
    );
    await context.close();

    return {
      generate_seconds: generateSeconds,
      store_files: countFiles(path.join(root, STORE)),
      listing_ms: listingMs,
      sidebar: {
        runs: opts.runs,
        rows: rowCount,
        cold_ms: median(cold),
        warm_ms: median(warm),
        cold_samples: cold,
        warm_samples: warm,
        idb_cached_list_ms: cachedListMs
      },
      compare: {
        first_ever_ms: firstEver.all_ms,
        read_ms: readBig,
        baseline_read_ms: readSmall,
        charts: compare.big[0].charts,
        ...summarise(compare.big, ''),
        ...summarise(compare.small, 'baseline_')
      }
    };
  }
);

function summarise(timings, prefix) {
  return {
    [`${prefix}first_chart_ms`]: median(timings.map(t => t.first_ms)),
    [`${prefix}all_charts_ms`]: median(timings.map(t => t.all_ms)),
    [`${prefix}longest_task_ms`]: Math.max(
      ...timings.map(t => t.longest_task_ms)
    ),
    [`${prefix}long_tasks`]: median(timings.map(t => t.long_tasks))
  };
}

function countFiles(folder) {
  let files = 0;
  let bytes = 0;
  const walk = dir => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        files += 1;
        bytes += statSync(full).size;
      }
    }
  };
  walk(folder);
  return { files, bytes };
}

// 5. The bundle: what the browser fetched from the extension at start-up,
// and for the first chart, gzipped (level 9) from the built files.
const byPhase = {};
for (const [file, when] of requests) {
  (byPhase[when] ??= []).push({ file, gz: gzipBytes(file) });
}
const all = readdirSync(STATIC).filter(file => file.endsWith('.js'));
const sumKb = files => (files ?? []).reduce((sum, f) => sum + f.gz, 0) / 1024;
const remoteEntry = all.find(file => file.startsWith('remoteEntry.'));
result.bundle = {
  production: !readFileSync(path.join(STATIC, remoteEntry), 'utf8').includes(
    '!*** '
  ),
  startup_kb_gz: sumKb(byPhase.startup),
  startup_files: (byPhase.startup ?? []).map(f => f.file).sort(),
  first_chart_kb_gz: sumKb(byPhase['first-chart']),
  first_chart_files: (byPhase['first-chart'] ?? []).map(f => f.file).sort(),
  other_phases: Object.fromEntries(
    Object.entries(byPhase)
      .filter(([when]) => !['startup', 'first-chart'].includes(when))
      .map(([when, files]) => [when, files.map(f => f.file)])
  ),
  all_js_kb_gz: all.reduce((sum, file) => sum + gzipBytes(file), 0) / 1024
};

const s = result.sidebar;
const c = result.compare;
s.cold_ratio = s.cold_ms / result.listing_ms;
s.warm_ratio = s.warm_ms / result.listing_ms;
c.first_chart_ratio = c.first_chart_ms / c.baseline_first_chart_ms;
c.all_charts_ratio = c.all_charts_ms / c.baseline_all_charts_ms;
result.targets = TARGETS;
result.holds = {
  warm: s.warm_ms <= TARGETS.warm_ms,
  cold: s.cold_ms <= TARGETS.cold_ms,
  chart: c.first_chart_ms <= TARGETS.chart_ms,
  longest_task: c.longest_task_ms <= TARGETS.longest_task_ms,
  startup_bundle: result.bundle.production
    ? result.bundle.startup_kb_gz <= TARGETS.startup_kb_gz
    : null
};
result.points = opts.points;
result.baseline_points = opts['baseline-points'];
result.compare_runs = opts['compare-runs'];
result.samples = opts.samples;

if (opts.json) {
  console.log(JSON.stringify(result));
} else {
  const ms = value => `${value.toFixed(0)} ms`;
  const yes = holds => (holds === null ? 'n/a' : holds ? 'yes' : 'NO');
  const b = result.bundle;
  console.log(
    [
      `store: ${s.runs} runs written in ${result.generate_seconds.toFixed(1)} s ` +
        `(${result.store_files.files} files, ${(result.store_files.bytes / 1048576).toFixed(1)} MB); baseline listing ${result.listing_ms.toFixed(1)} ms`,
      `sidebar cold (median of ${opts.samples}): ${ms(s.cold_ms)}, ${s.cold_ratio.toFixed(0)}× the listing (target ≤ ${TARGETS.cold_ms} ms: ${yes(result.holds.cold)})`,
      `sidebar warm (median of ${opts.samples}): ${ms(s.warm_ms)}, ${s.warm_ratio.toFixed(0)}× the listing (target ≤ ${TARGETS.warm_ms} ms: ${yes(result.holds.warm)})`,
      `  ${s.rows} rows in the table; reading the IndexedDB run-list cache alone: ${s.idb_cached_list_ms === null ? 'no cache' : ms(s.idb_cached_list_ms)}`,
      `compare ${result.compare_runs} × ${result.points} points: first chart ${ms(c.first_chart_ms)} (${c.first_chart_ratio.toFixed(2)}× ${result.baseline_points} points: ${ms(c.baseline_first_chart_ms)}; target ≤ ${TARGETS.chart_ms} ms: ${yes(result.holds.chart)})`,
      `  all ${c.charts} charts ${ms(c.all_charts_ms)} (${c.all_charts_ratio.toFixed(2)}× ${ms(c.baseline_all_charts_ms)}); longest task ${ms(c.longest_task_ms)} (baseline ${ms(c.baseline_longest_task_ms)}; target ≤ ${TARGETS.longest_task_ms} ms: ${yes(result.holds.longest_task)})`,
      `  reading the ${result.compare_runs} runs alone: ${ms(c.read_ms)} (baseline ${ms(c.baseline_read_ms)}); the first comparison of the page (loads vega, ${result.baseline_points} points): ${ms(c.first_ever_ms)}`,
      `start-up bundle${b.production ? '' : ' (DEVELOPMENT build: run npm run build:prod)'}: ${b.startup_kb_gz.toFixed(1)} KB gz in ${b.startup_files.length} files ` +
        `(target ≤ ${TARGETS.startup_kb_gz} KB: ${yes(result.holds.startup_bundle)}); first chart: ${b.first_chart_kb_gz.toFixed(1)} KB gz in ${b.first_chart_files.length} files; all JS ${b.all_js_kb_gz.toFixed(1)} KB gz`
    ].join('\n')
  );
}
