import { createContext, useContext } from 'react';
import type { AdminInfo } from '../../../server/contract/admin.ts';

export const AdminInfoContext = createContext<AdminInfo | null>(null);

/** `GET /admin/me`, known before any screen renders. */
export function useAdminInfo(): AdminInfo {
  const info = useContext(AdminInfoContext);
  if (!info) throw new Error('useAdminInfo outside the signed-in app');
  return info;
}
