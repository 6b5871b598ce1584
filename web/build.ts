// Builds the widget and the agent console into web/dist (`npm run build:web`; `npm install`
// runs it through `prepare`). Without Vite (a production install that omitted dev dependencies)
// it says so and exits 0: the server then answers /widget.js and /console with 503
// CS_WEB_ASSETS_MISSING instead of failing the install.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.dirname(fileURLToPath(import.meta.url));
const configs = ['vite.widget.config.ts', 'vite.console.config.ts'];

/** True when web/dist is missing or older than any source file under web/. */
export function webBuildIsStale(): boolean {
  const outputs = [path.join(web, 'dist/widget/widget.js'), path.join(web, 'dist/console/index.html')];
  if (!outputs.every((file) => existsSync(file))) return true;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.name !== 'dist' && entry.name !== 'node_modules')
        .map((entry) =>
          entry.isDirectory() ? newest(path.join(dir, entry.name)) : statSync(path.join(dir, entry.name)).mtimeMs,
        ),
    );
  return newest(web) > built;
}

export async function buildWeb(): Promise<boolean> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    console.warn(
      'kefu: vite is not installed (dev dependency), so the widget and console were not built; run `npm install` then `npm run build:web`',
    );
    return false;
  }
  for (const config of configs) await vite.build({ configFile: path.join(web, config), logLevel: 'warn' });
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const built = await buildWeb();
  if (built) console.log(`kefu: web front ends built into web/dist in ${Date.now() - started} ms`);
}
