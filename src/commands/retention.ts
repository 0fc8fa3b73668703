import { notBuiltYet } from './not-built-yet.js';

export const configure = notBuiltYet('retention', 5);
