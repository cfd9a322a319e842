/**
 * An error meant for whoever asked: its code is the HTTP status the API answers with, its message the `error` text.
 * It lives outside http/ because the WhatsApp session, the sender and the simulator decide these answers too.
 */
export class ApiError extends Error {
  readonly code: number;
  constructor(code: number, error: string) {
    super(error);
    this.code = code;
  }
}
