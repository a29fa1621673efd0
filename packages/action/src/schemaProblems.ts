/** What a zod schema's failed `safeParse` gives: the message (zod 4: its issues as indented JSON) and the issues. */
export interface SchemaError {
  message: string;
  issues?: readonly { path?: readonly PropertyKey[]; message?: string }[];
}

/**
 * A failed parse on one line, each problem after the field it is about: `text: Invalid input: expected string,
 * received number; items.0.id: Required`; the value itself is `(the value)`. zod's own message (JSON spread over
 * lines) when it has no issues.
 */
export function describeSchemaError(error: SchemaError): string {
  const issues = Array.isArray(error.issues) ? error.issues : [];
  if (issues.length === 0) return error.message;
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map(String).join('.');
      return `${path === '' ? '(the value)' : path}: ${issue.message ?? 'invalid'}`;
    })
    .join('; ');
}
