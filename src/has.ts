// `key in value`, for a key the value's type names. On an action's result (a union on `outcome`,
// src/actions/result.ts) it keeps the variants that carry the key; a key no variant carries, such as one an
// action has renamed, does not compile, where a bare `in` would quietly be false.
type KeyOfAny<T> = T extends unknown ? keyof T : never;

export function has<T extends object, K extends KeyOfAny<T>>(value: T, key: K): value is Extract<T, { [P in K]: unknown }> {
  return key in value;
}
