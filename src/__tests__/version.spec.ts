import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function read(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

describe('jupyterlab-runs', () => {
  describe('#version', () => {
    it('should be the same in package.json and the Python package', () => {
      const npmVersion: string = JSON.parse(read('package.json')).version;
      const pythonVersion = read('jupyterlab_runs/_version.py').match(
        /^__version__ = "([^"]+)"$/m
      )?.[1];
      expect(pythonVersion).toBe(npmVersion);
    });
  });
});
