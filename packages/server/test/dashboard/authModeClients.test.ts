import { needsOAuthClient, takesOAuthClient, usesOAuthCallback } from '../../../dashboard/src/checks/authModeClients';

describe("the dashboard's view of which auth modes hold an OAuth client", () => {
  it('takes a client for OAuth 2, OAuth 1, TBA and OAUTH2_CC, and none for the modes whose Connections bring theirs', () => {
    for (const mode of ['OAUTH2', 'OAUTH1', 'TBA', 'OAUTH2_CC']) expect(takesOAuthClient(mode)).toBe(true);
    for (const mode of ['API_KEY', 'BASIC', 'SIGNATURE', 'BILL', 'JWT', 'TWO_STEP', 'NONE', undefined]) {
      expect(takesOAuthClient(mode)).toBe(false);
    }
  });

  it("needs the client of a new integration but OAUTH2_CC's (a Connection may bring its own), and sends back through the callback only OAuth flows", () => {
    expect(['OAUTH2', 'OAUTH1', 'TBA', 'OAUTH2_CC'].filter(needsOAuthClient)).toEqual(['OAUTH2', 'OAUTH1', 'TBA']);
    expect(['OAUTH2', 'OAUTH1', 'TBA', 'OAUTH2_CC'].filter(usesOAuthCallback)).toEqual(['OAUTH2', 'OAUTH1']);
  });
});
