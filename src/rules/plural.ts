// Counts in words people read: "1 client", "2 clients", "1,200 rows". One style for every count a person
// reads (a comma between thousands), shared by the rules' sentences and the renderer (src/render/index.ts
// re-exports both). JSON, CSV and piped tables keep plain numbers.

/** A count as people read it: "1,234,567". */
export function thousands(n: number): string {
  // Whole numbers, nearly every count, get their commas here: the first use of ICU's number formatting
  // costs a start-up ~25 ms (issue 22), more than a lookup's own work. The rest keeps ICU's rounding.
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US', { maximumFractionDigits: 1 });
  const digits = String(Math.abs(n));
  const grouped = digits.replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 || Object.is(n, -0) ? `-${grouped}` : grouped;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${thousands(n)} ${n === 1 ? one : many}`;
}
