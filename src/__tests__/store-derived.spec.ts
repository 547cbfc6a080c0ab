import Ajv2020 from 'ajv/dist/2020';
import * as fs from 'fs';
import * as path from 'path';

import { MemoryLocalStore } from '../store/local';
import { RunStore } from '../store/store';
import type { Runs } from '../tokens';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  FakeJupyterServer,
  installCompression,
  installWebCrypto
} from './store-server';

const NOTEBOOK = 'nb.ipynb';
const FORMAT_DIR = path.join(__dirname, '..', '..', 'docs', 'format');

/**
 * A `param` event as the kernel helper sends it, with `fields` added.
 */
function param(
  kernel: KernelEvents,
  name: string,
  value: Runs.Scalar,
  fields: Record<string, unknown>
): Runs.KernelEvent {
  const event = kernel.param('run-1', name, value);
  return { ...event, ...fields } as Runs.KernelEvent;
}

describe('derived parameters in the store', () => {
  beforeAll(() => {
    installWebCrypto();
    installCompression();
  });

  it('should keep where a value came from and which are defaults, and read params without them as before', async () => {
    const server = new FakeJupyterServer();
    const store = new RunStore({
      contents: server.contents(),
      settings: await resolveRunsSettings(createSettingRegistry()),
      local: new MemoryLocalStore(),
      debounce: 1,
      runningInterval: 1
    });
    const kernel = new KernelEvents();
    store.addEvents(NOTEBOOK, [
      kernel.session_(),
      kernel.runStart('run-1'),
      kernel.param('run-1', 'seed', 69),
      param(kernel, 'model.random_state', 69, {
        source: 'estimator',
        from: 'seed'
      }),
      param(kernel, 'model.max_depth', null, { source: 'estimator-default' }),
      // A `from` naming the parameter itself says nothing: dropped.
      param(kernel, 'loop', 1, { from: 'loop' }),
      kernel.runEnd('run-1')
    ]);
    await store.flush();
    const { value: run, problems } = await store.readRun(NOTEBOOK, 'run-1');
    store.dispose();
    expect(problems).toEqual([]);
    expect(run?.params['model.random_state']).toMatchObject({
      value: 69,
      source: 'estimator',
      from: 'seed'
    });
    expect(run?.params['model.max_depth'].source).toBe('estimator-default');
    expect('from' in run!.params.seed).toBe(false);
    expect('from' in run!.params.loop).toBe(false);

    // What is written is what the format's schema allows.
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    for (const file of fs.readdirSync(FORMAT_DIR)) {
      ajv.addSchema(
        JSON.parse(fs.readFileSync(path.join(FORMAT_DIR, file), 'utf8'))
      );
    }
    const validate = ajv.getSchema('urn:jupyterlab-runs:format:2:pack')!;
    const packs = server
      .storeFiles('jupyter-runs')
      .filter(file => file.includes('/packs/'));
    expect(packs.length).toBeGreaterThan(0);
    for (const file of packs) {
      const data = JSON.parse(server.storeText(file)!);
      expect([validate(data), validate.errors ?? null]).toEqual([true, null]);
      expect(JSON.stringify(data)).toContain('"from":"seed"');
    }
  });
});
