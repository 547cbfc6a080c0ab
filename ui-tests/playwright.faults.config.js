// The fault suite (`npm run test:faults`): each spec in faults/ starts its own
// Jupyter server (faults/lab.ts) so it can SIGKILL and restart it; no
// webServer here. Results go to build/faults/results.jsonl, one row a spec.
const path = require('path');
const { CHROMIUM_ARGS, REPO } = require('./lab-server');

const WORK = path.join(REPO, 'build', 'faults');

module.exports = {
  testDir: './faults',
  outputDir: path.join(WORK, 'test-results'),
  // One server port and 2 cores: one spec at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 240000,
  reporter: [
    ['list'],
    ['json', { outputFile: path.join(WORK, 'report.json') }]
  ],
  use: {
    viewport: { width: 1280, height: 800 },
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }
  }
};
