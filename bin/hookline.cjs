#!/usr/bin/env node
// The `hookline` command: the compiled CLI when `npm run build` made one, else the TypeScript
// source through tsx (a dependency of the package).
const { existsSync } = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, '..', 'dist', 'bin', 'hookline.js');
if (existsSync(built)) require(built);
else {
  require('tsx/cjs');
  require('./hookline.ts');
}
