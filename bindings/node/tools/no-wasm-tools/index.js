'use strict';
throw new Error('wasm targets are not supported here: see bindings/node/tools/README.md');
