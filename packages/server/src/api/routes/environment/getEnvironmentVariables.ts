import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';

/**
 * `GET /environment-variables` (node SDK 0.71 getEnvironmentVariables): `[{ name, value }]`, exactly the entries of
 * NANGO_ENVIRONMENT_VARIABLES in the order given, `[]` without it. Nango Cloud keeps these per environment in its
 * dashboard; here the operator lists them in one setting, so nothing else (the secret key, the database URL, the
 * process's environment) can ever be read through this route.
 */
export function registerGetEnvironmentVariables(app: FastifyInstance, context: ApiContext): void {
  app.get('/environment-variables', async () =>
    Object.entries(context.workerSettings.environmentVariables).map(([name, value]) => ({ name, value })),
  );
}
