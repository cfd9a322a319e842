/** The `{status, code, message, data|error}` envelope that every answer of the API speaks (docs/send-message-api.txt). */
export type Envelope<T> =
  | { status: true; code: number; message: string; data: T }
  | { status: false; code: number; message: string; error: string };

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  431: 'Request header fields too large',
  422: 'Unprocessable entity',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export function success<T>(message: string, data: T, code = 200): Envelope<T> {
  return { status: true, code, message, data };
}

export function failure(code: number, error: string): Envelope<never> {
  return { status: false, code, message: STATUS_TEXT[code] ?? 'Error', error };
}
