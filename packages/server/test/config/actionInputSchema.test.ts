import * as path from 'node:path';
import { validateActionInput } from '../../src/config/actionInput';
import { ConfigError, parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';

const parse = (text: string) =>
  parseIntegrationsConfig(text, {
    sourceName: 'integrations.yaml',
    integrationsDir: path.resolve('integrations'),
    env: {},
    fileExists: () => true,
  });

const yaml = (action: string) => `
integrations:
  github:
    auth_mode: API_KEY
    base_url: https://api.github.com
    headers:
      Authorization: token \${api_key}
    actions:
      create-issue:
${action}`;

describe('action descriptions and input schemas in integrations.yaml', () => {
  it('loads them, and validation names each field that does not match', () => {
    const config = parse(
      yaml(`        description: Opens an issue
        input:
          type: object
          properties:
            title: { type: string, minLength: 1 }
            labels: { type: array, items: { type: string } }
          required: [title]
`),
    );
    const action = config.integrations.get('github')!.actions.get('create-issue')!;
    expect(action.description).toBe('Opens an issue');
    expect(action.inputSchema).toMatchObject({ required: ['title'] });
    expect(() => validateActionInput(action, { title: 'Bug', labels: ['x'] })).not.toThrow();
    expect(() => validateActionInput(action, { labels: [1] })).toThrow(
      expect.objectContaining({
        code: 'invalid_action_input',
        message: expect.stringMatching(/input\.title: is required.*input\.labels\.0: must be string/),
      }),
    );
  });

  it('refuses a schema that is not one, with its path', () => {
    let problems: string[] = [];
    try {
      parse(yaml(`        input: { type: objekt }\n`));
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/integrations\.github\.actions\.create-issue\.input.*not a valid JSON Schema/),
    ]);
    try {
      parse(yaml(`        description: 42\n`));
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringContaining('integrations.github.actions.create-issue.description')]);
  });

  it('lets any input through for an action without a schema', () => {
    const action = parse(yaml('')).integrations.get('github')!.actions.get('create-issue')!;
    expect(action.inputSchema).toBeUndefined();
    expect(() => validateActionInput(action, { anything: true })).not.toThrow();
  });
});
