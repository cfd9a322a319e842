import { sendJson } from '../envelope.ts';
import { createApiRouter, type ApiRouter, type Operation } from '../operations.ts';

/**
 * `GET /openapi.json`: the document itself is not enveloped (tools read it as is). Its writer (server/http/openapi.ts)
 * loads with the first request for it, not at every start.
 */
export function createOpenApiRouter(deps: {
  version: string;
  apiUrl: () => string;
  /** The public API's operations, this one's included; read at the first request, once every router is built. */
  operations: () => readonly Operation[];
}): ApiRouter {
  const api = createApiRouter();
  let document: Promise<object> | undefined;
  api.route(
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      tag: 'System',
      auth: false,
      errors: [],
      dataExample: { openapi: '3.1.0', info: { title: 'WaGate', version: deps.version }, paths: {} },
    },
    async (_input, res) => {
      document ??= import('../openapi.ts').then(({ buildOpenApi }) =>
        buildOpenApi(deps.version, deps.apiUrl(), deps.operations()),
      );
      sendJson(res, 200, await document);
    },
  );
  return api;
}
