import { NangoAction } from '@nangohq/action';

/** Makes one API call and returns its status. */
export default class Http extends NangoAction {
  override async executeAction() {
    const response = await this.httpRequest('ping');
    return { status: response.status };
  }
}
