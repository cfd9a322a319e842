import { Router } from 'express';
import { sendOk } from '../envelope.ts';
import { parseOrThrow } from '../validate.ts';
import { PacingPolicySchema, type PacingPolicy } from '../../contract/pacing.ts';
import type { Pacer } from '../../whatsapp/pacing.ts';

export interface AdminPacingDeps {
  pacer: Pick<Pacer, 'state' | 'setPolicy'>;
  /** Keeps the policy for the next start (config.json). */
  save(policy: PacingPolicy): void;
}

/** The dashboard's Pacing screen at /admin/pacing: the policy, what it has counted, what it holds back; edits. */
export function createAdminPacingRouter({ pacer, save }: AdminPacingDeps): Router {
  const router = Router();

  router.get('/pacing', (_req, res) => {
    sendOk(res, 'Pacing', pacer.state());
  });

  router.put('/pacing', (req, res) => {
    const policy = parseOrThrow(PacingPolicySchema, req.body);
    // Saved first: a policy that could not be kept is not applied, so what runs is what the next start runs.
    save(policy);
    pacer.setPolicy(policy);
    sendOk(res, 'Pacing policy saved', pacer.state());
  });

  return router;
}
