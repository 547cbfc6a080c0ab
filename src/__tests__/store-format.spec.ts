import { nullTranslator } from '@jupyterlab/translation';
import Ajv2020 from 'ajv/dist/2020';
import * as fs from 'fs';
import * as path from 'path';

import {
  fromDeltaList,
  recordedOutputs,
  storedOutputs,
  toDeltaList
} from '../store/codec';
import type { StoreFormat } from '../store/format';
import type { Annotations } from '../store/annotations';
import { mergeAnnotations } from '../store/annotations';
import {
  checkRunAnnotation,
  checkRunBlock,
  checkSnapshot,
  isValidId,
  parseStoreFile
} from '../store/format';
import { fromBase64, gunzipText, gzipText, toBase64 } from '../store/gzip';
import { MemoryLocalStore } from '../store/local';
import { notebookKey, slotsOf, StoreLayout } from '../store/paths';
import { WriteQueue } from '../store/queue';
import { HEAD_ROWS, mergeRows, sealOldRows, SEGMENT_ROWS } from '../store/rows';
import { RunStore } from '../store/store';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  FakeJupyterServer,
  installCompression,
  installWebCrypto
} from './store-server';

const trans = nullTranslator.load('jupyterlab_runs');
const FORMAT_DIR = path.join(__dirname, '..', '..', 'docs', 'format');

const KINDS: StoreFormat.Kind[] = [
  'store',
  'index',
  'index-segment',
  'pack',
  'points',
  'annotations'
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
    [/\/index\.json\.gz$/, 'index'],
    [/\/index\/\d+\.json\.gz$/, 'index-segment'],
    [/\/packs\/[^/]+\.json\.gz$/, 'pack'],
    [/\/points\/[^/]+\.json\.gz$/, 'points'],
    [/\/annotations\.json\.gz$/, 'annotations']
  ];
  const found = rules.find(([pattern]) => pattern.test(file));
  if (!found) {
    throw new Error(`unknown store file ${file}`);
  }
  return found[1];
}

/**
 * A pack file with the given run blocks and snapshots.
 */
function packText(
  runs: unknown[] = [],
  snapshots: unknown[] = [],
  blobs: unknown[] = ['x = 1']
): string {
  return JSON.stringify({
    format: 'jupyterlab-runs/pack',
    version: 2,
    notebookPath: 'nb.ipynb',
    pack: 'k3x9qa-0',
    updatedAt: 1,
    blobs,
    sessions: [],
    runs,
    snapshots
  });
}

/**
 * A metric series of `loss` with the values given, one step apart.
 */
function series(values: unknown[]): Record<string, unknown> {
  return {
    name: 'loss',
    source: 'explicit',
    value: values,
    step: values.map((_, i) => (i === 0 ? 0 : 1)),
    time: values.map(() => 0),
    exec: values.map(() => null)
  };
}

/**
 * A run block with nothing in it but what is given.
 */
function block(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    run: 'run-1',
    startedAt: 1_700_000_000_000,
    status: 'running',
    endedAt: null,
    updatedAt: 0,
    seq: 2,
    params: {},
    tags: {},
    note: null,
    inherited: [],
    executions: {
      exec: [],
      cell: [],
      count: [],
      source: [],
      time: [],
      outcome: [],
      error: []
    },
    outputs: { exec: [], blob: [] },
    metrics: [],
    files: [],
    ...fields
  };
}

describe('store format', () => {
  beforeAll(() => {
    installWebCrypto();
    installCompression();
  });

  describe('#parseStoreFile()', () => {
    it.each(KINDS)('should refuse a "%s" file of a newer version', kind => {
      const text = JSON.stringify({
        format: `jupyterlab-runs/${kind}`,
        version: 3
      });
      expect(parseStoreFile(kind, text, trans)).toEqual({
        ok: false,
        problem:
          'uses format version 3, which this version of jupyterlab-runs cannot read (it reads version 2); update jupyterlab-runs to read it'
      });
    });

    it.each(KINDS)('should refuse a "%s" file of version 1', kind => {
      const text = JSON.stringify({
        format: `jupyterlab-runs/${kind}`,
        version: 1
      });
      expect(parseStoreFile(kind, text, trans)).toEqual({
        ok: false,
        problem:
          'uses format version 1, written by an unreleased development version of jupyterlab-runs, which this version cannot read (it reads version 2)'
      });
    });

    it.each([
      ['not JSON', '{', /^is not valid JSON \(/],
      ['null', 'null', /^is not a JSON object$/],
      [
        'a version as text',
        '{"format":"jupyterlab-runs/pack","version":"2"}',
        /^has no valid "version" number$/
      ],
      [
        'version 0',
        '{"format":"jupyterlab-runs/pack","version":0}',
        /^uses unknown format version 0$/
      ],
      [
        'another kind',
        '{"format":"jupyterlab-runs/index","version":2}',
        /^is not a "jupyterlab-runs\/pack" file: its "format" is "jupyterlab-runs\/index"$/
      ],
      [
        'no format',
        '{"version":2}',
        /^is not a "jupyterlab-runs\/pack" file: its "format" is missing$/
      ],
      [
        'a missing field',
        '{"format":"jupyterlab-runs/pack","version":2}',
        /^"blobs" must be a list; got missing$/
      ],
      [
        'a bad pack name',
        packText().replace('k3x9qa-0', '../x'),
        /^"pack" must be a pack name such as "k3x9qa-0"; got "..\/x"$/
      ]
    ])('should explain a pack file that is %s', (_, text, problem) => {
      const parsed = parseStoreFile('pack', text, trans);
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.problem).toMatch(problem);
    });

    it('should accept a pack whose blocks are checked one by one', () => {
      expect(
        parseStoreFile('pack', packText([{ run: 1 }]), trans)
      ).toMatchObject({ ok: true });
    });
  });

  describe('#checkRunBlock()', () => {
    it.each([
      [
        'a bad metric value',
        block({
          metrics: [
            {
              name: 'loss',
              source: 'explicit',
              value: [1, 'high'],
              step: [0, 1],
              time: [0, 0],
              exec: [null, null]
            }
          ]
        }),
        '"runs[0].metrics[0].value[1]" must be a number, "NaN", "Infinity" or "-Infinity"; got "high"'
      ],
      [
        'columns of unequal length',
        block({
          metrics: [
            {
              name: 'loss',
              source: 'explicit',
              value: [1, 2],
              step: [0],
              time: [0, 0],
              exec: [null, null]
            }
          ]
        }),
        '"runs[0].metrics[0]" must be columns of equal length (value: 2, step: 1, time: 2, exec: 2)'
      ],
      [
        'a blob it does not hold',
        block({
          executions: {
            exec: [1],
            cell: [null],
            count: [null],
            source: [4],
            time: [0, 1],
            outcome: ['ok'],
            error: [null]
          }
        }),
        '"runs[0].executions.source[0]" must be a blob of this pack (0 to 0) or "<pack>/<n>"; got 4'
      ],
      [
        'one time per execution',
        block({
          executions: {
            exec: [1],
            cell: [null],
            count: [null],
            source: [0],
            time: [0],
            outcome: ['ok'],
            error: [null]
          }
        }),
        '"runs[0].executions.time" must be a start and an end per execution (2 numbers); got [0]'
      ],
      [
        'a name without a reason',
        block({ name: 'x' }),
        '"runs[0]" must be a block with all or none of name, reason, session, env'
      ],
      [
        'a fractional delta',
        block({ outputs: { exec: [1.5], blob: [0] } }),
        '"runs[0].outputs.exec[0]" must be a whole number; got 1.5'
      ],
      [
        'an overview of more points than it stands for',
        block({
          metrics: [
            {
              ...series([1, 2, 3]),
              whole: { count: 2, min: 1, max: 3 }
            }
          ]
        }),
        '"runs[0].metrics[0].whole.count" must be at least as many as the overview holds; got 2'
      ],
      [
        'an overview without its range',
        block({
          metrics: [{ ...series([1, 2]), whole: { count: 5000, min: 1 } }]
        }),
        '"runs[0].metrics[0].whole.max" must be a number; got missing'
      ]
    ])(
      'should name the field at fault in a block with %s',
      (_, data, problem) => {
        expect(checkRunBlock(data, 'runs[0]', 1, trans)).toEqual({
          ok: false,
          problem: expect.stringContaining(problem)
        });
      }
    );

    it('should read an overview with what it stands for', () => {
      const data = block({
        metrics: [
          { ...series([1, 'NaN']), whole: { count: 5000, min: 0.5, max: null } }
        ]
      });
      expect(checkRunBlock(data, 'runs[0]', 1, trans)).toMatchObject({
        ok: true,
        value: { metrics: [{ whole: { count: 5000, min: 0.5, max: null } }] }
      });
    });

    it('should read a foreign blob reference', () => {
      const data = block({ outputs: { exec: [1], blob: ['abcdef12-3/7'] } });
      expect(checkRunBlock(data, 'runs[0]', 0, trans)).toMatchObject({
        ok: true
      });
    });
  });

  describe('points files', () => {
    const points = (series: unknown[]) =>
      JSON.stringify({
        format: 'jupyterlab-runs/points',
        version: 2,
        notebookPath: 'nb.ipynb',
        pack: 'k3x9qa-0',
        series
      });

    it('should read every point of the long series of a pack', () => {
      const parsed = parseStoreFile(
        'points',
        points([{ run: 'run-1', ...series([3, 'Infinity', 1]) }]),
        trans
      );
      expect(parsed).toMatchObject({
        ok: true,
        value: { series: [{ run: 'run-1', value: [3, 'Infinity', 1] }] }
      });
    });

    it.each([
      [
        'a bad run id',
        [{ run: '../x', ...series([1]) }],
        '"series[0].run" must be an id'
      ],
      [
        'columns of unequal length',
        [{ run: 'run-1', ...series([1, 2]), step: [0] }],
        '"series[0]" must be columns of equal length (value: 2, step: 1, time: 2, exec: 2)'
      ],
      [
        'a value that is not a metric value',
        [{ run: 'run-1', ...series([1, null]) }],
        '"series[0].value[1]" must be a number, "NaN", "Infinity" or "-Infinity"; got null'
      ]
    ])(
      'should name the field at fault in a series with %s',
      (_, data, problem) => {
        const parsed = parseStoreFile('points', points(data), trans);
        expect(parsed.ok ? '' : parsed.problem).toContain(problem);
      }
    );
  });

  describe('#checkSnapshot()', () => {
    it.each([
      [
        'a copy in a keyframe',
        {
          run: 'run-1',
          time: 1,
          nbformat: 4,
          nbformatMinor: 5,
          metadata: {},
          cells: [[0, 1]]
        },
        '"snapshots[0].cells[0]" must be a whole cell: this snapshot has no base; got [0,1]'
      ],
      [
        'a cell without source',
        { run: 'run-1', time: 1, base: 0, cells: [{ id: 'a' }] },
        '"snapshots[0].cells[0].source" must be a blob reference; got missing'
      ],
      [
        'a shift and a count',
        {
          run: 'run-1',
          time: 1,
          base: 0,
          cells: [{ from: 0, count: 2, shift: 1 }]
        },
        '"snapshots[0].cells[0].shift" must be given only with "from" and without "count"; got 1'
      ]
    ])('should explain a snapshot with %s', (_, data, problem) => {
      expect(checkSnapshot(data, 'snapshots[0]', 1, trans)).toEqual({
        ok: false,
        problem
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
        // Long enough for the pack to keep an overview and the points file
        // every point.
        kernel.metric(
          'run-1',
          'loss',
          Array.from({ length: 1500 }, (_, i) => (i === 7 ? 'Infinity' : i))
        ),
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
      store.addOutputs('nb.ipynb', {
        run: 'run-1',
        exec: 1,
        outputs: [
          {
            output_type: 'execute_result',
            execution_count: 1,
            metadata: {},
            data: { 'text/plain': '69' }
          }
        ]
      });
      const notebook = (seed: number, count: number) => ({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [
          {
            id: 'a',
            cell_type: 'code',
            source: `seed = ${seed}`,
            metadata: { tags: ['p'] },
            outputs: [],
            execution_count: count
          },
          {
            cell_type: 'markdown',
            source: '# x',
            attachments: { 'a.png': {} }
          },
          {
            id: 'c',
            cell_type: 'code',
            source: 'x',
            outputs: [],
            execution_count: null
          }
        ]
      });
      for (const [seed, count] of [
        [69, 1],
        [69, 3],
        [7, 4]
      ]) {
        store.saveSnapshot('nb.ipynb', {
          run: 'run-1',
          time: 1_700_000_070_000 + count,
          notebook: notebook(seed, count)
        });
      }
      store.addEvents('nb.ipynb', [
        {
          seq: 101,
          time: 1_700_000_080,
          kind: 'run_end',
          run: 'run-1',
          status: 'failed'
        },
        kernel.runStart('run-2'),
        kernel.runEnd('run-2')
      ]);
      await store.flush();
      await store.updateRun('nb.ipynb', 'run-1', {
        name: 'baseline',
        note: 'lr too high',
        tags: { model: null, stage: 'prod' },
        pinned: true
      });
      await store.updateRun('nb.ipynb', 'run-1', {
        note: null,
        archived: false,
        tags: { stage: 'dev' }
      });
      await store.deleteRun('nb.ipynb', 'run-2');
      await store.flush();
      store.dispose();

      const ajv = loadSchemas();
      const files = server.storeFiles('jupyter-runs');
      const kinds = new Set(files.map(kindOf));
      expect(kinds).toEqual(
        new Set(KINDS.filter(kind => kind !== 'index-segment'))
      );
      for (const file of files) {
        const kind = kindOf(file);
        const text = server.storeText(file)!;
        const data = JSON.parse(text);
        const validate = ajv.getSchema(`urn:jupyterlab-runs:format:2:${kind}`)!;
        expect([file, validate(data), validate.errors ?? null]).toEqual([
          file,
          true,
          null
        ]);
        expect([file, parseStoreFile(kind, text, trans).ok]).toEqual([
          file,
          true
        ]);
        if (kind === 'pack') {
          const pack = data as StoreFormat.PackFile;
          expect(pack.snapshots.map(item => item.base)).toEqual([
            undefined,
            0,
            1
          ]);
          pack.runs.forEach((item, i) =>
            expect(
              checkRunBlock(item, `runs[${i}]`, pack.blobs.length, trans)
            ).toMatchObject({ ok: true })
          );
          pack.snapshots.forEach((item, i) =>
            expect(
              checkSnapshot(item, `snapshots[${i}]`, pack.blobs.length, trans)
            ).toMatchObject({ ok: true })
          );
        }
      }
    });

    it('should accept the index segments the store writes', () => {
      const row = (i: number): StoreFormat.IndexRow => ({
        id: `run-${i}`,
        name: `run ${i}`,
        status: 'finished',
        startedAt: i,
        endedAt: i + 1,
        params: { i },
        metrics: { loss: null },
        tags: {},
        session: null,
        updatedAt: i,
        seq: i,
        packs: ['k3x9qa-0']
      });
      const validate = loadSchemas().getSchema(
        'urn:jupyterlab-runs:format:2:index-segment'
      )!;
      const file: StoreFormat.IndexSegmentFile = {
        format: 'jupyterlab-runs/index-segment',
        version: 2,
        notebookPath: 'nb.ipynb',
        segment: 0,
        runs: [row(1), row(2)]
      };
      expect(validate(file)).toBe(true);
      expect(
        parseStoreFile('index-segment', JSON.stringify(file), trans).ok
      ).toBe(true);
    });

    it.each<[string, unknown]>([
      ['a name too long', { name: { value: 'x'.repeat(201), at: 1 } }],
      ['a note that is a number', { note: { value: 1, at: 1 } }],
      ['a value without its time', { pinned: { value: true } }],
      ['an empty tag key', { tags: { '': { value: 'x', at: 1 } } }],
      [
        'a tag value too long',
        { tags: { k: { value: 'x'.repeat(201), at: 1 } } }
      ],
      ['an unknown field', { colour: { value: 'red', at: 1 } }],
      ['a deletion that is not a time', { deleted: true }]
    ])(
      'should refuse a run annotation with %s, as the checks do',
      (_, entry) => {
        const validate = loadSchemas().getSchema(
          'urn:jupyterlab-runs:format:2:annotations'
        )!;
        const file = (runs: unknown) => ({
          format: 'jupyterlab-runs/annotations',
          version: 2,
          notebookPath: 'nb.ipynb',
          updatedAt: 1,
          runs
        });
        const good = { name: { value: 'é'.repeat(200), at: 1 } };
        expect(validate(file({ 'run-1': good }))).toBe(true);
        expect(checkRunAnnotation('run-1', good, 'x', trans).ok).toBe(true);
        expect(validate(file({ 'run-1': entry }))).toBe(false);
        // Unknown fields are ignored by the checks, as in every other kind.
        if (!('colour' in (entry as object))) {
          expect(checkRunAnnotation('run-1', entry, 'x', trans).ok).toBe(false);
        }
        expect(validate(file({ '../x': good }))).toBe(false);
        expect(checkRunAnnotation('../x', good, 'x', trans).ok).toBe(false);
      }
    );

    it.each(KINDS)('should refuse a "%s" file of version 1 or 3', kind => {
      const validate = loadSchemas().getSchema(
        `urn:jupyterlab-runs:format:2:${kind}`
      )!;
      for (const version of [1, 3]) {
        expect(validate({ format: `jupyterlab-runs/${kind}`, version })).toBe(
          false
        );
      }
    });
  });

  describe('#mergeAnnotations()', () => {
    const tab = (entries: [string, StoreFormat.RunAnnotation][]): Annotations =>
      new Map(entries);
    const one = tab([
      [
        'r1',
        { name: { value: 'a', at: 5 }, tags: { x: { value: '1', at: 5 } } }
      ],
      ['r2', { pinned: { value: true, at: 1 } }],
      ['r3', { note: { value: 'n', at: 9 } }]
    ]);
    const two = tab([
      [
        'r1',
        {
          name: { value: 'b', at: 6 },
          tags: { x: { value: null, at: 4 }, y: { value: '2', at: 1 } }
        }
      ],
      ['r2', { pinned: { value: false, at: 1 } }],
      ['r3', { deleted: 3 }]
    ]);

    it('should keep the later value of each field, whatever the order', () => {
      const merged = mergeAnnotations(one, two);
      expect(canonical(merged)).toEqual(canonical(mergeAnnotations(two, one)));
      expect(merged.get('r1')).toEqual({
        name: { value: 'b', at: 6 },
        tags: { x: { value: '1', at: 5 }, y: { value: '2', at: 1 } }
      });
      // Equal times: settled by the values, the same in every page.
      expect(merged.get('r2')).toEqual({ pinned: { value: true, at: 1 } });
    });

    it('should keep a deleted run deleted', () => {
      expect(mergeAnnotations(one, two).get('r3')).toEqual({ deleted: 3 });
      expect(mergeAnnotations(two, one).get('r3')).toEqual({ deleted: 3 });
    });

    function canonical(annotations: Annotations): string {
      return JSON.stringify([...annotations].sort());
    }
  });

  describe('codec', () => {
    it.each([
      [[], 0, []],
      [[5, 6, 7, 7, 3], 0, [5, 1, 1, 0, -4]],
      [[null, 10, null, 12], 0, [null, 10, null, 2]],
      [[1_700_000_000_500, 1_700_000_000_750], 1_700_000_000_000, [500, 250]]
    ])(
      'should turn %j (from %d) into the delta list %j and back',
      (values, origin, deltas) => {
        expect(toDeltaList(values, origin)).toEqual(deltas);
        expect(fromDeltaList(deltas, origin)).toEqual(values);
      }
    );

    it('should store the execution count of a result as its own', () => {
      const outputs = [
        { output_type: 'execute_result', execution_count: 7, data: {} },
        { output_type: 'execute_result', execution_count: 3, data: {} },
        { output_type: 'execute_result', execution_count: null, data: {} },
        { output_type: 'stream', name: 'stdout', text: '7' }
      ];
      const stored = storedOutputs(outputs, 7);
      expect(
        stored.map(o => (o as { execution_count?: unknown }).execution_count)
      ).toEqual(['=', 3, null, undefined]);
      expect(recordedOutputs(stored, 7)).toEqual(outputs);
      expect(storedOutputs(outputs, null)).toEqual(outputs);
    });
  });

  describe('gzip', () => {
    it('should give back the text, and refuse a file cut short', async () => {
      const text = JSON.stringify({ a: 'é'.repeat(1000), b: [1, 2, 3] });
      const bytes = await gzipText(text);
      expect(await gunzipText(fromBase64(toBase64(bytes)))).toBe(text);
      await expect(
        gunzipText(bytes.subarray(0, bytes.length - 4))
      ).rejects.toThrow();
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
        ['results/runs/notebooks/x-0123456789ab/index.a.json.gz', true],
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

    it.each([['../x'], ['a/b'], [''], ['k3x9qa'], ['K3X9QA-0']])(
      'should refuse to name a pack %j',
      pack => {
        const layout = new StoreLayout('jupyter-runs');
        expect(() => layout.packFile('nb-0123456789ab', pack)).toThrow(
          'invalid pack name'
        );
      }
    );

    it.each([
      [
        'results/runs/notebooks/x-0123456789ab/index.json.gz',
        [
          'results/runs/notebooks/x-0123456789ab/index.a.json.gz',
          'results/runs/notebooks/x-0123456789ab/index.b.json.gz'
        ]
      ],
      ['results/runs/store.json', null]
    ])('should keep %j in the slots %j', (file, slots) => {
      expect(slotsOf(file)).toEqual(slots);
    });
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
        updatedAt: index,
        seq: index,
        packs: []
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
        updatedAt: 1,
        seq: 1,
        packs: ['aaaaaa-0']
      } as const;
      const newer = {
        ...older,
        status: 'finished',
        updatedAt: 2,
        packs: ['bbbbbb-0']
      } as const;
      const merged = { ...newer, packs: ['bbbbbb-0', 'aaaaaa-0'] };
      expect(mergeRows([newer], [older])).toEqual([merged]);
      expect(mergeRows([older], [newer])).toEqual([merged]);
      expect(mergeRows([newer], [newer])).toEqual([newer]);
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
        onProblem: () => undefined,
        onLocalProblem: () => undefined
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
