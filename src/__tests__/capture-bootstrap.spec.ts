import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { HelperConfig } from '../capture/bootstrap';
import {
  bootstrapCode,
  helperConfig,
  helperVersion,
  pythonString
} from '../capture/bootstrap';
import { HELPER_SOURCE } from '../capture/helperSource.generated';
import { DEFAULT_CONFIG } from '../settings/config';
import { BARE_PYTHON, PYTHON } from './python';

/**
 * Parse `code` with Python and return the two string arguments of the
 * bootstrap's call, as Python reads them.
 */
function pythonReadsArguments(code: string): [string, string, string] {
  const script = `
import ast, json, sys
tree = ast.parse(sys.stdin.read())
call = next(
    node for node in ast.walk(tree)
    if isinstance(node, ast.Call)
    and getattr(node.func, "id", None) == "__jupyterlab_runs_attach"
)
args = [ast.literal_eval(arg) for arg in call.args]
sys.stdout.write(json.dumps(args))
`;
  const output = execFileSync(PYTHON, ['-c', script], {
    input: code,
    encoding: 'utf8'
  });
  return JSON.parse(output);
}

const CONFIG: HelperConfig = helperConfig(
  DEFAULT_CONFIG,
  'analysis/train.ipynb',
  true
);

describe('capture/bootstrap', () => {
  describe('#helperConfig()', () => {
    it('should give the helper the settings in its own field names', () => {
      expect(
        helperConfig(
          {
            ...DEFAULT_CONFIG,
            metricPatterns: ['^val_'],
            outputCapBytes: 5
          },
          'a/b.ipynb',
          false
        )
      ).toEqual({
        notebook_path: 'a/b.ipynb',
        store_folder: 'jupyter-runs',
        env_allowlist: DEFAULT_CONFIG.envAllowlist,
        metric_patterns: ['^val_'],
        output_cap_bytes: 5,
        tracking: false
      });
    });
  });

  describe('#bootstrapCode()', () => {
    it('should be valid Python passing the configuration and the exact helper source', () => {
      const [config, source, version] = pythonReadsArguments(
        bootstrapCode(CONFIG, HELPER_SOURCE)
      );
      expect(JSON.parse(config)).toEqual(CONFIG);
      expect(source).toBe(HELPER_SOURCE);
      expect(version).toBe(helperVersion(HELPER_SOURCE));
    });

    it('should be, literally, the bootstrap of docs/CAPTURE.md', () => {
      const contract = fs.readFileSync(
        path.join(__dirname, '..', '..', 'docs', 'CAPTURE.md'),
        'utf8'
      );
      const template = contract.match(
        /```python\n(def __jupyterlab_runs_attach[^`]*)```/
      )?.[1];
      expect(template).toBeDefined();
      const source = 'HELPER_VERSION = "1.2.3"\n';
      expect(bootstrapCode(CONFIG, source)).toBe(
        template!
          .replace('CONFIG_JSON_LITERAL', pythonString(JSON.stringify(CONFIG)))
          .replace('HELPER_SOURCE_LITERAL', pythonString(source))
          .replace('HELPER_VERSION_LITERAL', '"1.2.3"')
      );
    });
  });

  describe('#helperVersion()', () => {
    it("should read the version the helper's source declares", () => {
      expect(helperVersion(HELPER_SOURCE)).toMatch(/^\d+\.\d+\.\d+/);
      expect(helperVersion('x = 1\n')).toBe('');
    });
  });

  describe('the bootstrap in a Python whose notebook folder holds a jupyterlab_runs', () => {
    // The development venv can import the package from the repository, after
    // the working folder (first on sys.path, as in a kernel).
    const attachIn = (shadow: 'module' | 'package', source: string) => {
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-shadow-'));
      const marker = path.join(folder, 'shadow-ran');
      const code = `open(${pythonString(marker)}, "w").close()\nHELPER_VERSION = ${pythonString(helperVersion(HELPER_SOURCE))}\ndef attach(config):\n    return None\n`;
      if (shadow === 'module') {
        fs.writeFileSync(path.join(folder, 'jupyterlab_runs.py'), code);
      } else {
        fs.mkdirSync(path.join(folder, 'jupyterlab_runs'));
        fs.writeFileSync(
          path.join(folder, 'jupyterlab_runs', '__init__.py'),
          code
        );
        fs.writeFileSync(
          path.join(folder, 'jupyterlab_runs', 'helper.py'),
          code
        );
      }
      const probe = `
import json, sys
import jupyterlab_runs as runs
helper = sys.modules["jupyterlab_runs.helper"]
sys.stdout.write(json.dumps({"file": getattr(helper, "__file__", None), "api": runs.active_run is helper.active_run,
                             "run": runs.active_run()}))
`;
      try {
        const output = execFileSync(PYTHON, ['-'], {
          cwd: folder,
          input: bootstrapCode(CONFIG, source) + probe,
          encoding: 'utf8',
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, PYTHONPATH: '' }
        });
        return { ...JSON.parse(output), ran: fs.existsSync(marker) };
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    };
    it.each(['module', 'package'] as const)(
      'should never run a %s of that folder, and attach its own copy',
      shadow => {
        const { file, api, run, ran } = attachIn(shadow, HELPER_SOURCE);
        expect(ran).toBe(false);
        expect(file).toBeNull();
        expect(api).toBe(true);
        expect(run).toEqual(expect.objectContaining({ status: 'running' }));
      }
    );

    it('should attach its own copy when the installed helper is of another version', () => {
      const other = HELPER_SOURCE.replace(
        /^HELPER_VERSION = "[^"]*"/m,
        'HELPER_VERSION = "99.0.0"'
      );
      const { file, api, run, ran } = attachIn('module', other);
      expect(ran).toBe(false);
      expect(file).toBeNull();
      // `import jupyterlab_runs` answers with the copy that is attached.
      expect(api).toBe(true);
      expect(run).toEqual(expect.objectContaining({ status: 'running' }));
    });
  });

  describe('the bootstrap in a Python without the package', () => {
    it('should attach the helper from the embedded source', () => {
      // A folder of its own, so `jupyterlab_runs` cannot be imported from
      // the repository and the frontend's copy must be used.
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-bootstrap-'));
      const probe = `
import json, sys
import jupyterlab_runs as runs
helper = sys.modules["jupyterlab_runs.helper"]
training = sys.modules.get("jupyterlab_runs.training")
sys.stdout.write(json.dumps({"run": runs.active_run(), "file": getattr(helper, "__file__", None),
                             "training": training is not None and helper._training is training}))
`;
      try {
        const output = execFileSync(BARE_PYTHON, ['-'], {
          cwd: folder,
          input: bootstrapCode(CONFIG, HELPER_SOURCE) + probe,
          encoding: 'utf8',
          env: { ...process.env, PYTHONPATH: '' }
        });
        const { run, file, training } = JSON.parse(output);
        expect(file).toBeNull();
        // The package's modules the helper imports come with it.
        expect(training).toBe(true);
        expect(run).toEqual(
          expect.objectContaining({ status: 'running', id: expect.any(String) })
        );
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    });
  });

  describe('#pythonString()', () => {
    it.each([
      ['quotes', `'single' "double" """triple"""`],
      ['backslashes', 'C:\\new\\table \\x41 \\N{DASH} \\u0041'],
      ['line breaks', 'a\nb\r\nc\td'],
      ['line and paragraph separators', 'a\u2028b\u2029c'],
      ['control characters', '\u0000\u0007\u001b[0m\u007f'],
      ['characters outside the BMP', 'seed 🌱 = 69 𝔁'],
      ['a lone surrogate', 'broken \ud800 pair'],
      ['a Python format string', 'f"{x!r}" {0} %s']
    ])('should read back in Python as the same text with %s', (_, text) => {
      const code = `__jupyterlab_runs_attach(${pythonString(text)}, ${pythonString('')})`;
      const [read] = pythonReadsArguments(code);
      expect(read).toBe(text);
    });
  });
});
