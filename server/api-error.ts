/**
 * An error meant for whoever asked: its code is the HTTP status the API answers with, its message the `error` text.
 * It lives outside http/ because the WhatsApp session, the sender and the simulator decide these answers too.
 */
export class ApiError extends Error {
  readonly code: number;
  constructor(code: number, error: string) {
    // A 4xx is an expected answer, not a fault to trace: capturing its stack was a tenth of a rejected request's time.
    const stackTraceLimit = Error.stackTraceLimit;
    if (code < 500) Error.stackTraceLimit = 0;
    super(error);
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
  }
}
