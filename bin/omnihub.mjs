#!/usr/bin/env node
// The `omnihub` command: runs bin/omnihub.ts without a build step, through tsx
// (the TypeScript loader `npm start` uses too).
import { register } from 'tsx/esm/api';

register();
await import('./omnihub.ts');
