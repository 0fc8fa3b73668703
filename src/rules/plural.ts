// Counts in words people read: "1 client", "2 clients", "1,200 rows". One style for every count a person
// reads (a comma between thousands), shared by the rules' sentences and the renderer (src/render/index.ts
// re-exports both). JSON, CSV and piped tables keep plain numbers.

/** A count as people read it: "1,234,567". */
export function thousands(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${thousands(n)} ${n === 1 ? one : many}`;
}
