import { requiresAuthentication, type RestResponse } from './rest.ts';

export { newAdminSecret, presentsAdminSecret } from '../serving/admin-auth.ts';

/** GitHub's answer to a request without (valid) credentials, with a Bearer challenge. */
export function adminAuthenticationRequired(): RestResponse {
  return { ...requiresAuthentication(), headers: { 'www-authenticate': 'Bearer realm="fluxbench admin"' } };
}
