// Types for the ES module entry of localmediastream/wrtc (wrtc.mjs): the same
// declarations as wrtc.d.ts, plus the default export, which is the module.
import * as adapter from './wrtc.js';

export * from './wrtc.js';
export default adapter;
