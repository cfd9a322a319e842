import { sendOk } from '../envelope.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import { PacingPolicySchema, PacingStateSchema, type PacingPolicy } from '../../contract/pacing.ts';
import type { Pacer } from '../../whatsapp/pacing.ts';

export interface AdminPacingDeps {
  pacer: Pick<Pacer, 'state' | 'setPolicy'>;
  /** Keeps the policy for the next start (config.json). */
  save(policy: PacingPolicy): void;
}

/** The dashboard's Pacing screen at /admin/pacing: the policy, what it has counted, what it holds back; edits. */
export function createAdminPacingRouter({ pacer, save }: AdminPacingDeps): ApiRouter {
  const api = createApiRouter();
  const common = { path: '/pacing', tag: 'Dashboard', auth: true, data: PacingStateSchema } as const;

  api.route({ ...common, method: 'get', summary: 'The pacing policy and its counts', errors: [401] }, (_input, res) => {
    sendOk(res, 'Pacing', pacer.state());
  });

  api.route(
    { ...common, method: 'put', summary: 'Change the pacing policy', body: PacingPolicySchema, errors: [400, 401] },
    ({ body }, res) => {
      // Saved first: a policy that could not be kept is not applied, so what runs is what the next start runs.
      save(body);
      pacer.setPolicy(body);
      sendOk(res, 'Pacing policy saved', pacer.state());
    },
  );

  return api;
}
