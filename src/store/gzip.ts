/**
 * Gzip and base64 for the compressed store files, with the browser's own
 * `CompressionStream` and `DecompressionStream` (no library): the files are
 * ordinary gzip, readable with `zcat` or Python's `gzip` module.
 */

/**
 * The gzip bytes of a text's UTF-8 encoding.
 */
export async function gzipText(text: string): Promise<Uint8Array> {
  return pipe(new TextEncoder().encode(text), new CompressionStream('gzip'));
}

/**
 * The text of gzip bytes.
 *
 * @throws When the bytes are not one complete gzip stream of UTF-8 text:
 * a file cut short (torn) fails its length and CRC-32 check.
 */
export async function gunzipText(bytes: Uint8Array): Promise<string> {
  const raw = await pipe(bytes, new DecompressionStream('gzip'));
  return new TextDecoder('utf-8', { fatal: true }).decode(raw);
}

/**
 * Bytes as base64, as the Contents API takes binary files.
 */
export function toBase64(bytes: Uint8Array): string {
  const CHUNK = 0x8000;
  let binary = '';
  for (let start = 0; start < bytes.length; start += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}

/**
 * The bytes of base64 text; line breaks (the server adds them) are ignored.
 */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

/**
 * Push bytes through a transform stream and collect what comes out.
 */
async function pipe(
  bytes: Uint8Array,
  transform: { writable: WritableStream; readable: ReadableStream }
): Promise<Uint8Array> {
  const writer = transform.writable.getWriter();
  // A failing stream rejects both sides: the reading side reports it.
  const written = writer
    .write(bytes)
    .then(() => writer.close())
    .catch(() => undefined);
  const reader = transform.readable.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    chunks.push(value);
    length += value.length;
  }
  await written;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
