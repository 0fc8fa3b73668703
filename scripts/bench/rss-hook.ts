// Loaded with `node --import` into a measured child: on exit, it writes the process's peak RSS (KiB) to
// $BENCH_RSS_FILE, so the bench reads the child's own figure, not its parent's.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
