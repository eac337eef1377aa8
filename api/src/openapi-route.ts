/** GET /openapi.json: the API's OpenAPI 3.1 document, built once per app. */
import { Router } from 'express';
import { openApiDocument, type OpenApiOptions } from './openapi/openapi-document.js';

export function openApiRoute(options: OpenApiOptions): Router {
  const document = openApiDocument(options);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
