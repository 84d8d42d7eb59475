#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's CommonJS hook, so `npx trade` needs no build step.
require('tsx/cjs');
require('../src/client/cli/main.ts').main(process.argv);
