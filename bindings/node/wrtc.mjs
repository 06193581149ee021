// localmediastream/wrtc as an ES module: the CommonJS module (wrtc.js)
// re-exported, so `import` and `require()` share one instance.
//
//   import { toWrtcTrack } from 'localmediastream/wrtc';
import adapter from './wrtc.js';

export default adapter;
export const { toWrtcTrack } = adapter;
