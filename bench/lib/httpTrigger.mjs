// The bench's HTTP caller of the no-op action: POST /action/trigger from a keep-alive node:http agent, not fetch,
// whose own per-call cost (undici's) would be measured on the shared cores too.
import { request } from 'node:http';

/**
 * A function that calls bench/integrations.yaml's no-op action for user u1 on the worker's HTTP API at `port` and
 * resolves when the answer has been read; it rejects on any status but 200.
 * @param options.secretKey sent as `Authorization: Bearer …` when given
 */
export function noopTrigger({ port, agent, secretKey }) {
  const body = JSON.stringify({ action_name: 'noop', input: {} });
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(secretKey !== undefined && { authorization: `Bearer ${secretKey}` }),
    'connection-id': 'u1',
    'provider-config-key': 'bench',
  };
  return () =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/action/trigger', method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.once('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`POST /action/trigger answered ${res.statusCode}`)),
        );
      });
      req.once('error', reject);
      req.end(body);
    });
}
