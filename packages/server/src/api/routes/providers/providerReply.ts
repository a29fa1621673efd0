import type { Provider } from '../../../providers/Provider';

/**
 * Where a provider's logo is: Nango's public image of the same name. This server serves no images; the URL is what
 * Nango's own API answers, so a Connect UI built for Nango shows the same logos.
 */
export function logoUrlOf(provider: string): string {
  return `https://app.nango.dev/images/template-logos/${encodeURIComponent(provider)}.svg`;
}

/** A provider as `/providers` answers it (contract C.3): its catalog entry plus `name` and `logo_url`. */
export function providerReply(provider: Provider): Provider & { logo_url: string } {
  return { ...provider, name: provider.name, logo_url: logoUrlOf(provider.name) };
}
