/** `GET /admin/me`: what the dashboard needs to know about the core it talks to. */
export interface AdminInfo {
  sandbox: boolean;
  version: string;
  api_url: string;
}
