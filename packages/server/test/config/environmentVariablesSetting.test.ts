import { resolveWorkerSettings } from '../../src/settings';

describe('NANGO_ENVIRONMENT_VARIABLES', () => {
  it('is empty by default, and a JSON object of names to text otherwise, in the order given', () => {
    expect(resolveWorkerSettings({}).environmentVariables).toEqual({});
    expect(resolveWorkerSettings({ NANGO_ENVIRONMENT_VARIABLES: '  ' }).environmentVariables).toEqual({});
    const { environmentVariables } = resolveWorkerSettings({
      NANGO_ENVIRONMENT_VARIABLES: '{"API_BASE":"https://api.example.com","lower case name":"","__proto__":"kept"}',
    });
    expect(Object.entries(environmentVariables)).toEqual([
      ['API_BASE', 'https://api.example.com'],
      ['lower case name', ''],
      ['__proto__', 'kept'],
    ]);
    expect(Object.isFrozen(environmentVariables)).toBe(true);
  });

  it('refuses what is not such an object, naming the variable and the entry, never a value', () => {
    const secret = 'sk_live_do_not_print';
    const problems = (raw: string) => {
      try {
        resolveWorkerSettings({ NANGO_ENVIRONMENT_VARIABLES: raw });
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`accepted ${raw}`);
    };
    expect(problems(`{"KEY": ${secret}}`)).toMatch(/NANGO_ENVIRONMENT_VARIABLES is not valid JSON/);
    expect(problems(`{"KEY": ${secret}}`)).not.toContain(secret);
    expect(problems(`["${secret}"]`)).toMatch(/NANGO_ENVIRONMENT_VARIABLES must be a JSON object/);
    expect(problems(`"${secret}"`)).toMatch(/must be a JSON object/);
    const many = problems(`{"PORT": 8080, "FLAGS": {"a": "${secret}"}, "": "x", "OK": "fine"}`);
    expect(many).toContain("the value of 'PORT' must be text (a JSON string), not a number");
    expect(many).toContain("the value of 'FLAGS' must be text (a JSON string), not an object");
    expect(many).toContain('every name is 1 to 255 characters, not blank');
    expect(many).not.toContain(secret);
  });
});
