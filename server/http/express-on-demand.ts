import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type * as ExpressModule from 'express';
import type { Express } from 'express';
import * as nodeHttp from './node-http.ts';

const require = createRequire(import.meta.url);

/** express itself, loaded (synchronously: it is CommonJS) the first time something asks for it. */
export function loadExpress(): typeof ExpressModule.default {
  return require('express') as typeof ExpressModule.default;
}

/**
 * What express 5.1 adds to every request and response (`app.request`'s and `app.response`'s members, `app` and
 * their prototypes'); test/http/express-on-demand.test.ts fails when an upgrade changes them.
 */
export const EXPRESS_REQUEST_MEMBERS = [
  'app',
  'header',
  'get',
  'accepts',
  'acceptsEncodings',
  'acceptsCharsets',
  'acceptsLanguages',
  'range',
  'query',
  'is',
  'protocol',
  'secure',
  'ip',
  'ips',
  'subdomains',
  'path',
  'host',
  'hostname',
  'fresh',
  'stale',
  'xhr',
] as const;
export const EXPRESS_RESPONSE_MEMBERS = [
  'app',
  'status',
  'links',
  'send',
  'json',
  'jsonp',
  'sendStatus',
  'sendFile',
  'download',
  'type',
  'contentType',
  'format',
  'attachment',
  'append',
  'header',
  'set',
  'get',
  'clearCookie',
  'cookie',
  'location',
  'redirect',
  'vary',
  'render',
] as const;

/** The requests and responses the node:http server builds, and the express app that serves what the API does not. */
export interface ExpressOnDemand {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
  /** The app, built by `configure` the first time it is asked for. */
  app(): Express;
}

/**
 * Requests and responses that carry express's methods without express loaded: the public API answers with Node's own
 * (server/http/operations.ts), and a headless core that only gets API calls never loads express (~3 MB of the JS
 * heap; npm run bench, memory). The first use of any of express's members (a dashboard page, an admin endpoint, an
 * answer only express knows how to give, such as a conditional GET's) loads it and builds the app; from then on the
 * classes' prototypes are the app's own, as if express had been there from the start.
 */
export function expressOnDemand(configure: (app: Express) => void): ExpressOnDemand {
  let built: Express | null = null;
  class ApiRequest extends nodeHttp.IncomingMessage {}
  class ApiResponse extends nodeHttp.ServerResponse {}
  const app = (): Express => {
    if (built) return built;
    const made = loadExpress()();
    configure(made);
    Object.setPrototypeOf(ApiRequest.prototype, made.request);
    Object.setPrototypeOf(ApiResponse.prototype, made.response);
    return (built = made);
  };
  Object.setPrototypeOf(
    ApiRequest.prototype,
    onFirstUse(nodeHttp.IncomingMessage.prototype, EXPRESS_REQUEST_MEMBERS, () => app().request),
  );
  Object.setPrototypeOf(
    ApiResponse.prototype,
    onFirstUse(nodeHttp.ServerResponse.prototype, EXPRESS_RESPONSE_MEMBERS, () => app().response),
  );
  return { IncomingMessage: ApiRequest, ServerResponse: ApiResponse as typeof ServerResponse, app };
}

/** A prototype over `base` whose `members` read from `real()` (with `this` kept: express's getters need it). */
function onFirstUse(base: object, members: readonly string[], real: () => object): object {
  const prototype = Object.create(base) as object;
  for (const name of members) {
    Object.defineProperty(prototype, name, {
      configurable: true,
      get(this: object) {
        return Reflect.get(real(), name, this) as unknown;
      },
      set(this: object, value: unknown) {
        if (!Reflect.set(real(), name, value, this)) throw new TypeError(`Cannot set ${name}`);
      },
    });
  }
  return prototype;
}
