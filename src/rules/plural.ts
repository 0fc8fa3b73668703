// Counts in words people read: "1 client", "2 clients", "1,200 rows". Shared by the rules' sentences and the
// renderer (src/render/index.ts re-exports it).

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
