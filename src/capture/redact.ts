/**
 * Removes secrets from the text the frontend stores: cell outputs and
 * notebook snapshots.
 *
 * A line-by-line port of the kernel helper's redaction (`redact_text` in
 * `jupyterlab_runs/helper.py`): same patterns, same order, same replacements.
 * The shared corpus `jupyterlab_runs/tests/secrets_corpus.json` and a test
 * comparing both implementations on it keep them equal.
 */

/**
 * What a secret is replaced with.
 */
export const REDACTED = '[REDACTED]';

/**
 * Parts of a name that mark its value as secret. "token" but not "tokens",
 * "tokenizer" or "tokenise": `max_tokens` is not a secret.
 */
const SECRET_WORDS =
  'token(?!s|i[sz])|secret|passw(?:or)?d|api[_-]?key|private[_-]?key|access[_-]?key|credential';

/**
 * Where a token starts: at a word boundary, or right after an escape such as
 * the `\n` of a string's repr (`'a\nghp_...'`), where no word boundary
 * separates the escape's letter from the token.
 */
function atStart(pattern: RegExp): RegExp {
  return new RegExp(`(?:(?<=\\\\[nrt])|\\b)${pattern.source}`, pattern.flags);
}

/**
 * Token-shaped strings, whatever they are called: pattern and replacement,
 * applied in this order.
 *
 * #### Notes
 * Python's `$` (without MULTILINE) also matches before a final newline,
 * which JavaScript spells `(?=\n?$)`.
 */
const TOKEN_PATTERNS: readonly [RegExp, string][] = [
  // A private key block, armour kept, or up to the end if it is cut short.
  [
    /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|(?=\n?$))/g,
    `$1${REDACTED}$2`
  ],
  // The password of `scheme://user:password@host`.
  [
    atStart(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:)([^\s@'"]+)(@)/gi),
    `$1${REDACTED}$3`
  ],
  [atStart(/(bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi), `$1${REDACTED}`],
  [
    atStart(/(authorization:\s*basic\s+)[A-Za-z0-9+/]{8,}=*/gi),
    `$1${REDACTED}`
  ],
  // AWS access key ids.
  [atStart(/(?:AKIA|ASIA)[A-Z0-9]{16}\b/g), REDACTED],
  // GitHub, GitLab and Slack tokens.
  [
    atStart(/(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g),
    REDACTED
  ],
  [atStart(/glpat-[A-Za-z0-9_-]{20,}/g), REDACTED],
  [atStart(/xox[abprs]-[A-Za-z0-9-]{10,}/g), REDACTED],
  // OpenAI and Anthropic keys, Hugging Face tokens, Google API keys.
  [atStart(/sk-(?:proj-|ant-)?[A-Za-z0-9]{20}[A-Za-z0-9_-]*/g), REDACTED],
  [atStart(/hf_[A-Za-z0-9]{30,}/g), REDACTED],
  [atStart(/AIza[0-9A-Za-z_-]{35}/g), REDACTED],
  // JSON web tokens.
  [
    atStart(
      /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g
    ),
    REDACTED
  ],
  // `VENDOR_KEY=...`: environment-style names (upper case) ending in _KEY.
  // Case-sensitive, so that code such as `sort_key = "name"` keeps its value.
  [
    atStart(
      /([A-Z][A-Z0-9_]*_KEY["']?\s*[:=]\s*)(["']?)[^\s"',;&()[\]{}<>\\]+/g
    ),
    `$1$2${REDACTED}`
  ]
];

/**
 * `api_key = "..."`, `password: x`, `"token": "..."`, `api_key: str = "..."`,
 * `?token=...`: the value is redacted.
 */
const SECRET_ASSIGNMENT = new RegExp(
  `(?<key>[\\w.\\-]*(?:${SECRET_WORDS})[\\w.\\-]*)` +
    `(?<sep>["']?(?:\\s*:\\s*[A-Za-z_][\\w.]*)?\\s*(?:==|[:=])\\s*)` +
    `(?:"(?<dq>[^"\\n]+)"|'(?<sq>[^'\\n]+)'|(?<bare>[^\\s"',;&()\\[\\]{}<>=\\\\][^\\s"',;&()\\[\\]{}<>\\\\]*))`,
  'gi'
);

/**
 * Unquoted values that are code, not secrets: `token = None`.
 */
const CODE_WORDS = new Set([
  'None',
  'True',
  'False',
  'null',
  'true',
  'false',
  'undefined'
]);

/**
 * Replace every secret in `text` with {@link REDACTED}.
 */
export function redactText(text: string): string {
  if (!text) {
    return text;
  }
  let redacted = text;
  for (const [pattern, replacement] of TOKEN_PATTERNS) {
    redacted = redacted.replace(pattern, replacement);
  }
  return redacted.replace(SECRET_ASSIGNMENT, redactAssignment);
}

/**
 * Redact the value of one secret assignment, unless it is code: a call or
 * subscript (`password = getpass()`, `key = os.environ[...]`) or a constant.
 */
function redactAssignment(match: string, ...args: unknown[]): string {
  const groups = args[args.length - 1] as Record<string, string | undefined>;
  const offset = args[args.length - 3] as number;
  const whole = args[args.length - 2] as string;
  const prefix = `${groups.key}${groups.sep}`;
  if (groups.dq !== undefined) {
    return `${prefix}"${REDACTED}"`;
  }
  if (groups.sq !== undefined) {
    return `${prefix}'${REDACTED}'`;
  }
  const following = whole.charAt(offset + match.length);
  if (following === '(' || following === '[' || CODE_WORDS.has(groups.bare!)) {
    return match;
  }
  return `${prefix}${REDACTED}`;
}

/**
 * Redact every string inside a JSON value, except base64 data of binary
 * MIME types (images, PDF), which cannot hold readable text and which a
 * replacement would corrupt. Names (object keys) are kept, as the helper
 * does.
 */
export function redactJSON<T>(value: T): T {
  return redactValue(value, null) as T;
}

function redactValue(value: unknown, key: string | null): unknown {
  if (key !== null && isBinaryMimeType(key)) {
    return value;
  }
  if (typeof value === 'string') {
    return redactText(value);
  }
  if (Array.isArray(value)) {
    return value.map(item => redactValue(item, null));
  }
  if (value !== null && typeof value === 'object') {
    const redacted: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      redacted[name] = redactValue(item, name);
    }
    return redacted;
  }
  return value;
}

/**
 * Whether outputs of this MIME type hold base64 binary data.
 */
export function isBinaryMimeType(mimeType: string): boolean {
  return (
    (mimeType.startsWith('image/') && !mimeType.startsWith('image/svg')) ||
    mimeType === 'application/pdf'
  );
}
