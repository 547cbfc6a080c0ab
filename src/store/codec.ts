import type { StoreFormat } from './format';
import { resolveBlobRef } from './format';

/**
 * Where a blob is: its pack and its number in the pack's `blobs`.
 */
export type BlobAddress = { readonly pack: string; readonly index: number };

/**
 * The reference to a blob as written in the pack `within`: its number when
 * it is in that pack, `<pack>/<n>` otherwise.
 */
export function blobRef(
  address: BlobAddress,
  within: string
): StoreFormat.BlobRef {
  return address.pack === within
    ? address.index
    : `${address.pack}/${address.index}`;
}

/**
 * The address of a blob reference read in the pack `within`.
 *
 * @throws An `Error` for a value that is not a reference; the format checks
 * run before, so this is a bug.
 */
export function blobAddress(
  ref: StoreFormat.BlobRef,
  within: string
): BlobAddress {
  const address = resolveBlobRef(ref, within);
  if (!address) {
    throw new Error(`jupyterlab-runs: invalid blob reference ${String(ref)}`);
  }
  return address;
}

/**
 * Whether two addresses name the same blob.
 */
export function sameBlob(
  a: BlobAddress | null | undefined,
  b: BlobAddress | null | undefined
): boolean {
  return (
    (a ?? null) === (b ?? null) ||
    (!!a && !!b && a.pack === b.pack && a.index === b.index)
  );
}

/**
 * Integers (or null) as a delta list: the first non-null value as its
 * offset from `origin`, each later one as the difference from the previous
 * non-null value. Runs of steady values become runs of equal small numbers,
 * which gzip stores in a few bits.
 */
export function toDeltaList(
  values: readonly (number | null)[],
  origin = 0
): (number | null)[] {
  let previous = origin;
  return values.map(value => {
    if (value === null) {
      return null;
    }
    const delta = value - previous;
    previous = value;
    return delta;
  });
}

/**
 * The values of a delta list; see `toDeltaList`.
 */
export function fromDeltaList(
  list: StoreFormat.DeltaList,
  origin = 0
): (number | null)[] {
  let previous = origin;
  return list.map(delta => {
    if (delta === null) {
      return null;
    }
    previous += delta;
    return previous;
  });
}

/**
 * What `execution_count` of an `execute_result` output holds when it is the
 * execution count of the execution or cell the outputs belong to: the same
 * outputs then give the same blob whichever count the kernel was at.
 */
export const OWN_COUNT = '=';

/**
 * Outputs as stored: an `execute_result` whose `execution_count` is `count`
 * gets `OWN_COUNT` instead.
 */
export function storedOutputs(
  outputs: readonly unknown[],
  count: number | null
): unknown[] {
  return outputs.map(output =>
    isResult(output) && count !== null && output.execution_count === count
      ? { ...output, execution_count: OWN_COUNT }
      : output
  );
}

/**
 * Outputs as recorded, from outputs as stored, for the given count.
 */
export function recordedOutputs(
  outputs: unknown,
  count: number | null
): Record<string, unknown>[] {
  return (Array.isArray(outputs) ? outputs : []).map(output =>
    isResult(output) && output.execution_count === OWN_COUNT
      ? { ...output, execution_count: count }
      : (output as Record<string, unknown>)
  );
}

function isResult(output: unknown): output is Record<string, unknown> {
  return (
    typeof output === 'object' &&
    output !== null &&
    (output as Record<string, unknown>).output_type === 'execute_result'
  );
}
