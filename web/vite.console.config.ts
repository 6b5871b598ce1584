import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompress } from './precompress.js';

const web = fileURLToPath(new URL('.', import.meta.url));

/** The agent console: a single-page app at /console, hashed assets under /console/assets/. */
export default defineConfig({
  root: `${web}console`,
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: false,
  },
  plugins: [precompress()],
});
