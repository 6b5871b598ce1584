import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompress } from './precompress.js';

const web = fileURLToPath(new URL('.', import.meta.url));

/**
 * The embeddable widget: one classic script (IIFE, no module loader, no chunks) at
 * web/dist/widget/widget.js, served as /widget.js. JSX compiles to Preact through oxc
 * (Vite 8's transformer), so no Babel preset is needed.
 */
export default defineConfig({
  root: web,
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: false,
    lib: { entry: 'widget/main.tsx', name: 'kefuWidget', formats: ['iife'], fileName: () => 'widget.js' },
  },
  plugins: [precompress()],
});
