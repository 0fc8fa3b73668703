// A regular expression made on first use. V8 builds one with Unicode properties (\p{…}) from ICU's tables
// when its literal is evaluated, ~2–4 M instructions each: at the top of a module, every start-up that loads
// the module pays, though only text outside ASCII ever reaches it.
export function lazyPattern(make: () => RegExp): () => RegExp {
  let made: RegExp | undefined;
  return () => (made ??= make());
}
