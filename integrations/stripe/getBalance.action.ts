import { NangoAction } from '@nangohq/action';

interface Balance {
  available: Array<{ amount: number; currency: string }>;
}

/** Returns the available balance per currency of the user's Stripe account. */
export default class GetBalance extends NangoAction<Record<string, never>, Record<string, number>> {
  override async executeAction(): Promise<Record<string, number>> {
    const response = await this.httpRequest<Balance>('balance');
    if (!response.ok) throw new Error(`Stripe answered ${response.status}`);
    return Object.fromEntries(response.body.available.map((entry) => [entry.currency, entry.amount]));
  }
}
