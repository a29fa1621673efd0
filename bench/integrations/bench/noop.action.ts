import { NangoAction } from '@nangohq/action';

/** Does nothing: what is measured is the platform around it. */
export default class Noop extends NangoAction {
  override async executeAction() {
    return { ok: true };
  }
}
