/** HTTP methods httpRequest accepts (case-insensitive). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Query parameters; null and undefined values are left out. */
export type HttpParams = Record<string, string | number | boolean | null | undefined>;

/**
 * What httpRequest resolves with, for every status code (it does not throw on 4xx/5xx: check `ok`).
 * Plain JSON, so an action can return it as it is.
 */
export interface HttpResponse<Body = unknown> {
  /** True for a 2xx status. */
  ok: boolean;
  status: number;
  statusText: string;
  /** Response headers, names lower-cased. */
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON, otherwise the text ('' when empty). */
  body: Body;
  /** The body as text ('' when empty), as the 2022 product's response had it. */
  data: string;
  /**
   * The body parsed as JSON whatever the content type says, undefined when it does not parse (as the 2022
   * product's response had it). Typed `any` because its files read `response.json.results` unchecked.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  json: any;
}
