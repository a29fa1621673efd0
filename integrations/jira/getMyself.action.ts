import { NangoAction } from '@nangohq/action';

/** Returns who the stored Jira credentials belong to. */
export default class GetMyself extends NangoAction<Record<string, never>, { accountId: string; displayName: string }> {
  override async executeAction() {
    const response = await this.httpRequest<{ accountId: string; displayName: string }>('rest/api/3/myself');
    if (!response.ok) throw new Error(`Jira answered ${response.status}`);
    return { accountId: response.body.accountId, displayName: response.body.displayName };
  }
}
