// How long does the frontend's redaction (src/capture/redact.ts) take on
// 1 MB of text? The same texts as bench/redact.py, against one plain regex
// replacement over the same text as the baseline, in the same run.
//
//   node bench/redact.mjs [--json]
//
// The module is compiled from its TypeScript source here (and the rules
// module embed-helper.mjs writes), so no build is needed. Each figure is the
// least CPU time of 5 runs; the target is 1 MB of any text in < 100 ms.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_MS = 100;
const SIZE = 1 << 20;
const UNITS = {
  'one 1 MB word': 'a',
  'a hex digest': '0123456789abcdef',
  'a=a=a=...': 'a=',
  'token repeated': 'token',
  whitespace: ' \t',
  'token= repeated': 'token=',
  'password repeated': 'password',
  'key= repeated': 'key=',
  'ghp_ repeated': 'ghp_',
  'sk- repeated': 'sk-',
  'URL starts': '://a:',
  'bearer repeated': 'bearer ',
  'private key headers': '-----BEGIN PRIVATE KEY-----',
  dashes: '-',
  'JWT starts': 'eyJ.',
  '--token repeated': '--token ',
  'AKIA repeated': 'AKIA',
  '?sig=': '?sig=',
  'non-ASCII': 'héllo wÖrld ',
  'notebook text':
    'model = Ridge(alpha=0.1, random_state=seed).fit(X_train, y_train)\n' +
    '[12]\tvalidation-rmse:6.61\ttrain-rmse:5.20\nepoch 3: loss = 0.123, lr = 1e-3, took 12:30:45\n' +
    'api_key = os.environ["OPENAI_API_KEY"]\nsha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n'
};

async function loadRedact() {
  const folder = mkdtempSync(join(tmpdir(), 'runs-redact-'));
  for (const name of ['redact', 'secretRules.generated']) {
    const source = readFileSync(
      join(ROOT, 'src', 'capture', `${name}.ts`),
      'utf8'
    );
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2020
      }
    });
    writeFileSync(
      join(folder, `${name}.mjs`),
      outputText.replace(
        "from './secretRules.generated'",
        "from './secretRules.generated.mjs'"
      )
    );
  }
  const module = await import(pathToFileURL(join(folder, 'redact.mjs')).href);
  rmSync(folder, { recursive: true, force: true });
  return module.redactText;
}

function bestMs(run, text, runs = 5) {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = process.cpuUsage();
    run(text);
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const redactText = await loadRedact();
const rows = {};
for (const [name, unit] of Object.entries(UNITS)) {
  const text = unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
  rows[name] = {
    redact_ms: bestMs(redactText, text),
    baseline_ms: bestMs(value => value.replace(/token/g, 'x'), text)
  };
}
const worst = Object.keys(rows).reduce((a, b) =>
  rows[a].redact_ms >= rows[b].redact_ms ? a : b
);
const result = {
  language: 'TypeScript',
  bytes: SIZE,
  target_ms: TARGET_MS,
  texts: rows,
  worst,
  worst_ms: rows[worst].redact_ms,
  baseline_ms: rows[worst].baseline_ms,
  typical_ms: rows['notebook text'].redact_ms
};
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  for (const [name, row] of Object.entries(rows)) {
    console.log(
      `${name.padEnd(22)} ${row.redact_ms.toFixed(1).padStart(8)} ms   (one regex replacement: ${row.baseline_ms.toFixed(2)} ms)`
    );
  }
  console.log(
    `worst: ${worst}, ${result.worst_ms.toFixed(1)} ms (target < ${TARGET_MS} ms)`
  );
}
