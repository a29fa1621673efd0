/** Every page's address, in one place: links and redirects are built here, never by hand. */
export const BASE = '/dashboard';

const part = (value: string): string => encodeURIComponent(value);

export const paths = {
  overview: () => `${BASE}/`,
  signIn: (next?: string) => `${BASE}/sign-in${next ? `?next=${part(next)}` : ''}`,
  integrations: () => `${BASE}/integrations`,
  newIntegration: () => `${BASE}/integrations/new`,
  integration: (key: string) => `${BASE}/integrations/${part(key)}`,
  connections: (filters: Record<string, string> = {}) => withFilters(`${BASE}/connections`, filters),
  connection: (integration: string, connectionId: string) => `${BASE}/connections/${part(integration)}/${part(connectionId)}`,
  logs: (filters: Record<string, string> = {}) => withFilters(`${BASE}/logs`, filters),
  operation: (id: string) => `${BASE}/logs/${part(id)}`,
  webhooks: (filters: Record<string, string> = {}) => withFilters(`${BASE}/webhooks`, filters),
  tryAction: (filters: Record<string, string> = {}) => withFilters(`${BASE}/try`, filters),
};

function withFilters(path: string, filters: Record<string, string>): string {
  const params = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
