import { NangoAction } from '@nangohq/action';

interface Input {
  name?: string;
}

/** Greets, using the greeting stored in the Connection's additionalConfig. Calls no API. */
export default class Hello extends NangoAction<Input, { message: string }> {
  override async executeAction(input: Input) {
    const { additionalConfig, userId } = this.getCurrentConnection();
    const greeting = typeof additionalConfig.greeting === 'string' ? additionalConfig.greeting : 'Hello';
    this.logger.info('greeting', { userId });
    return { message: `${greeting}, ${input.name ?? 'world'}!` };
  }
}
