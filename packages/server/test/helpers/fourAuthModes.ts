/** integrations.yaml with one integration per auth mode, as the node client reference registers them. */
export const FOUR_AUTH_MODES_YAML = `
integrations:
  slack:
    auth_mode: OAUTH2
    base_url: https://slack.example/api
  twitter:
    auth_mode: OAUTH1
    base_url: https://api.twitter.example
    oauth:
      client_id: consumer-key
      client_secret: consumer-secret
  example:
    auth_mode: API_KEY
    base_url: https://api.example.test
    headers:
      X-API-Key: \${api_key}
  basic:
    auth_mode: USERNAME_PASSWORD
    base_url: https://basic.example.test
`;
