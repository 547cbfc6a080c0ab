import { nullTranslator } from '@jupyterlab/translation';
import Ajv2020 from 'ajv/dist/2020';
import * as fs from 'fs';
import * as path from 'path';

import type { StoreFormat } from '../store/format';
import { isValidId, parseStoreFile } from '../store/format';
import { MemoryLocalStore } from '../store/local';
import { notebookKey, StoreLayout } from '../store/paths';
import { WriteQueue } from '../store/queue';
import { HEAD_ROWS, mergeRows, sealOldRows, SEGMENT_ROWS } from '../store/rows';
import { RunStore } from '../store/store';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import { FakeJupyterServer, installWebCrypto } from './store-server';

const trans = nullTranslator.load('jupyterlab_runs');
const FORMAT_DIR = path.join(__dirname, '..', '..', 'docs', 'format');

const KINDS: StoreFormat.Kind[] = [
  'store',
  'index',
  'index-segment',
  'session',
  'run',
  'metrics',
  'snapshot',
  'blob',
  'env'
];

/**
 * The JSON Schemas of docs/format, compiled.
 */
function loadSchemas(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  for (const file of fs.readdirSync(FORMAT_DIR)) {
    ajv.addSchema(
      JSON.parse(fs.readFileSync(path.join(FORMAT_DIR, file), 'utf8'))
    );
  }
  return ajv;
}

/**
 * The kind of a store file, from its path.
 */
function kindOf(file: string): StoreFormat.Kind {
  const rules: [RegExp, StoreFormat.Kind][] = [
    [/\/store\.json$/, 'store'],
    [/\/index\.json$/, 'index'],
    [/\/index\/\d+\.json$/, 'index-segment'],
    [/\/sessions\/[^/]+\.json$/, 'session'],
    [/\/run\.json$/, 'run'],
    [/\/metrics\/\d+\.json$/, 'metrics'],
    [/\/snapshots\/\d+\.json$/, 'snapshot'],
    [/\/blobs\//, 'blob'],
    [/\/envs\//, 'env']
  ];
  const found = rules.find(([pattern]) => pattern.test(file));
  if (!found) {
    throw new Error(`unknown store file ${file}`);
  }
  return found[1];
}

describe('store format', () => {
  beforeAll(() => {
    installWebCrypto();
  });

  describe('#parseStoreFile()', () => {
    it.each(KINDS)('should refuse a "%s" file of a newer version', kind => {
      const text = JSON.stringify({
        format: `jupyterlab-runs/${kind}`,
        version: 2
      });
      expect(parseStoreFile(kind, text, trans)).toEqual({
        ok: false,
        problem:
          'uses format version 2, which this version of jupyterlab-runs cannot read (it reads version 1); update jupyterlab-runs to read it'
      });
    });

    it.each([
      ['not JSON', '{', /^is not valid JSON \(/],
      ['null', 'null', /^is not a JSON object$/],
      [
        'a version as text',
        '{"format":"jupyterlab-runs/run","version":"1"}',
        /^has no valid "version" number$/
      ],
      [
        'version 0',
        '{"format":"jupyterlab-runs/run","version":0}',
        /^uses unknown format version 0$/
      ],
      [
        'another kind',
        '{"format":"jupyterlab-runs/index","version":1}',
        /^is not a "jupyterlab-runs\/run" file: its "format" is "jupyterlab-runs\/index"$/
      ],
      [
        'no format',
        '{"version":1}',
        /^is not a "jupyterlab-runs\/run" file: its "format" is missing$/
      ],
      [
        'a missing field',
        '{"format":"jupyterlab-runs/run","version":1}',
        /^"id" must be an id .*; got missing$/
      ]
    ])('should explain a run file that is %s', (_, text, problem) => {
      const parsed = parseStoreFile('run', text, trans);
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.problem).toMatch(problem);
    });

    it('should name the field at fault deep inside a file', () => {
      const text = JSON.stringify({
        format: 'jupyterlab-runs/metrics',
        version: 1,
        run: 'run-1',
        segment: 0,
        series: [
          {
            name: 'loss',
            source: 'explicit',
            points: [
              [1, 0, 5, null],
              ['high', 1, 6, null]
            ]
          }
        ]
      });
      expect(parseStoreFile('metrics', text, trans)).toEqual({
        ok: false,
        problem:
          '"series[0].points[1][0]" must be a number, "NaN", "Infinity" or "-Infinity"; got "high"'
      });
    });
  });

  describe('JSON Schemas', () => {
    it('should accept every file the store writes, as the TypeScript checks do', async () => {
      const server = new FakeJupyterServer();
      const settings = await resolveRunsSettings(createSettingRegistry());
      const store = new RunStore({
        contents: server.contents(),
        settings,
        local: new MemoryLocalStore(),
        debounce: 1,
        runningInterval: 1
      });
      const kernel = new KernelEvents();
      const events = [
        kernel.session_({ python: '3.11', packages: { numpy: '1.26' } }),
        kernel.runStart('run-1', { seed: 69 }),
        kernel.execution('run-1', 1, 'seed = 69'),
        kernel.param('run-1', 'alpha', 0.1),
        kernel.metric('run-1', 'rmse', [6.61, 'NaN']),
        kernel.tag('run-1', 'model', 'ridge'),
        {
          seq: 99,
          time: 1_700_000_050,
          kind: 'file',
          run: 'run-1',
          path: 'data/train.csv',
          mode: 'read',
          size: 10,
          mtime: 1_700_000_000,
          sha256: 'a'.repeat(64),
          exec: 1,
          artifact: true
        },
        {
          seq: 100,
          time: 1_700_000_060,
          kind: 'note',
          run: 'run-1',
          text: 'baseline'
        }
      ];
      store.addEvents('nb.ipynb', events);
      store.addOutputs('nb.ipynb', { run: 'run-1', exec: 1, outputs: [] });
      store.saveSnapshot('nb.ipynb', {
        run: 'run-1',
        time: 1_700_000_070_000,
        notebook: {
          nbformat: 4,
          nbformat_minor: 5,
          metadata: {},
          cells: [{ cell_type: 'code', source: 'x', outputs: [] }]
        }
      });
      store.addEvents('nb.ipynb', [
        {
          seq: 101,
          time: 1_700_000_080,
          kind: 'run_end',
          run: 'run-1',
          status: 'failed'
        }
      ]);
      await store.flush();
      store.dispose();

      const ajv = loadSchemas();
      const files = server.files('jupyter-runs');
      const kinds = new Set(files.map(kindOf));
      expect(kinds).toEqual(
        new Set(KINDS.filter(kind => kind !== 'index-segment'))
      );
      for (const file of files) {
        const kind = kindOf(file);
        const data = JSON.parse(server.file(file)!);
        const validate = ajv.getSchema(`urn:jupyterlab-runs:format:1:${kind}`)!;
        expect([file, validate(data), validate.errors ?? null]).toEqual([
          file,
          true,
          null
        ]);
        expect([
          file,
          parseStoreFile(kind, server.file(file)!, trans).ok
        ]).toEqual([file, true]);
      }
    });

    it.each(KINDS)('should refuse a "%s" file of version 2', kind => {
      const validate = loadSchemas().getSchema(
        `urn:jupyterlab-runs:format:1:${kind}`
      )!;
      expect(validate({ format: `jupyterlab-runs/${kind}`, version: 2 })).toBe(
        false
      );
    });
  });

  describe('#isValidId()', () => {
    it.each([
      ['run-20240501-ab12', true],
      ['01HV5Z8K3Q_x', true],
      ['a'.repeat(80), true],
      ['a'.repeat(81), false],
      ['../x', false],
      ['a/b', false],
      ['.hidden', false],
      ['-leading', false],
      ['nul', false],
      ['COM1', false],
      ['', false],
      ['é', false],
      [42, false]
    ])('should judge %j valid: %s', (id, valid) => {
      expect(isValidId(id)).toBe(valid);
    });
  });

  describe('#notebookKey()', () => {
    it.each([
      [
        'a path in a folder',
        'analysis/train.ipynb',
        /^analysis-train-ipynb-[0-9a-f]{12}$/
      ],
      ['a parent folder', '../x.ipynb', /^x-ipynb-[0-9a-f]{12}$/],
      ['an absolute path', '/abs.ipynb', /^abs-ipynb-[0-9a-f]{12}$/],
      [
        'NUL and a right-to-left mark',
        '\u0000\u202E.ipynb',
        /^ipynb-[0-9a-f]{12}$/
      ],
      ['emoji', '🚀.ipynb', /^ipynb-[0-9a-f]{12}$/],
      ['only dots', '..', /^notebook-[0-9a-f]{12}$/],
      ['accents', 'Café Ünïcode.ipynb', /^cafe-unicode-ipynb-[0-9a-f]{12}$/],
      [
        '1,000 characters',
        `${'x'.repeat(1000)}.ipynb`,
        /^x{34}-ipynb-[0-9a-f]{12}$/
      ]
    ])(
      'should turn a path with %s into a safe folder name',
      async (_, notebook, key) => {
        expect(await notebookKey(notebook)).toMatch(key);
      }
    );

    it('should keep notebooks with the same slug apart', async () => {
      expect(await notebookKey('a/b.ipynb')).not.toBe(
        await notebookKey('a-b.ipynb')
      );
    });
  });

  describe('StoreLayout', () => {
    describe('#contains()', () => {
      const layout = new StoreLayout('results/runs');

      it.each([
        ['results/runs/store.json', true],
        ['results/runs/notebooks/x-0123456789ab/index.json', true],
        ['results/runs', false],
        ['results/runs/../secret.json', false],
        ['results/runs/./x.json', false],
        ['results/runs//x.json', false],
        ['results/runs/.hidden/x.json', false],
        ['results/runsx/x.json', false],
        ['results/other/x.json', false],
        ['/results/runs/x.json', false],
        ['results/runs/a\u0000b.json', false],
        ['results/runs/a\\b.json', false]
      ])('should judge %j inside the store: %s', (file, inside) => {
        expect(layout.contains(file)).toBe(inside);
      });
    });

    it.each([['../x'], ['a/b'], ['']])(
      'should refuse to name a run %j',
      run => {
        const layout = new StoreLayout('jupyter-runs');
        expect(() => layout.runFile('nb-0123456789ab', run)).toThrow(
          'invalid id'
        );
      }
    );
  });

  describe('#sealOldRows()', () => {
    function row(
      index: number,
      status: StoreFormat.IndexRow['status'] = 'finished'
    ): StoreFormat.IndexRow {
      return {
        id: `run-${String(index).padStart(5, '0')}`,
        name: `run ${index}`,
        status,
        startedAt: index * 1000,
        endedAt: null,
        params: {},
        metrics: {},
        tags: {},
        session: null,
        updatedAt: index
      };
    }

    it('should move the oldest rows of 10,000 runs into segments of 1,000', () => {
      const rows = mergeRows(
        [],
        Array.from({ length: 10000 }, (_, i) => row(i))
      );
      const { head, sealed } = sealOldRows(rows);
      expect(head.length).toBeLessThanOrEqual(HEAD_ROWS + SEGMENT_ROWS);
      expect(sealed.map(segment => segment.length)).toEqual(
        Array(sealed.length).fill(SEGMENT_ROWS)
      );
      expect(head.length + sealed.length * SEGMENT_ROWS).toBe(10000);
      expect(sealed[0][SEGMENT_ROWS - 1].id).toBe('run-00000');
      expect(head[0].id).toBe('run-09999');
    });

    it('should keep running runs in the head', () => {
      const rows = mergeRows(
        [],
        Array.from({ length: 2500 }, (_, i) =>
          row(i, i === 3 ? 'running' : 'finished')
        )
      );
      const { head, sealed } = sealOldRows(rows);
      expect(sealed.flat().some(r => r.status === 'running')).toBe(false);
      expect(head.some(r => r.id === 'run-00003')).toBe(true);
    });
  });

  describe('#mergeRows()', () => {
    it('should keep the newer row of a run', () => {
      const older = {
        id: 'r',
        name: 'a',
        status: 'running',
        startedAt: 1,
        endedAt: null,
        params: {},
        metrics: {},
        tags: {},
        session: null,
        updatedAt: 1
      } as const;
      const newer = { ...older, status: 'finished', updatedAt: 2 } as const;
      expect(mergeRows([newer], [older])).toEqual([newer]);
      expect(mergeRows([older], [newer])).toEqual([newer]);
    });
  });
});

describe('WriteQueue', () => {
  describe('#enqueue()', () => {
    it('should let a newer write of a file supersede a waiting one and keep it after what it refers to', async () => {
      const written: string[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>(resolve => (release = resolve));
      const local = new MemoryLocalStore();
      const queue = new WriteQueue({
        target: {
          write: async (_folder, file, text) => {
            await gate;
            written.push(`${file}=${text}`);
          },
          exists: async () => false
        },
        local,
        onLanded: () => undefined,
        onOutage: () => undefined
      });
      const write = (file: string, text: string, once = false) => ({
        folder: 's',
        path: `s/${file}`,
        text,
        once,
        notify: null
      });
      queue.enqueue([write('first', '1')]);
      queue.enqueue([write('run', 'v1'), write('blob', 'b', true)]);
      queue.enqueue([
        write('segment', 's'),
        write('run', 'v2'),
        write('blob', 'b', true)
      ]);
      expect(queue.pending('s/run')).toBe('v2');

      release();
      await queue.whenIdle();

      expect(written).toEqual([
        's/first=1',
        's/blob=b',
        's/segment=s',
        's/run=v2'
      ]);
      expect(local.pendingCount).toBe(0);
      queue.dispose();
    });
  });
});
