// The loader hook register.mjs installs (it runs on Node's loader thread).
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  if (process.env.CX_TEST_MODULE_LOG) appendFileSync(process.env.CX_TEST_MODULE_LOG, `${url}\n`);
  return nextLoad(url, context);
}
