/**
 * Secrets and hostile text end to end, in the real Lab, kernel and Chromium:
 * planted credentials reach neither the store folder on disk nor the
 * browser's IndexedDB, and markup in stored text never runs in any view.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { galata } from '@jupyterlab/galata';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { PLANTED_ENV, SERVER_ROOT } from '../lab-server';
import {
  runRows,
  STORE,
  storedSessions,
  waitForQuietStore
} from './store-files';

/** One planted secret: what it is, where it was put, the text that must not be stored. */
type Planted = { kind: string; where: string; value: string };

const ENV = PLANTED_ENV as Record<string, string>;
const ENV_NAMES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'GITLAB_TOKEN',
  'RUNS_PLANTED_DEPLOY_TOKEN',
  'RUNS_PLANTED_SIGNING_SECRET',
  'RUNS_PLANTED_VENDOR_KEY'
];

// Values that cannot occur by chance: each is searched for verbatim.
const AWS_ID = 'AKIAQ7ZX3RUNS5ECR7TS';
const AWS_SECRET = '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';
const GITHUB = 'ghp_Rn5Xq8Lw2Zk7Vt4Pm9Yb3Hc6Js1Dg0RunsQx';
const GITLAB = 'glpat-Ut6Kw9Rq2Xz5Lm8Nv3Bc';
const BEARER = 'Zq3Wx7Ty1Uv5Rs9Pm2NkRunsBr';
const KEY_BODY = 'MIIEpQIBAAKCAQEAz9RunsPlantedKeyBodyQx7Wv3Lm';
const URL_PASSWORD = 'Hunt3r-Runs-7Qx';
const QUERY_PASSWORD = 'Qry-Runs-9Zw4Lk';
const API_KEY = 'ak-runs-Mv7Qp2Xw9Lz4';
const PASSWORD = 'pw-runs-Tq8Rn3Yz6Kc1';

const PLANTED: Planted[] = [
  ...ENV_NAMES.map(name => ({
    kind: `env ${name}`,
    where: 'env, outputs',
    value: ENV[name]
  })),
  {
    kind: 'AWS access key id',
    where: 'params, sources, outputs',
    value: AWS_ID
  },
  {
    kind: 'AWS secret key',
    where: 'params, sources, outputs',
    value: AWS_SECRET
  },
  { kind: 'GitHub token', where: 'params, sources, outputs', value: GITHUB },
  { kind: 'GitLab token', where: 'params, sources, outputs', value: GITLAB },
  { kind: 'bearer token', where: 'params, sources, outputs', value: BEARER },
  {
    kind: 'private key block',
    where: 'params, sources, outputs',
    value: KEY_BODY
  },
  {
    kind: 'password in a URL',
    where: 'params, sources, outputs',
    value: URL_PASSWORD
  },
  {
    kind: '?password= in a URL',
    where: 'params, sources, outputs',
    value: QUERY_PASSWORD
  },
  { kind: 'api_key = "…"', where: 'params, sources, outputs', value: API_KEY },
  { kind: 'password = "…"', where: 'params, sources, outputs', value: PASSWORD }
];

/** The secrets notebook: parameters, then each way of showing them. */
const SECRET_CELLS = [
  // Parameters: assignments the helper records.
  [
    `aws_access_key_id = "${AWS_ID}"`,
    `aws_secret_access_key = "${AWS_SECRET}"`,
    `repo_auth = "${GITHUB}"`,
    `gitlab_auth = "${GITLAB}"`,
    `header = "Authorization: Bearer ${BEARER}"`,
    `pem = "-----BEGIN RSA PRIVATE KEY-----\\n${KEY_BODY}\\n-----END RSA PRIVATE KEY-----"`,
    `db_url = "postgres://user:${URL_PASSWORD}@db.example/db"`,
    `endpoint = "https://api.example/v1?user=a&password=${QUERY_PASSWORD}"`,
    `api_key = "${API_KEY}"`,
    `password = "${PASSWORD}"`
  ].join('\n'),
  // Printed, the environment's too.
  [
    'import os',
    `for name in ${JSON.stringify(ENV_NAMES)}:`,
    '    print(f"{name}={os.environ[name]}")',
    'print(f"aws_access_key_id = {aws_access_key_id}")',
    'print(f"aws_secret_access_key = {aws_secret_access_key}")',
    'print(repo_auth, gitlab_auth, header, db_url, endpoint)',
    'print(pem)',
    'print(f"api_key = {api_key}")',
    'print(f"password = {password}")'
  ].join('\n'),
  // Displayed as HTML.
  [
    'from IPython.display import HTML, display',
    'display(HTML(f"<pre>api_key = {api_key}\\npassword = {password}\\n"',
    '             f"{repo_auth} {gitlab_auth} {header}\\n{db_url} {endpoint}\\n"',
    '             f"aws_access_key_id = {aws_access_key_id}\\n"',
    '             f"aws_secret_access_key = {aws_secret_access_key}\\n{pem}</pre>"))'
  ].join('\n'),
  // An execute_result.
  [
    '"\\n".join([f"api_key = {api_key}", f"password = {password}", repo_auth,',
    '           gitlab_auth, header, db_url, endpoint, pem,',
    '           f"aws_access_key_id = {aws_access_key_id}",',
    '           f"aws_secret_access_key = {aws_secret_access_key}",',
    '           *(f"{n}={os.environ[n]}" for n in ' +
      `${JSON.stringify(ENV_NAMES)})])`
  ].join('\n')
];

/** The markup every stored text field of the hostile run holds. */
const HOSTILE = [
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=2">',
  '<a href="javascript:window.__pwned=3">x</a>',
  '<svg onload="window.__pwned=4"><script>window.__pwned=5</script></svg>'
].join('');

const HOSTILE_NAME = '<img src=x onerror="window.__pwned=6">';

const HOSTILE_CELLS = [
  [
    'import jupyterlab_runs as runs',
    `H = ${JSON.stringify(HOSTILE)}`,
    "runs.start_run('hostile-run')",
    'runs.set_tag(H, H)',
    'runs.note(H)',
    "runs.log_param('hostile', H)",
    'for step in range(3):',
    '    runs.log_metric(H, 1.0 / (step + 1), step=step)'
  ].join('\n'),
  `print(H)\n# ${HOSTILE}`,
  'from IPython.display import HTML, display\ndisplay(HTML(H))',
  'HTML(H)',
  'H'
];

function notebook(sources: string[]): string {
  return JSON.stringify({
    cells: sources.map((source, index) => ({
      cell_type: 'code',
      id: `cell-${index}`,
      metadata: {},
      source,
      outputs: [],
      execution_count: null
    })),
    metadata: {
      kernelspec: {
        display_name: 'Python 3 (ipykernel)',
        language: 'python',
        name: 'python3'
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/** Upload a notebook built here, open it and wait for its kernel session. */
async function openNotebook(
  page: IJupyterLabPageFixture,
  request: Parameters<typeof runRows>[0],
  notebookPath: string,
  sources: string[]
): Promise<void> {
  await page.contents.uploadContent(notebook(sources), 'text', notebookPath);
  expect(await page.notebook.openByPath(notebookPath)).toBe(true);
  await waitForIdleKernel(page);
  await expect
    .poll(() => storedSessions(request, notebookPath), { timeout: 30000 })
    .toBe(1);
}

/** Every file under `folder` as text, gunzipped when compressed. */
function folderTexts(folder: string): { file: string; text: string }[] {
  const found: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      found.push(...folderTexts(file));
      continue;
    }
    const bytes = fs.readFileSync(file);
    found.push({ file, text: bytes.toString('latin1') });
    if (entry.name.endsWith('.gz') && bytes.length > 0) {
      found.push({ file, text: zlib.gunzipSync(bytes).toString('utf-8') });
    }
  }
  return found;
}

/** Every record and key of every object store of every IndexedDB database. */
function dumpIndexedDB(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(async () => {
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const dump: unknown[] = [];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const store = db.transaction(name, 'readonly').objectStore(name);
        const keys = await request(store.getAllKeys());
        const values = await request(store.getAll());
        dump.push({ db: info.name, store: name, keys, values });
      }
      db.close();
    }
    const decoder = new TextDecoder();
    return JSON.stringify(dump, (_, value) =>
      value instanceof ArrayBuffer || ArrayBuffer.isView(value)
        ? decoder.decode(value as ArrayBuffer)
        : value
    );
  });
}

/** Run a command in the page; what it resolves with stays there. */
async function execute(
  page: IJupyterLabPageFixture,
  command: string,
  args: Record<string, unknown> = {}
): Promise<void> {
  await page.evaluate(
    async ({ command, args }) => {
      await window.jupyterapp.commands.execute(command, args as any);
    },
    { command, args }
  );
}

const pwned = (page: IJupyterLabPageFixture) =>
  page.evaluate(() => (window as any).__pwned);

/** Elements the hostile text would have created had it been rendered as markup. */
const ACTIVE_MARKUP =
  '[onerror], [onload], a[href^="javascript:" i], svg script';

test.describe('Secrets', () => {
  test.describe.configure({ timeout: 300000 });
  // The planted variables are read into the stored environment too, where
  // their names must get them redacted.
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-runs:tracking': {
        envAllowlist: ['PATH', 'LANG', 'AWS_*', 'GITLAB_*', 'RUNS_PLANTED_*']
      }
    }
  });

  let startedAt = Date.now();
  test.beforeEach(() => {
    startedAt = Date.now();
  });

  /**
   * A row of the fault suite's table (scripts/faults.sh), when it runs this
   * spec.
   */
  function reportRow(row: {
    fault: string;
    checked: string;
    passed: boolean;
    planted?: number;
    leaked?: number;
    notes: string[];
  }): void {
    const file = process.env.RUNS_FAULT_RESULTS;
    if (file) {
      const { passed, ...rest } = row;
      fs.appendFileSync(
        file,
        JSON.stringify({
          result: passed ? 'passed' : 'FAILED',
          logged: null,
          stored: null,
          lost: null,
          files: null,
          torn: null,
          planted: null,
          leaked: null,
          // The fixtures fail a test on any page error or console error.
          exceptions: 0,
          error: null,
          seconds: Math.round((Date.now() - startedAt) / 1000),
          ...rest
        }) + '\n'
      );
    }
  }

  test('should store no planted secret on disk or in IndexedDB', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/secrets-corpus.ipynb`;
    await openNotebook(page, request, notebookPath, SECRET_CELLS);
    await page.notebook.run();
    // The secrets really are there to be captured.
    expect((await page.notebook.getCellTextOutput(1))?.join('')).toContain(
      PASSWORD
    );
    expect((await page.notebook.getCellTextOutput(1))?.join('')).toContain(
      ENV.RUNS_PLANTED_VENDOR_KEY
    );
    await expect
      .poll(async () => (await runRows(request, notebookPath)).length, {
        timeout: 30000
      })
      .toBe(1);
    await page.notebook.save();
    const [row] = await runRows(request, notebookPath);
    expect(Object.keys(row.params)).toContain('api_key');

    // The Runs panel and the run detail fill the IndexedDB cache.
    await execute(page, 'jupyterlab-runs:show-panel');
    const panel = page.getByRole('region', { name: 'Runs' });
    await expect(panel.locator('.jp-RunsPanel-item')).toHaveCount(1, {
      timeout: 30000
    });
    await execute(page, 'jupyterlab-runs:open-run', {
      notebookPath,
      runId: row.id
    });
    await expect(page.locator('.jp-RunDetail-body')).toBeVisible();
    await waitForQuietStore(request, notebookPath);

    const files = folderTexts(path.join(SERVER_ROOT, STORE));
    expect(files.length).toBeGreaterThan(0);
    // The store holds the run's text, redacted: the search looks at the
    // right place.
    expect(files.some(({ text }) => text.includes('[REDACTED]'))).toBe(true);
    const cache = await dumpIndexedDB(page);
    expect(cache).toContain(row.id);

    const table = PLANTED.map(planted => ({
      ...planted,
      store: files.filter(({ text }) => text.includes(planted.value)).length,
      indexedDB: cache.split(planted.value).length - 1
    }));
    const lines = [
      'value kind | where planted | found in store | found in IndexedDB',
      ...table.map(
        item =>
          `${item.kind} | ${item.where} | ${item.store} | ${item.indexedDB}`
      ),
      `planted ${table.length}, stored ${table.filter(item => item.store).length}, ` +
        `in IndexedDB ${table.filter(item => item.indexedDB).length}`
    ];
    console.log(lines.join('\n'));
    test.info().annotations.push({
      type: 'planted secrets',
      description: lines.join('\n')
    });
    const leaks = table
      .filter(item => item.store || item.indexedDB)
      .map(item => item.kind);
    reportRow({
      fault: 'secrets planted in env, params, sources, outputs',
      checked: 'grep of the whole store folder and the IndexedDB cache',
      passed: leaks.length === 0,
      planted: table.length,
      leaked: leaks.length,
      notes: leaks.map(kind => `stored: ${kind}`)
    });
    expect(leaks).toEqual([]);
  });

  test('should never run markup from stored text in any view', async ({
    page,
    request,
    tmpPath
  }) => {
    // The notebook's path is hostile too (a file name cannot hold `/`).
    const notebookPath = `${tmpPath}/${HOSTILE_NAME}.ipynb`;
    // The hostile image's source exists (not an image), so no request fails.
    await page.contents.uploadContent('not an image', 'text', `${tmpPath}/x`);
    await openNotebook(page, request, notebookPath, HOSTILE_CELLS);
    await page.notebook.run();
    await expect
      .poll(async () => (await runRows(request, notebookPath)).length, {
        timeout: 30000
      })
      .toBe(1);
    // A second, plain run to compare the hostile one with.
    await execute(page, 'jupyterlab-runs:start-run', { name: 'plain-run' });
    await page.notebook.runCell(4);
    await expect
      .poll(async () => (await runRows(request, notebookPath)).length, {
        timeout: 30000
      })
      .toBe(2);
    await page.notebook.save();
    const [hostile, plain] = await runRows(request, notebookPath);
    const args = { notebookPath, runId: hostile.id };

    // The live notebook's outputs are trusted and ran the payload; from now
    // on only the views of stored text are on the page.
    await execute(page, 'notebook:clear-all-cell-outputs');
    await expect(page.locator('.jp-OutputArea-output')).toHaveCount(0);
    await page.waitForTimeout(500);
    await page.evaluate(() => delete (window as any).__pwned);
    const views: string[] = [];
    const inert = async (view: string) => {
      await page.waitForTimeout(500);
      expect(await pwned(page), view).toBeUndefined();
      expect(await page.locator(ACTIVE_MARKUP).count(), view).toBe(0);
      views.push(view);
    };

    // The sidebar: renamed there, its row shows the literal name.
    await execute(page, 'jupyterlab-runs:show-panel');
    const panel = page.getByRole('region', { name: 'Runs' });
    const rows = panel.locator('.jp-RunsPanel-item');
    await expect(rows).toHaveCount(2, { timeout: 30000 });
    const hostileRow = rows.filter({ hasText: 'hostile-run' });
    await hostileRow.click();
    await page.evaluate(() => {
      // Not awaited: the command waits for its dialog.
      void window.jupyterapp.commands.execute('jupyterlab-runs:rename-run');
    });
    const input = page.locator('.jp-Dialog input');
    await input.fill(HOSTILE);
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    const shownName = panel.locator('.jp-RunsPanel-runName', {
      hasText: HOSTILE
    });
    await expect(shownName).toHaveCount(1);
    // Its tooltip holds the literal name too.
    await expect(shownName).toHaveAttribute(
      'title',
      new RegExp(HOSTILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    );
    await page.evaluate(() => {
      // Not awaited: the command waits for its dialog.
      void window.jupyterapp.commands.execute('jupyterlab-runs:note-run');
    });
    await input.fill(`sidebar note ${HOSTILE}`);
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    // Hover what shows a tooltip or a value: the name, its cells, the trend.
    for (const cell of await panel
      .locator('[title]:visible, .jp-RunsPanel-cell:visible')
      .all()) {
      await cell.hover({ timeout: 5000 });
    }
    await inert('sidebar');

    // The run detail.
    await execute(page, 'jupyterlab-runs:open-run', args);
    const detail = page.locator('.jp-RunDetail');
    await expect(detail.locator('.jp-RunDetail-name')).toHaveText(HOSTILE);
    await expect(
      detail.getByRole('region', { name: 'Overview' })
    ).toContainText(HOSTILE_NAME);
    // Parameter values are shown as JSON.
    await expect(
      detail.getByRole('region', { name: 'Parameters' })
    ).toContainText(JSON.stringify(HOSTILE));
    await expect(
      detail.getByRole('region', { name: 'Executions' })
    ).toContainText(HOSTILE);
    await expect(detail.locator('.jp-RunsChart canvas').first()).toBeVisible({
      timeout: 30000
    });
    await detail.locator('.jp-RunsChart canvas').first().hover();
    await inert('run detail');

    // The comparison of both runs.
    await execute(page, 'jupyterlab-runs:compare-runs', {
      runs: [args, { notebookPath, runId: plain.id }]
    });
    const compare = page.locator('.jp-RunsCompare');
    await expect(
      compare.getByRole('region', { name: 'Parameters' })
    ).toContainText('hostile');
    await expect(compare.getByRole('region', { name: 'Code' })).toBeVisible();
    await inert('compare');

    // The snapshot, read-only and untrusted.
    await execute(page, 'jupyterlab-runs:open-snapshot', args);
    const snapshot = page.locator(`#jupyterlab-runs-snapshot-${hostile.id}`);
    await expect(snapshot.locator('.jp-Cell').first()).toBeVisible({
      timeout: 30000
    });
    await expect(
      snapshot.locator('.jp-OutputArea-output').first()
    ).toContainText(HOSTILE);
    await inert('snapshot');

    // As executed, and what changed since.
    for (const command of [
      'jupyterlab-runs:show-as-executed',
      'jupyterlab-runs:show-changes-since'
    ]) {
      await execute(page, command, args);
      const view = page.locator(`#jupyterlab-runs-provenance-${hostile.id}`);
      await expect(view).toContainText(HOSTILE, { timeout: 30000 });
      await inert(command);
    }

    // The dialog that asks before running the stored code shows it as text.
    await page.evaluate(
      args => {
        void window.jupyterapp.commands.execute('jupyterlab-runs:rerun', args);
      },
      { ...args, order: 'executed' }
    );
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText(HOSTILE, { timeout: 30000 });
    await inert('re-run confirmation');
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Run', exact: true })
      .click();
    // The re-run verdict, from a fresh kernel.
    const rerun = page.locator('.jp-RunsRerun').last();
    await expect(rerun.locator('.jp-RunsRerun-overall')).toBeVisible({
      timeout: 90000
    });
    await expect(rerun).toContainText(HOSTILE);
    await inert('re-run verdict');
    reportRow({
      fault: 'markup in every stored text field',
      checked: `<script>, <img onerror>, javascript: links, SVG scripts: none ran in ${views.length} views`,
      passed: true,
      notes: [`views: ${views.join(', ')}`]
    });
  });
});
