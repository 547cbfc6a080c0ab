/**
 * The galata test object, extended so every test also fails on browser
 * console errors and warnings that are not known to be harmless.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, test as galataTest } from '@jupyterlab/galata';
import type { IConsoleProblem } from '../console';
import { watchConsole } from '../console';

export { HARMLESS_CONSOLE_MESSAGES, watchConsole } from '../console';
export type { IConsoleProblem } from '../console';

/**
 * Lets one test accept console errors or warnings it causes on purpose.
 */
export type AllowConsoleMessages = (pattern: RegExp, why: string) => void;

export const test = galataTest.extend<{
  consoleProblems: IConsoleProblem[];
  allowConsoleMessages: AllowConsoleMessages;
}>({
  consoleProblems: [
    // Depending on galata's clean-up fixtures makes them tear down after this
    // check: the file browser and kernels of the still-open page then cannot
    // complain about the test folder and kernels being deleted.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    async ({ context, tmpPath, kernels, sessions, terminals }, use) => {
      const problems = watchConsole(context);
      await use(problems);
      expect(problems, 'browser console errors and warnings').toEqual([]);
    },
    { auto: true }
  ],
  // Torn down before `consoleProblems` (which it depends on), so the
  // messages it allows are gone before that checks what is left. Each
  // allowance is listed in the test's report with its reason.
  allowConsoleMessages: async ({ consoleProblems }, use, testInfo) => {
    const allowed: RegExp[] = [];
    await use((pattern, why) => {
      allowed.push(pattern);
      testInfo.annotations.push({
        type: 'allowed console messages',
        description: `${pattern}: ${why}`
      });
    });
    const kept = consoleProblems.filter(
      problem =>
        problem.type === 'pageerror' ||
        !allowed.some(pattern => pattern.test(problem.text))
    );
    consoleProblems.splice(0, consoleProblems.length, ...kept);
  }
});

/**
 * The test object for tests that restart kernels or open a notebook whose
 * kernel already runs (in another tab, or from an earlier open).
 *
 * galata routes /api/kernels and /api/sessions through per-page trackers. Its
 * kernel tracker answers every POST with 201, which JupyterLab rejects for a
 * restart ("Invalid response: 201 Created"), and its session tracker hides
 * the sessions other tabs started. These tests talk to the server directly
 * instead, and shut down the sessions they leave behind.
 */
export const serverKernelsTest = test.extend({
  // eslint-disable-next-line no-empty-pattern
  kernels: async ({}, use) => {
    await use(null as any);
  },
  sessions: async ({ request }, use) => {
    await use(null as any);
    const sessions = await (await request.get('/api/sessions')).json();
    for (const session of sessions) {
      await request.delete(`/api/sessions/${session.id}`);
    }
  }
});

/**
 * Wait until the kernel of the notebook shown is idle.
 */
export async function waitForIdleKernel(
  page: IJupyterLabPageFixture
): Promise<void> {
  await page.waitForFunction(
    () =>
      (window.jupyterapp.shell.currentWidget as any)?.sessionContext?.session
        ?.kernel?.status === 'idle'
  );
}

export { expect };
