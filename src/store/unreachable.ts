/**
 * Telling a server that cannot be reached from one that answered with an
 * error: the first leaves the Runs panel on the runs this browser last read,
 * the second is a problem to show.
 */

/**
 * How deep a chain of `cause`s is followed.
 */
const MAX_CAUSES = 4;

/**
 * Whether a failure means that no answer came from the Jupyter server.
 *
 * #### Notes
 * `fetch` rejects with a `TypeError` when no answer comes (network down,
 * server stopped, request aborted), and `ServerConnection.makeRequest`
 * rethrows it as a `ServerConnection.NetworkError`, a `TypeError` too. An
 * answer with an error status is a `ServerConnection.ResponseError`, which
 * is not. `TypeError` stands for both: `@jupyterlab/services` is no
 * runtime dependency of the extension. A failure wrapped in an `Error` of
 * its own is found through the `cause`.
 */
export function isServerUnreachable(reason: unknown): boolean {
  let current = reason;
  for (let depth = 0; depth <= MAX_CAUSES; depth++) {
    if (current instanceof TypeError) {
      return true;
    }
    if (!(current instanceof Error)) {
      return false;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * How long a failure's words may be in a message.
 */
const MAX_PROBLEM_TEXT = 300;

/**
 * A failure in words for a message: an error's message (the server's own
 * words for an error answer), shortened.
 */
export function problemText(reason: unknown): string {
  const text = (
    reason instanceof Error ? reason.message : String(reason)
  ).trim();
  return text.length > MAX_PROBLEM_TEXT
    ? `${text.slice(0, MAX_PROBLEM_TEXT - 1)}…`
    : text || String(reason);
}
