// The packages a run loads only when it needs them, by import(). They are loaded from here, a module of the
// bundle's entry chunk, because import() works only in code Node compiled itself: the entry chunk is loaded
// before the code cache is installed, and the cache serves no chunk that holds an import() (src/code-cache.ts).
// test/cli/code-cache.test.ts holds that no other chunk of the bundle imports a package this way.
export const loadChalk = () => import('chalk');
export const loadPrompts = () => import('@inquirer/prompts');
export const loadCommander = () => import('commander');
export const loadCliProgress = () => import('cli-progress');
/** child_process (with net and dgram) is ~10 ms of a start-up: loaded only when a run starts a pager. */
export const loadChildProcess = () => import('node:child_process');
