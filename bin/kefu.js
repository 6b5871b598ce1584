#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader, so `npx kefu` works from a clone
// without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
