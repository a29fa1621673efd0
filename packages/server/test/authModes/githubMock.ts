import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { jwtVerify } from 'jose';
import { LocalApi, type LocalAnswer, type LocalRequest } from './localApi';

/** The GitHub App the tests' integrations are: its id and private key (PKCS#1, as GitHub hands it out). */
export const APP_ID = '777';
const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const APP_KEY = app.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
/** The app's OAuth client (CUSTOM). */
export const OAUTH_CLIENT = { id: 'Iv1.client', secret: 'oauth-client-secret' };

/**
 * A local GitHub: the access_tokens endpoint checks the app JWT with the app's public key (RS256, iss the app id, at
 * most 10 minutes' life) and issues installation tokens for the installations it knows; the API accepts only live
 * installation tokens.
 */
export class LocalGitHub {
  readonly installations = new Set(['42', '43']);
  readonly issued = new Map<string, { installation: string; expiresAt: number }>();
  expiresInS = 3600;
  /** OAuth codes GitHub handed out at install, and the user each stands for. */
  readonly codes = new Map<string, string>();
  /** The installations each user can reach. */
  readonly userInstallations = new Map<string, string[]>();
  private readonly userTokens = new Map<string, string>();
  /**
   * The app's Setup URL (this server's /app-auth/connect): when set, the install page
   * (`/apps/<slug>/installations/new`) plays a user installing the app on `installs` and sends the browser there.
   */
  setupUrl = '';
  installs = '42';
  /** With CUSTOM (install and authorise), the user whose OAuth code the redirect carries too. */
  installingUser = '';
  readonly api = new LocalApi((request, self) => this.answer(request, self));

  /** A code for `user` as GitHub's install-and-authorise redirect carries it. */
  codeFor(user: string, installations: string[]): string {
    const code = `code-${randomBytes(6).toString('hex')}`;
    this.codes.set(code, user);
    this.userInstallations.set(user, installations);
    return code;
  }

  private async answer(request: LocalRequest, self: LocalApi): Promise<LocalAnswer> {
    const { method, url } = request;
    if (url.pathname === '/login/oauth/access_token') return this.exchange(request, self);
    if (this.setupUrl && /^\/apps\/[\w-]+\/installations\/new$/.test(url.pathname)) {
      const back = new URL(this.setupUrl);
      back.searchParams.set('installation_id', this.installs);
      back.searchParams.set('setup_action', 'install');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      if (this.installingUser) back.searchParams.set('code', this.codeFor(this.installingUser, [this.installs]));
      return { status: 302, body: {}, headers: { location: back.toString() } };
    }
    const authorization = String(request.headers.authorization ?? '');
    const bearer = /^Bearer (.+)$/.exec(authorization)?.[1];
    if (!bearer) return self.refuse('no bearer');
    const tokenPath = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (tokenPath) {
      if (method !== 'POST') return self.refuse('access_tokens wants POST');
      try {
        const { payload } = await jwtVerify(bearer, app.publicKey, { algorithms: ['RS256'], issuer: APP_ID });
        if (Number(payload.exp) - Number(payload.iat) > 600) return self.refuse('app JWT lives longer than 10 minutes');
      } catch (error) {
        return self.refuse(`app JWT: ${(error as Error).message}`);
      }
      const installation = tokenPath[1] as string;
      if (!this.installations.has(installation)) return { status: 404, body: { message: 'Not Found' } };
      const token = `ghs_${randomBytes(12).toString('hex')}`;
      const expiresAt = Date.now() + this.expiresInS * 1000;
      this.issued.set(token, { installation, expiresAt });
      return { status: 201, body: { token, expires_at: new Date(expiresAt).toISOString(), permissions: { issues: 'read' } } };
    }
    if (url.pathname === '/user/installations') {
      const user = this.userTokens.get(bearer);
      if (!user) return self.refuse('unknown user token');
      const ids = this.userInstallations.get(user) ?? [];
      return { status: 200, body: { total_count: ids.length, installations: ids.map((id) => ({ id: Number(id) })) } };
    }
    const issued = this.issued.get(bearer);
    if (!issued || issued.expiresAt < Date.now()) return self.refuse('unknown or expired installation token');
    if (url.pathname === '/items') {
      return { status: 200, body: { items: [{ id: `i-${issued.installation}`, name: `installation ${issued.installation}` }] } };
    }
    return { status: 200, body: { installation: issued.installation, path: url.pathname + url.search } };
  }

  private exchange(request: LocalRequest, self: LocalApi): LocalAnswer {
    const form = new URLSearchParams(request.body);
    if (form.get('client_id') !== OAUTH_CLIENT.id || form.get('client_secret') !== OAUTH_CLIENT.secret) {
      return self.refuse('bad OAuth client');
    }
    const user = this.codes.get(form.get('code') ?? '');
    if (!user) return { status: 400, body: { error: 'bad_verification_code' } };
    this.codes.delete(form.get('code') ?? '');
    const token = `ghu_${randomBytes(12).toString('hex')}`;
    this.userTokens.set(token, user);
    return { status: 200, body: { access_token: token, token_type: 'bearer', scope: '' } };
  }
}
