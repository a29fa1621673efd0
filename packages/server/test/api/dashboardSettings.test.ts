import { resolveWorkerSettings } from '../../src/settings';

describe('the dashboard settings', () => {
  it('default to a dashboard that the secret key alone signs in to, for 12 hours', () => {
    const settings = resolveWorkerSettings({});
    expect(settings).toMatchObject({
      dashboard: true,
      dashboardUser: undefined,
      dashboardPassword: undefined,
      dashboardSessionTtlSeconds: 43_200,
    });
  });

  it('read NANGO_DASHBOARD, the user and password, and the lifetime of a sign-in', () => {
    const settings = resolveWorkerSettings({
      NANGO_DASHBOARD: 'off',
      NANGO_DASHBOARD_USER: 'ann',
      NANGO_DASHBOARD_PASSWORD: 'pw',
      NANGO_DASHBOARD_SESSION_TTL_S: '600',
    });
    expect(settings).toMatchObject({
      dashboard: false,
      dashboardUser: 'ann',
      dashboardPassword: 'pw',
      dashboardSessionTtlSeconds: 600,
    });
  });

  it('refuse a user without a password (or the other way), naming the missing one and never a value', () => {
    expect(() => resolveWorkerSettings({ NANGO_DASHBOARD_USER: 'ann' })).toThrow(
      'NANGO_DASHBOARD_USER and NANGO_DASHBOARD_PASSWORD go together: NANGO_DASHBOARD_PASSWORD is not set',
    );
    let message = '';
    try {
      resolveWorkerSettings({ NANGO_DASHBOARD_PASSWORD: 'secret-pw-value' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('NANGO_DASHBOARD_USER is not set');
    expect(message).not.toContain('secret-pw-value');
    expect(() => resolveWorkerSettings({ NANGO_DASHBOARD: 'maybe' })).toThrow('NANGO_DASHBOARD must be true or false');
    expect(() => resolveWorkerSettings({ NANGO_DASHBOARD_SESSION_TTL_S: '10' })).toThrow(
      'NANGO_DASHBOARD_SESSION_TTL_S must be an integer >= 60',
    );
  });
});
