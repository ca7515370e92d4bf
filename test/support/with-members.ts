/**
 * A copy of `target` with some members replaced, for a test that steps into one call of a store: the store's parts are
 * frozen, so they cannot be patched or proxied. Every other member is the target's own, methods bound to it.
 */
export function withMembers<T extends object>(target: T, over: Partial<T>): T {
  const copy: Record<PropertyKey, unknown> = {};
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o))
    for (const k of Reflect.ownKeys(o)) {
      if (k === 'constructor' || k in copy) continue;
      const v = Reflect.get(target, k);
      copy[k] = typeof v === 'function' ? v.bind(target) : v;
    }
  return Object.assign(copy, over) as T;
}
