/**
 * Watching the browser console: every test fails on an error or warning that
 * is not known to be harmless. Shared by the UI tests (tests/fixtures.ts),
 * the version matrix and the collaboration specs, which need no galata.
 */
import type { BrowserContext, ConsoleMessage } from '@playwright/test';

/**
 * Console messages that are expected and harmless in this test setup. Each
 * entry says why; anything else printed as an error or warning fails a test.
 */
export const HARMLESS_CONSOLE_MESSAGES: { pattern: RegExp; why: string }[] = [
  {
    pattern: /^Connection lost, reconnecting in \d+ seconds\.$/,
    why:
      "JupyterLab's kernel connection (services, KernelConnection) warns when " +
      'the server closes the websocket of a kernel being restarted, which ' +
      'jupyter_server 2 does as 1.x did; it reconnects at once (0 seconds).'
  },
  {
    pattern: /^Language pack 'en_US' not installed!$/,
    why:
      "JupyterLab 4.2's translation extension (the version matrix's oldest) " +
      'warns when the browser language has no language pack installed, ' +
      'English included; later versions do not.'
  },
  {
    pattern:
      /^TypeError: Cannot read properties of undefined \(reading 'widget'\)\s+at isReady [\s\S]*onKernelChanged/,
    why:
      "JupyterLab 4.2's notebook language-server adapter (jlab_core, not this " +
      "extension's bundle) calls its isReady unbound when a kernel restarts; " +
      'later versions do not.'
  }
];

export interface IConsoleProblem {
  type: string;
  text: string;
}

/**
 * Records error and warning messages and uncaught errors of every page of a
 * browser context, from before the first page loads.
 */
export function watchConsole(context: BrowserContext): IConsoleProblem[] {
  const problems: IConsoleProblem[] = [];
  context.on('console', (message: ConsoleMessage) => {
    const type = message.type();
    if (type !== 'error' && type !== 'warning') {
      return;
    }
    const text = message.text();
    if (HARMLESS_CONSOLE_MESSAGES.some(known => known.pattern.test(text))) {
      return;
    }
    problems.push({ type, text });
  });
  context.on('weberror', webError => {
    const error = webError.error();
    problems.push({ type: 'pageerror', text: String(error.stack ?? error) });
  });
  return problems;
}
