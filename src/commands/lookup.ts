import { notBuiltYet } from './not-built-yet.js';

export const configure = notBuiltYet('lookup', 3);
