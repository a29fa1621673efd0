/**
 * Rows as a plain-text table: a header, a rule, one line per row, columns padded to their widest cell. Cells are
 * printed as strings; null and undefined as '-'. An empty list prints the header and "(none)".
 */
export function table(columns: readonly { key: string; title: string }[], rows: readonly Record<string, unknown>[]): string {
  const cell = (value: unknown): string =>
    value === null || value === undefined || value === '' ? '-' : String(value).replace(/\s+/g, ' ');
  const cells = rows.map((row) => columns.map((column) => cell(row[column.key])));
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((column) => column.title)), line(widths.map((width) => '-'.repeat(width)))];
  for (const values of cells) out.push(line(values));
  if (rows.length === 0) out.push('(none)');
  return out.join('\n');
}

/** An object as a two-column key/value table. */
export function keyValues(object: Record<string, unknown>): string {
  return table(
    [
      { key: 'field', title: 'field' },
      { key: 'value', title: 'value' },
    ],
    Object.entries(object).map(([field, value]) => ({
      field,
      value: typeof value === 'object' && value !== null ? JSON.stringify(value) : value,
    })),
  );
}
