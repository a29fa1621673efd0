import { NangoAction } from '@nangohq/action';

/** Posts `input.msg` to the Slack channel the user chose (additionalConfig.channelId). */
export default class SlackNotify extends NangoAction {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- written exactly as in the guide
  override async executeAction(input: any) {
    // Get the user's preferred channelId
    const connection = this.getCurrentConnection();
    const channelId = connection.additionalConfig.channelId ? connection.additionalConfig.channelId : 'default value';

    // Send the notification
    const body = {
      channelId: channelId,
      text: input.msg,
      mrkdwn: true,
    };

    const response = await this.httpRequest('chat.postMessage', 'POST', undefined, body);
    return response;
  }
}
