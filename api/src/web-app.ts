/**
 * The risk team's web app (web/): static files bundled at build time, served here under a strict
 * Content-Security-Policy (its own script and style sheet, calls to this server, nothing else),
 * so it works offline and through the Ingress under the same origin as the API it calls.
 */
import { existsSync } from 'node:fs';
import express, { Router } from 'express';
import helmet from 'helmet';

/** The page and the bundle's content-hashed script and style sheet. */
const BUNDLE_FILE = /^\/(index\.html|app-[A-Za-z0-9]+\.(js|css))?$/;

const WEB_APP_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** helmet's full set for documents; the app's own policy is set below. */
const documentHeaders = helmet({
  contentSecurityPolicy: false,
  xFrameOptions: { action: 'deny' },
});

export function webAppRoutes(dir: string): Router {
  const router = Router();
  if (!existsSync(`${dir}/index.html`)) {
    router.get('/', (_req, res) => {
      res
        .status(503)
        .type('text')
        .send('The web app is not built: run `npm run build` (it bundles web/ into web/dist/).\n');
    });
    return router;
  }
  router.use(
    // Only the page and its hashed bundle: nothing else of the folder (tests, size records) is served.
    (req, _res, next) => {
      const served = (req.method === 'GET' || req.method === 'HEAD') && BUNDLE_FILE.test(req.path);
      next(served ? undefined : 'router');
    },
    documentHeaders,
    (_req, res, next) => {
      res.setHeader('content-security-policy', WEB_APP_POLICY);
      next();
    },
    express.static(dir, {
      index: 'index.html',
      dotfiles: 'ignore',
      redirect: false,
      // The page must be fetched again after an upgrade; the bundle's names change with its content.
      setHeaders: (res, path) => {
        res.setHeader('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      },
    }),
  );
  return router;
}
