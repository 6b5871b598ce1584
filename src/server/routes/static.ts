import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCodes } from '../../errors/index.js';
import { problem, sendProblem } from '../problem.js';
import { DEMO_IMAGES_PATH } from './demo-page.js';

/** Where `npm run build:web` writes the widget and the console (web/dist, gitignored). */
export const webDistDirectory = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** The demo page's product pictures: hand-written SVG files kept in the repository (not built). */
export const demoImagesDirectory = fileURLToPath(new URL('../../../web/demo-images', import.meta.url));

export interface StaticRoutesOptions {
  /** Another build output (tests); defaults to web/dist. */
  root?: string;
  /** Another folder of demo pictures (tests); defaults to web/demo-images. */
  demoImages?: string;
}

/** A demo picture's file name: letters, digits and dashes, then .svg (nothing else is served). */
const DEMO_IMAGE_NAME = /^[a-z0-9][a-z0-9-]{0,63}\.svg$/;

/**
 * The built web front ends: `/widget.js` (the embed; a stable URL, so cached briefly and
 * revalidated by ETag), `/console` (the agent console's page, never cached) and
 * `/console/assets/*` (content-hashed, cached for a year). Gzip and Brotli copies written at
 * build time are served when the browser accepts them. When the assets were not built, these
 * routes answer 503 `CS_WEB_ASSETS_MISSING` and start-up logs a warning naming the command.
 * `/demo/images/<name>.svg` serves the demo page's pictures straight from web/demo-images.
 */
export async function staticRoutes(app: FastifyInstance, options: StaticRoutesOptions = {}): Promise<void> {
  const root = path.resolve(options.root ?? webDistDirectory);
  const widgetDir = path.join(root, 'widget');
  const consoleDir = path.join(root, 'console');
  const built = () => existsSync(path.join(widgetDir, 'widget.js')) && existsSync(path.join(consoleDir, 'index.html'));
  if (!built())
    app.log.warn(`web assets not found in ${root}: run \`npm run build:web\` to serve /widget.js and /console`);

  await app.register(fastifyStatic, { root: consoleDir, serve: false, preCompressed: true });

  const missing = (reply: FastifyReply) =>
    sendProblem(
      reply,
      problem(
        503,
        ErrorCodes.webAssetsMissing,
        'the web front ends are not built: run `npm run build:web` (npm install runs it too)',
      ),
    );

  app.get('/widget.js', { schema: { hide: true } }, async (_request, reply) => {
    if (!built()) return missing(reply);
    // Shops paste this URL once; a short max-age lets a new version reach them within minutes.
    return reply
      .header('access-control-allow-origin', '*')
      .sendFile('widget.js', widgetDir, { maxAge: '5m', immutable: false });
  });

  // The page names the hashed assets of the current build, so it is always revalidated.
  const consolePage = async (_request: unknown, reply: FastifyReply) => {
    if (!built()) return missing(reply);
    return reply
      .header('cache-control', 'no-cache')
      .header('x-frame-options', 'DENY')
      .sendFile('index.html', consoleDir, { cacheControl: false });
  };
  app.get('/console', { schema: { hide: true } }, consolePage);

  app.get('/console/assets/*', { schema: { hide: true } }, async (request, reply) => {
    if (!built()) return missing(reply);
    const file = (request.params as { '*': string })['*'];
    return reply.sendFile(path.posix.join('assets', file), consoleDir, { maxAge: '365d', immutable: true });
  });

  // The demo page's pictures: SVG from the repository, so they need no build. An SVG opened on its
  // own is a document: the policy lets it draw and nothing else (no script, no fetches).
  const demoImages = path.resolve(options.demoImages ?? demoImagesDirectory);
  app.get(`${DEMO_IMAGES_PATH}:file`, { schema: { hide: true } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    if (!DEMO_IMAGE_NAME.test(file) || !existsSync(path.join(demoImages, file)))
      return sendProblem(reply, problem(404, ErrorCodes.notFound, 'no such demo image'));
    return reply
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff')
      .sendFile(file, demoImages, { maxAge: '1d', immutable: false });
  });
}
