'use strict';
throw new Error('napi build --use-napi-cross is not supported here: see bindings/node/tools/README.md');
