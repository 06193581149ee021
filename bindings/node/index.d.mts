// Types for the ES module entry (index.mjs): the same declarations as the
// CommonJS entry (index.d.ts), plus the default export, which is the module.
import * as lms from './index.js';

export * from './index.js';
export default lms;
