/**
 * How the server exports traces, read from the standard OpenTelemetry variables (the SDK's own names, so a
 * deployment that sets them for its other services sets them for this one too). Nothing is exported, and no SDK is
 * started, unless an OTLP endpoint is given.
 */
export interface TracingSettings {
  /**
   * Where spans go, an OTLP/HTTP traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else
   * OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. Undefined: no SDK is started (also when OTEL_SDK_DISABLED=true or
   * OTEL_TRACES_EXPORTER=none). The exporter reads OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and _COMPRESSION itself.
   */
  readonly tracesUrl: string | undefined;
  /** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL: `http/protobuf` (default) or `http/json`. */
  readonly protocol: OtlpProtocol;
  /** OTEL_SERVICE_NAME — the `service.name` of every span. Default: nango-server */
  readonly serviceName: string;
  /** OTEL_TRACES_SAMPLER — which traces are kept. Default: parentbased_always_on */
  readonly sampler: SamplerName;
  /** OTEL_TRACES_SAMPLER_ARG — the ratio of the `traceidratio` samplers, 0 to 1. Default: 1 */
  readonly samplerRatio: number;
}

/** The OTLP transports this server speaks (gRPC is not one: the OTLP/HTTP port, 4318, takes both of these). */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** The standard sampler names (OTEL_TRACES_SAMPLER). */
export type SamplerName =
  'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** The variables read here, with their defaults, for `nango-server --help`. */
export const TRACING_ENV: ReadonlyArray<readonly [string, string]> = [
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'none: no traces exported (<url>/v1/traces when set)'],
  ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces'],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf (or http/json)'],
  ['OTEL_EXPORTER_OTLP_HEADERS', 'none (key=value,… sent with every export)'],
  ['OTEL_SERVICE_NAME', 'nango-server'],
  ['OTEL_TRACES_SAMPLER', 'parentbased_always_on'],
  ['OTEL_TRACES_SAMPLER_ARG', '1'],
  ['OTEL_TRACES_EXPORTER', 'otlp (none: no traces exported)'],
  ['OTEL_SDK_DISABLED', 'false'],
];

/**
 * Reads the tracing settings from `env`, adding a line to `problems` for each bad value (the worker refuses to
 * start with all of them listed, as for its own settings).
 */
export function resolveTracingSettings(env: NodeJS.ProcessEnv, problems: string[]): TracingSettings {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const protocolName = value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = value(protocolName) ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    problems.push(
      `${protocolName} must be http/protobuf or http/json (OTLP over HTTP, port 4318; gRPC is not supported), got '${protocol}'`,
    );
  }
  const sampler = (value('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase() as SamplerName;
  if (!SAMPLERS.includes(sampler)) {
    problems.push(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, got '${env['OTEL_TRACES_SAMPLER']}'`);
  }
  const ratioText = value('OTEL_TRACES_SAMPLER_ARG');
  const samplerRatio = ratioText === undefined ? 1 : Number(ratioText);
  if (!Number.isFinite(samplerRatio) || samplerRatio < 0 || samplerRatio > 1) {
    problems.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got '${ratioText}'`);
  }
  return {
    tracesUrl: exporting(value, problems) ? tracesUrl(value, problems) : undefined,
    protocol: protocol as OtlpProtocol,
    serviceName: value('OTEL_SERVICE_NAME') ?? 'nango-server',
    sampler,
    samplerRatio,
  };
}

/** False when the standard switches turn exporting off, whatever the endpoint says. */
function exporting(value: (name: string) => string | undefined, problems: string[]): boolean {
  if (value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return false;
  const exporters = (value('OTEL_TRACES_EXPORTER') ?? 'otlp').split(',').map((name) => name.trim().toLowerCase());
  const unknown = exporters.filter((name) => name !== 'otlp' && name !== 'none');
  if (unknown.length > 0) problems.push(`OTEL_TRACES_EXPORTER must be otlp or none, got '${unknown.join(',')}'`);
  return !exporters.includes('none');
}

/** The traces URL from the two endpoint variables; undefined when neither is set. */
function tracesUrl(value: (name: string) => string | undefined, problems: string[]): string | undefined {
  const specific = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const general = value('OTEL_EXPORTER_OTLP_ENDPOINT');
  const [name, url] = specific
    ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific]
    : general
      ? ['OTEL_EXPORTER_OTLP_ENDPOINT', `${general.replace(/\/+$/, '')}/v1/traces`]
      : [undefined, undefined];
  if (name === undefined) return undefined;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    // The URL itself is not quoted: it may carry credentials in its user info.
    problems.push(`${name} must be an http:// or https:// URL (an OTLP/HTTP endpoint such as http://localhost:4318)`);
    return undefined;
  }
  return url;
}
