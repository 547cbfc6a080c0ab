// UI tests run galata (JupyterLab's Playwright layer) in Debian's Chromium
// against PyPI's JupyterLab, jupyter_server and ipykernel (build/venvs/dev),
// started as the extension template does. scripts/test.sh builds and installs
// everything this config expects.
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const {
  CHROMIUM_ARGS,
  PORT,
  WORK,
  command,
  commandEnv
} = require('./lab-server');

module.exports = {
  ...baseConfig,
  testDir: './tests',
  outputDir: path.join(WORK, 'test-results'),
  snapshotPathTemplate: '{testDir}/{testFileName}-snapshots/{arg}{ext}',
  // One Lab server and 2 cores: tests share the kernel machinery, so run serially.
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [
    ['list'],
    ['json', { outputFile: path.join(WORK, 'results.json') }],
    ['html', { open: 'never', outputFolder: path.join(WORK, 'report') }]
  ],
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${PORT}`,
    // Video needs an ffmpeg build Playwright cannot download here.
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }
  },
  expect: {
    toHaveScreenshot: { maxDiffPixelRatio: 0.01 }
  },
  webServer: {
    command,
    env: commandEnv,
    url: `http://127.0.0.1:${PORT}/lab`,
    timeout: 60000,
    reuseExistingServer: false
  }
};
