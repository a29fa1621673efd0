/** One problem found in a configuration file (integrations.yaml, the providers catalog): the keys leading to it from the root, and what is wrong. */
export interface ConfigProblem {
  readonly path: readonly string[];
  /** Never quotes a value from the file: after substitution, values may hold secrets from the environment. */
  readonly message: string;
}

/** A configuration file is wrong: every problem found, one `path: problem` line each, none quoting a value. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(source: string, problems: string[], options?: { cause?: unknown }) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`${source}: ${count}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`, options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
