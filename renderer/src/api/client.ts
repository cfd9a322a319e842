import type { Envelope } from '../../../server/contract/envelope.ts';

/** A failed call, carrying the API's own words so the page can show them as they are. */
export class ApiFailure extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** The page never holds a key: a 401 means the dashboard login is missing or over, and the app says so. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => {
    signedOutListeners.delete(listener);
  };
}

/** One call to the core, same origin with the admin cookie; answers the envelope's data or throws its error. */
export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  // A FormData (a file upload) goes as multipart/form-data, with the boundary the browser chooses.
  const json = body !== undefined && !(body instanceof FormData);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: json
        ? { Accept: 'application/json', 'Content-Type': 'application/json' }
        : { Accept: 'application/json' },
      body: body instanceof FormData ? body : json ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiFailure(0, 'WaGate is not answering. Check that it is still running, then try again.');
  }
  let envelope: Envelope<T>;
  try {
    envelope = (await response.json()) as Envelope<T>;
  } catch {
    throw new ApiFailure(response.status, `WaGate gave an unexpected answer (HTTP ${response.status}). Try again.`);
  }
  if (envelope.status) return envelope.data;
  if (envelope.code === 401) for (const listener of signedOutListeners) listener();
  throw new ApiFailure(envelope.code, envelope.error);
}

/** The error text to show for anything a call threw. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
