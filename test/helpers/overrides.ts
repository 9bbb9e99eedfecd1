/**
 * Test drafts take overrides where `undefined` means "without this field" (`{ sensor: undefined }`
 * for a run that measured no power). With exactOptionalPropertyTypes (ADR 0015) an optional
 * field cannot hold undefined, so the override type says it may, and `withOverrides` drops such
 * fields from the result: the draft then lacks the field, as a real writer's would.
 */
export type Overrides<T> = { readonly [K in keyof T]?: T[K] | undefined };

export function withOverrides<T extends object>(base: T, over: Overrides<T>): T {
  const merged: Record<string, unknown> = { ...base, ...over };
  // Required fields of T are in `base`; an override can only drop optional ones (a test's choice).
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as T;
}
