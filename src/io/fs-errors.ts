/** Node's file-system errors, told apart by their `code`. */

/** The `code` of a Node system error (`ENOENT`, `EEXIST`…); undefined for anything else. */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
