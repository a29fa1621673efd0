/** The credentials auth() takes for each non-OAuth auth mode (contract B.4: what frontend 0.71's auth() posts). */
export type Credentials =
  | { apiKey: string }
  | { username: string; password: string }
  | { type: 'SIGNATURE'; username: string; password: string }
  | { type: 'TWO_STEP'; [field: string]: unknown }
  | { type: 'JWT'; [field: string]: unknown }
  | { privateKey: unknown; [field: string]: unknown }
  | { token_id: string; token_secret: string; oauth_client_id_override?: string; oauth_client_secret_override?: string }
  | { client_id: string; client_secret?: string; client_certificate?: string; client_private_key?: string }
  | { type: 'AWS_SIGV4'; role_arn: string; region?: string }
  | { username: string; password: string; organization_id: string; dev_key: string };

/**
 * The route and body of a mode's credentials, recognised by their shape in the order the official frontend checks
 * them (the explicit `type`s first, Bill's four fields before basic's two).
 * @returns undefined for a shape no route takes
 */
export function credentialRoute(
  credentials: Record<string, unknown>,
): { route: string; body: Record<string, unknown> } | undefined {
  const has = (...names: string[]) => names.every((name) => name in credentials);
  const type = credentials['type'];
  if (type === 'TWO_STEP') return { route: '/auth/two-step/', body: credentials };
  if (type === 'SIGNATURE' && has('username', 'password')) return { route: '/auth/signature/', body: credentials };
  if (type === 'AWS_SIGV4' && has('role_arn')) {
    const body: Record<string, unknown> = { role_arn: credentials['role_arn'] };
    if (credentials['region']) body['region'] = credentials['region'];
    return { route: '/auth/aws-sigv4/', body };
  }
  if (has('username', 'password', 'organization_id', 'dev_key')) {
    return { route: '/auth/bill/', body: pick(credentials, ['username', 'password', 'organization_id', 'dev_key']) };
  }
  if (has('apiKey')) return { route: '/api-auth/api-key/', body: { apiKey: credentials['apiKey'] } };
  if (type === 'JWT' || has('privateKey')) return { route: '/auth/jwt/', body: credentials };
  if (has('token_id', 'token_secret')) {
    const fields = ['token_id', 'token_secret', 'oauth_client_id_override', 'oauth_client_secret_override'];
    return { route: '/auth/tba/', body: pick(credentials, fields) };
  }
  if (has('client_id') && (has('client_secret') || has('client_private_key'))) {
    const fields = ['client_id', 'client_secret', 'client_certificate', 'client_private_key'];
    return { route: '/oauth2/auth/', body: pick(credentials, fields) };
  }
  if (has('username') || has('password')) {
    return {
      route: '/api-auth/basic/',
      body: { username: credentials['username'] ?? '', password: credentials['password'] ?? '' },
    };
  }
  return undefined;
}

/** The fields named that the credentials have (the official frontend sends no others for these modes). */
function pick(credentials: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) if (credentials[name] !== undefined) picked[name] = credentials[name];
  return picked;
}
