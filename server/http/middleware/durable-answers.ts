import type { RequestHandler, Response } from 'express';
import type { GroupCommit } from '../../store/group-commit.ts';
import { failure } from '../../contract/envelope.ts';
import { headFields } from '../security-headers.ts';

const DISK_FAILED = JSON.stringify(
  failure(500, 'Could not write to the disk: whether this request took effect is unknown'),
);

/**
 * No answer leaves before what was committed while its request was handled is on disk: a 2xx promises only what
 * survives a power cut (group-commit.ts; one fsync serves every answer waiting at the time). A request during which
 * nothing was committed (most reads, every answer given in the same turn as its request) goes at once, and so does
 * one whose last commits are facts no answer promises (WhatsApp's ack of a synchronous send: its 200 waits for the
 * acceptance and the key write, on disk before Baileys went on). Answers streamed before their end (event streams,
 * files) are not held: they promise nothing about the store.
 */
export function durableAnswers(commits: Pick<GroupCommit, 'mark' | 'promised' | 'durable'>): RequestHandler {
  return (_req, res, next) => {
    const before = commits.mark();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      const promised = commits.promised();
      if (res.headersSent || promised <= before) return end(...args);
      commits.durable(promised).then(
        () => end(...args),
        () => {
          res.statusCode = 500;
          headFields(res, null);
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.removeHeader('content-length');
          end(DISK_FAILED);
        },
      );
      return res;
    }) as Response['end'];
    next();
  };
}
