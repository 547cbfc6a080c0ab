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

    it('should ask the Lab for its own copy of each core package, at any version from the oldest supported', () => {
      // The builder takes the versions it requires from the core it builds
      // against (JupyterLab 4.6): without these, JupyterLab 4.2 to 4.5 warn
      // "Unsatisfied version" for each package in the browser console.
      const pkg = JSON.parse(read('package.json'));
      const core = Object.keys(pkg.dependencies).filter(name =>
        /^(@jupyterlab\/|@lumino\/|react$)/.test(name)
      );
      expect(core.length).toBeGreaterThan(0);
      for (const name of core) {
        expect([name, pkg.jupyterlab.sharedPackages[name]]).toEqual([
          name,
          {
            bundled: false,
            singleton: true,
            requiredVersion: pkg.dependencies[name]
          }
        ]);
      }
    });
  });
});
