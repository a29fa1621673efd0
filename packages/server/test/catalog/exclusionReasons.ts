/** Reasons shared by the exclusions of several auth modes (exclusions.ts, exclusionsTwoStep.ts). */

export const HOST_FROM_CONNECTION =
  "base_url's host, its domain or the whole URL is a value the user types (`https://${connectionConfig.hostname}`, " +
  '`https://api.${connectionConfig.siteParameter}`, `${connectionConfig.instance_url}`): this server lets a ' +
  "Connection's value fill only one label of a host whose domain the catalog fixes, so whoever sets a Connection's " +
  'config cannot send its credentials to a host of their choosing (docs/integrations-yaml.md); such an integration ' +
  'needs its own base_url in integrations.yaml';
