import { NangoAction, type HttpResponse } from '@nangohq/action';

interface Input {
  text: string;
}

/** Posts a tweet as the user (OAuth 1.0a user context). */
export default class PostTweet extends NangoAction<Input, HttpResponse> {
  override async executeAction(input: Input): Promise<HttpResponse> {
    if (!input.text) throw new Error('input.text is required');
    return this.httpRequest('2/tweets', 'POST', undefined, { text: input.text });
  }
}
