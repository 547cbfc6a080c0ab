// Synthetic recorded runs, written through the Lab's own run store in a
// page as kernel events (docs/CAPTURE.md): the 10,000-run notebook of the
// sidebar benchmark (history.mjs) and of the fault suite's load test
// (ui-tests/faults/load.spec.ts).

/**
 * Write synthetic runs through `window.benchStore` in the page, in batches
 * of `batch` runs (one page.evaluate and one flush each). Every `perSession`
 * runs a new kernel session starts. `points` is the number of `loss` points
 * of each run, sent in events of at most 10,000 as the helper does.
 */
export async function writeRuns(page, { notebookPath, runs, points }) {
  const batch = points > 1000 ? 1 : 500;
  for (let start = 0; start < runs; start += batch) {
    await page.evaluate(
      async ({ notebookPath, start, count, points }) => {
        const store = window.benchStore;
        const PER_SESSION = 100;
        const BASE = Date.UTC(2025, 0, 1) / 1000; // epoch seconds
        const stamp = seconds =>
          new Date(seconds * 1000)
            .toISOString()
            .replace(/[-:]/g, '')
            .replace('.', '');
        const suffix = n => n.toString(36).padStart(6, '0');
        const state = (window.benchSessions ??= new Map());
        for (let i = start; i < start + count; i++) {
          const n = i;
          const sessionIndex = Math.floor(n / PER_SESSION);
          let session = state.get(`${notebookPath}/${sessionIndex}`);
          const events = [];
          let time = BASE + n * 60; // one run a minute
          const push = (kind, fields) =>
            events.push({
              seq: ++session.seq,
              time: (time += 0.5),
              kind,
              ...fields
            });
          if (!session) {
            session = {
              id: `${stamp(time)}-${suffix(sessionIndex)}`,
              seq: 0,
              exec: 0
            };
            state.set(`${notebookPath}/${sessionIndex}`, session);
            push('session', {
              session: session.id,
              env: {
                helper: { version: '0.1.0', loaded_from: 'frontend copy' },
                kernel: {
                  implementation: 'ipykernel',
                  ipykernel: '6.29.5',
                  ipython: '8.30.0'
                },
                language: { name: 'python', version: '3.12.8' },
                platform: {
                  system: 'Linux',
                  release: '6.1.0',
                  machine: 'x86_64',
                  description: 'Linux-6.1.0-x86_64'
                },
                hostname: 'bench',
                user: 'bench',
                cwd: '/home/bench',
                notebook_path: notebookPath,
                cpu_count: 8,
                memory_bytes: 16 * 2 ** 30,
                gpu: null,
                packages: {
                  numpy: '2.2.1',
                  pandas: '2.2.3',
                  'scikit-learn': '1.6.0'
                },
                git: null,
                jupyter: { jupyter_server: '2.15.0', jupyterlab: '4.6.6' },
                env_names: ['HOME', 'PATH', 'LANG'],
                env_values: {}
              }
            });
          }
          const run = `${stamp(time)}-${suffix(n)}`;
          const lr = [0.1, 0.03, 0.01, 0.003, 0.001][n % 5];
          const batchSize = [32, 64, 128][n % 3];
          const param = (name, value, source, detail) => ({
            name,
            value,
            source,
            detail,
            exec: session.exec + 1
          });
          push('run_start', {
            run,
            name: `run-${n + 1}`,
            reason: n % PER_SESSION === 0 ? 'kernel-start' : 'param-changed',
            params: [
              param('lr', lr, 'assignment', null),
              param('batch_size', batchSize, 'assignment', null),
              param('optimizer', n % 2 ? 'adam' : 'sgd', 'assignment', null),
              param('seed', n, 'seed-call', 'np.random.seed')
            ],
            // Every earlier execution of the kernel process.
            inherited: Array.from({ length: session.exec }, (_, k) => k + 1)
          });
          const sources = [
            `lr = ${lr}\nbatch_size = ${batchSize}\nnp.random.seed(${n})`,
            'model = make_model(optimizer)\nhistory = model.fit(X, y, lr=lr, batch_size=batch_size)',
            'for step, loss in enumerate(history):\n    runs.log_metric("loss", loss, step)\nprint(f"accuracy: {model.score(Xv, yv)}")'
          ];
          for (const source of sources) {
            session.exec += 1;
            push('execution', {
              run,
              exec: session.exec,
              cell_id: `cell-${session.exec % 3}`,
              execution_count: session.exec,
              source,
              started: time,
              ended: time + 2,
              outcome: 'ok',
              error: null
            });
          }
          // The loss curve, in events of at most 10,000 points.
          const decay = 1 + (n % 7);
          for (let from = 0; from < points; from += 10000) {
            const values = [];
            for (
              let step = from;
              step < Math.min(points, from + 10000);
              step++
            ) {
              const value =
                2 * Math.exp((-decay * step) / points) +
                0.05 * Math.sin(step + n);
              values.push([value, step, time, session.exec]);
            }
            push('metric', {
              run,
              name: 'loss',
              source: 'explicit',
              points: values
            });
          }
          push('metric', {
            run,
            name: 'accuracy',
            source: 'output',
            points: [
              [
                0.7 + (0.25 * ((n * 7919) % 1000)) / 1000,
                null,
                time,
                session.exec
              ]
            ]
          });
          push('run_end', {
            run,
            status: n % 50 === 49 ? 'failed' : 'finished'
          });
          store.addEvents(notebookPath, events);
        }
        await store.flush();
      },
      { notebookPath, start, count: Math.min(batch, runs - start), points }
    );
  }
}
