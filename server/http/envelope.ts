import type { Response } from 'express';
import { failure, success } from '../contract/envelope.ts';

/** Answers in the envelope of server/contract/envelope.ts. */
export function sendOk<T>(res: Response, message: string, data: T, code = 200): void {
  res.status(code).json(success(message, data, code));
}

export function sendFail(res: Response, code: number, error: string): void {
  res.status(code).json(failure(code, error));
}
