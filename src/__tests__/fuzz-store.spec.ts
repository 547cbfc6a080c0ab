import { MemoryLocalStore } from '../store/local';
import { notebookKey, StoreLayout } from '../store/paths';
import type { RunStore } from '../store/store';
import type { IRunsSettings, Runs } from '../tokens';
import type { IStoreSlots, Mutation } from './fuzz-mutations';
import { mutateStoreFile, prng } from './fuzz-mutations';
import { reportFaultRow } from './fault-results';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  createTestStore,
  FakeJupyterServer,
  installCompression,
  installWebCrypto
} from './store-server';

const STORE = 'jupyter-runs';
const NOTEBOOKS = [
  'analysis/train.ipynb',
  'eval.ipynb',
  'deep/er/sweep one.ipynb'
];
/** Set FUZZ_SEED to replay a failure. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const ROUNDS = 250;
const PER_ROUND = 4;

type Entries = FakeJupyterServer['entries'];

/**
 * A copy of a server's files that mutations cannot reach back into.
 */
function cloneEntries(from: Entries): Entries {
  const copy: Entries = new Map();
  for (const [path, entry] of from) {
    copy.set(
      path,
      entry.type === 'file'
        ? { ...entry, bytes: Buffer.from(entry.bytes) }
        : { ...entry }
    );
  }
  return copy;
}

/**
 * The slot files of a fake server's entries, as the mutations see them.
 */
function slotsIn(entries: Entries): IStoreSlots {
  return {
    read: slot => {
      const entry = entries.get(slot);
      return entry?.type === 'file' ? entry.bytes : undefined;
    },
    write: (slot, bytes) => {
      const entry = entries.get(slot);
      if (entry?.type === 'file') {
        entries.set(slot, { ...entry, bytes });
      }
    }
  };
}

describe('RunStore', () => {
  describe(`fuzzed store files (seed ${SEED})`, () => {
    let settings: IRunsSettings;
    let recorded: Entries;
    let layout: StoreLayout;
    /** Logical store files (`x.json.gz`) that can be mutated. */
    let targets: string[];
    /** Notebook → run id → the files its row lives in. */
    const rowFiles = new Map<string, Map<string, string>>();
    /** Pack file → the notebook and runs that name it. */
    const packRuns = new Map<string, { notebook: string; runs: string[] }>();
    const baseline = new Map<string, string[]>();
    let warn: jest.SpyInstance;

    beforeAll(async () => {
      installWebCrypto();
      installCompression();
      warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      settings = await resolveRunsSettings(createSettingRegistry());
      layout = new StoreLayout(settings.config.storeFolder);
      const server = new FakeJupyterServer();
      const store = createTestStore(server, settings);
      let number = 0;
      for (const [n, notebook] of NOTEBOOKS.entries()) {
        const kernel = new KernelEvents(`session-${n}`);
        const events: Runs.KernelEvent[] = [kernel.session_()];
        for (let r = 0; r < 7; r++) {
          const run = `run-${n}-${r}`;
          number += 1;
          events.push(
            kernel.runStart(run, { seed: number, lr: 0.1 * r, tag: 'x' }),
            kernel.execution(run, 1, `seed = ${number}`),
            kernel.execution(run, 2, 'model.fit(X, y)'),
            kernel.metric(run, 'rmse', [7.5, 6.6 - r]),
            kernel.tag(run, 'stage', `s${r}`)
          );
          if (n === 0 && r === 1) {
            events.push(
              kernel.metric(
                run,
                'loss',
                Array.from({ length: 1500 }, (_, i) => 1 / (i + 1))
              )
            );
          }
          events.push(kernel.runEnd(run));
        }
        store.addEvents(notebook, events);
        await store.flush();
        for (let r = 0; r < 7; r += 2) {
          store.saveSnapshot(notebook, {
            run: `run-${n}-${r}`,
            time: 1_700_000_100_000 + r,
            notebook: {
              nbformat: 4,
              nbformat_minor: 5,
              metadata: {},
              cells: [
                {
                  id: 'c1',
                  cell_type: 'code',
                  metadata: {},
                  source: `seed = ${r}`,
                  execution_count: r,
                  outputs: []
                }
              ]
            }
          });
        }
        await store.flush();
        await store.updateRun(notebook, `run-${n}-0`, {
          name: 'baseline',
          note: 'first',
          tags: { model: 'rf' },
          pinned: true
        });
        await store.deleteRun(notebook, `run-${n}-6`);
        await store.flush();
      }
      store.dispose();
      expect(server.requests.filter(r => r.method === 'PUT')).not.toEqual([]);
      for (const request of server.requests) {
        if (request.method !== 'GET' && request.path !== layout.folder) {
          expect(`${request.method} ${request.path}`).toBe(
            layout.contains(request.path)
              ? `${request.method} ${request.path}`
              : 'inside the store'
          );
        }
      }

      // Move the oldest rows of the first notebook into an index segment,
      // as a store with more than 2,000 runs has.
      const key = await notebookKey(NOTEBOOKS[0]);
      const headPath = `${STORE}/notebooks/${key}/index.json.gz`;
      const head = JSON.parse(server.storeText(headPath)!);
      const sealed = head.runs.splice(-3);
      head.segments = [{ segment: 0, count: sealed.length }];
      server.plantStore(headPath, JSON.stringify(head));
      server.plantStore(
        `${STORE}/notebooks/${key}/index/0.json.gz`,
        JSON.stringify({
          format: 'jupyterlab-runs/index-segment',
          version: 2,
          notebookPath: NOTEBOOKS[0],
          segment: 0,
          runs: sealed
        })
      );

      recorded = cloneEntries(server.entries);
      targets = server.storeFiles(STORE).filter(p => p.endsWith('.json.gz'));
      for (const notebook of NOTEBOOKS) {
        const folder = `${STORE}/notebooks/${await notebookKey(notebook)}`;
        const rows = new Map<string, string>();
        for (const file of targets.filter(
          p => p.startsWith(`${folder}/index`) && !p.includes('annotations')
        )) {
          for (const row of JSON.parse(server.storeText(file)!).runs) {
            rows.set(row.id, file);
            for (const pack of row.packs) {
              const packFile = `${folder}/packs/${pack}.json.gz`;
              const entry = packRuns.get(packFile) ?? { notebook, runs: [] };
              entry.runs.push(row.id);
              packRuns.set(packFile, entry);
            }
          }
        }
        rowFiles.set(notebook, rows);
      }
      expect(targets.some(p => p.includes('/points/'))).toBe(true);
      expect(targets.some(p => p.includes('/index/0'))).toBe(true);
      expect(targets.some(p => p.includes('annotations'))).toBe(true);
    });

    afterAll(() => {
      warn.mockRestore();
    });

    /**
     * A fresh store (and a fresh local cache) over a copy of the recorded
     * files.
     */
    function fresh(entries: Entries): {
      server: FakeJupyterServer;
      store: RunStore;
    } {
      const server = new FakeJupyterServer();
      server.entries.clear();
      for (const [path, entry] of entries) {
        server.entries.set(path, entry);
      }
      return {
        server,
        store: createTestStore(server, settings, new MemoryLocalStore())
      };
    }

    /**
     * Everything a reader asks of a store: what was listed, and the problem
     * lines of each read.
     */
    async function readAll(store: RunStore): Promise<{
      listed: Map<string, string[]>;
      listProblems: Map<string, string[]>;
      runProblems: Map<string, string[]>;
      notebooks: string[];
    }> {
      const notebooks = await store.listNotebooks();
      const listed = new Map<string, string[]>();
      const listProblems = new Map<string, string[]>();
      const runProblems = new Map<string, string[]>();
      for (const notebook of NOTEBOOKS) {
        const list = await store.listRuns(notebook);
        expect(new Set(list.problems).size).toBe(list.problems.length);
        listed.set(
          notebook,
          list.runs.map(run => run.id)
        );
        listProblems.set(notebook, [...list.problems]);
        for (const run of list.runs) {
          const read = await store.readRun(notebook, run.id, {
            allPoints: true
          });
          const snapshots = await store.readSnapshots(notebook, run.id);
          for (const line of [...read.problems, ...snapshots.problems]) {
            expect(typeof line).toBe('string');
          }
          runProblems.set(`${notebook}\n${run.id}`, [
            ...read.problems,
            ...snapshots.problems
          ]);
        }
      }
      return { listed, listProblems, runProblems, notebooks };
    }

    /**
     * Damage one store file of `entries` (both slots are at hand).
     */
    function mutate(
      entries: Entries,
      path: string,
      random: () => number
    ): Mutation {
      return mutateStoreFile(slotsIn(entries), path, random, {
        paths: targets,
        recorded: slotsIn(recorded)
      });
    }

    it('should read the recorded store without problems', async () => {
      const { server, store } = fresh(cloneEntries(recorded));
      const all = await readAll(store);
      store.dispose();
      expect(all.notebooks).toEqual([...NOTEBOOKS].sort());
      for (const notebook of NOTEBOOKS) {
        expect(all.listProblems.get(notebook)).toEqual([]);
        expect(all.listed.get(notebook)).toHaveLength(6);
        baseline.set(notebook, all.listed.get(notebook)!);
      }
      for (const problems of all.runProblems.values()) {
        expect(problems).toEqual([]);
      }
      expect(server.requests.filter(r => r.method !== 'GET')).toEqual([]);
    });

    it(`should survive ${ROUNDS * PER_ROUND} random mutations (seed ${SEED})`, async () => {
      const startedAt = Date.now();
      const random = prng(SEED);
      const counts = {
        seed: SEED,
        mutations: 0,
        filesDamaged: 0,
        runsListed: 0,
        problemLines: 0,
        exceptions: 0,
        byKind: {} as Record<string, number>
      };
      const failures: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const entries = cloneEntries(recorded);
        const touched = new Map<string, Mutation>();
        const pool = [...targets];
        for (let i = 0; i < PER_ROUND; i++) {
          const path = pool.splice(Math.floor(random() * pool.length), 1)[0];
          const mutation = mutate(entries, path, random);
          touched.set(path, mutation);
          counts.mutations += 1;
          counts.byKind[mutation.kind] =
            (counts.byKind[mutation.kind] ?? 0) + 1;
        }
        counts.filesDamaged += touched.size;
        const { server, store } = fresh(entries);
        const context = `round ${round} (seed ${SEED}): ${[...touched]
          .map(([path, m]) => `${m.kind} ${path}`)
          .join(', ')}`;
        try {
          const all = await readAll(store);
          for (const [notebook, rows] of rowFiles) {
            const listed = all.listed.get(notebook)!;
            counts.runsListed += listed.length;
            const problems = all.listProblems.get(notebook)!;
            counts.problemLines += problems.length;
            for (const id of baseline.get(notebook)!) {
              const file = rows.get(id)!;
              const headFile = file.replace(
                /\/index\/\d+\.json\.gz$/,
                '/index.json.gz'
              );
              if (
                !touched.has(file) &&
                !touched.has(headFile) &&
                !listed.includes(id)
              ) {
                failures.push(`${context}: ${notebook} ${id} is not listed`);
              }
            }
            for (const [path, mutation] of touched) {
              const mine = path.startsWith(
                `${STORE}/notebooks/${await notebookKey(notebook)}/`
              );
              const listFile = /\/(index|annotations)[./]/.test(path);
              if (
                mine &&
                listFile &&
                mutation.breaks &&
                !problems.some(line => line.includes(path))
              ) {
                const headFile = path.replace(
                  /\/index\/\d+\.json\.gz$/,
                  '/index.json.gz'
                );
                if (headFile === path || !touched.has(headFile)) {
                  failures.push(
                    `${context}: no problem line names ${path}: ${JSON.stringify(problems)}`
                  );
                }
              }
            }
          }
          for (const problems of all.runProblems.values()) {
            counts.problemLines += problems.length;
          }
          for (const [path, mutation] of touched) {
            const naming = packRuns.get(path);
            if (!naming || !mutation.breaks) {
              continue;
            }
            const read = naming.runs.filter(id =>
              all.runProblems.has(`${naming.notebook}\n${id}`)
            );
            if (
              read.length > 0 &&
              !read.some(id =>
                all.runProblems
                  .get(`${naming.notebook}\n${id}`)!
                  .some(line => line.includes(path))
              )
            ) {
              failures.push(`${context}: no run's problems name ${path}`);
            }
          }
        } catch (reason) {
          counts.exceptions += 1;
          failures.push(
            `${context}: threw ${reason instanceof Error ? reason.stack : String(reason)}`
          );
        } finally {
          store.dispose();
        }
        for (const request of server.requests) {
          if (request.method !== 'GET') {
            failures.push(
              `${context}: reading wrote ${request.method} ${request.path}`
            );
          }
          if (request.method !== 'GET' && !layout.contains(request.path)) {
            failures.push(
              `${context}: asked for ${request.path}, outside the store`
            );
          }
        }
      }
      console.log(`fuzz-store ${JSON.stringify(counts)}`);
      reportFaultRow({
        fault: `${ROUNDS * PER_ROUND} store files mutated (store library)`,
        checked:
          'every mutation read: runs listed, one problem line per broken item, nothing written, no exception',
        result:
          failures.length === 0 &&
          counts.exceptions === 0 &&
          counts.mutations === ROUNDS * PER_ROUND
            ? 'passed'
            : 'FAILED',
        files: counts.filesDamaged,
        stored: counts.runsListed,
        exceptions: counts.exceptions,
        notes: [
          `seed ${SEED}: ${counts.problemLines.toLocaleString('en')} problem lines; ${failures.length} failures`
        ],
        seconds: Math.round((Date.now() - startedAt) / 1000)
      });
      expect(failures.slice(0, 20)).toEqual([]);
      expect(counts.exceptions).toBe(0);
      expect(counts.mutations).toBe(ROUNDS * PER_ROUND);
    }, 600_000);
  });
});
