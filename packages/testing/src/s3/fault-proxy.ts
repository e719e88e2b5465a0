import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline, Transform, type TransformCallback } from 'node:stream';

/** What a proxied request looked like, for matching faults and for assertions. */
export interface ProxiedRequest {
  /** HTTP method, upper-case. */
  method: string;
  /** Path without the query string, still percent-encoded. */
  path: string;
  /** Decoded query parameters (`uploadId`, `partNumber`, …). */
  query: URLSearchParams;
  /** Request headers as received (names lower-case). */
  headers: IncomingHttpHeaders;
  /**
   * Status sent back to the client: 499 when the client went away before its request was passed
   * on whole (the server never saw it);
   * undefined while in flight, or when a fault cut the connection before a response.
   */
  status?: number;
  /** Name of the fault applied, if any. */
  fault?: FaultAction['kind'];
}

/** Which requests a fault applies to; every given field must match. */
export interface FaultMatch {
  /** HTTP method (any case). */
  method?: string;
  /** Exact path, or a pattern tested against it (e.g. `/bucket/key`). */
  path?: string | RegExp;
  /** Query parameters: exact value, pattern, or `true` for "present" (e.g. `{ partNumber: '3' }`). */
  query?: Record<string, string | RegExp | true>;
  /** Request headers (lower-case names): exact value, pattern, or `true`/`false` for present/absent. */
  headers?: Record<string, string | RegExp | boolean>;
  /** Anything else. */
  when?: (request: ProxiedRequest) => boolean;
}

/** What the proxy does to a matching request. */
export type FaultAction =
  /** Answer with this status and an S3 XML error body, without forwarding. */
  | {
      /** Answer without forwarding. */
      kind: 'status';
      /** HTTP status to answer with. */
      status: number;
      /** S3 error `<Code>`. Default `Status<status>`. */
      code?: string;
      /** S3 error `<Message>`. Default: the code. */
      message?: string;
      /** Extra response headers (e.g. `retry-after`); they override the defaults. */
      headers?: Record<string, string>;
      /** Extra XML elements inside `<Error>` (what real S3 echoes, e.g. `AWSAccessKeyId`). */
      extraXml?: string;
    }
  /** Close the connection (TCP reset) after reading `afterRequestBytes` of the request body. */
  | {
      /** Reset the connection without forwarding. */
      kind: 'reset';
      /** Request-body bytes read before the reset. Default 0 (at once). */
      afterRequestBytes?: number;
    }
  /** Forward, send the response head and `afterBytes` of the body (default half), then reset. */
  | {
      /** Reset the connection part-way through the response body. */
      kind: 'resetMidBody';
      /** Response-body bytes sent before the reset. Default half the `Content-Length` (0 without one). */
      afterBytes?: number;
    }
  /** Forward, send the response head and `afterBytes` of the body (default half), then close cleanly. */
  | {
      /** End the response early with a clean close (a short body). */
      kind: 'truncate';
      /** Response-body bytes sent before the close. Default half the `Content-Length` (0 without one). */
      afterBytes?: number;
    }
  /** Forward, but flip the bits of the response body's byte at `atByte` (default 0): bad data, intact framing. */
  | {
      /** Corrupt one byte of the forwarded response body. */
      kind: 'corrupt';
      /** Offset of the flipped byte in the body. Default 0. */
      atByte?: number;
    }
  /** Wait `ms`, then forward normally. */
  | {
      /** Delay the request. */
      kind: 'latency';
      /** Delay before forwarding, in milliseconds. */
      ms: number;
    };

/** A scripted fault: `action` on the next `times` requests that match. */
export interface FaultRule {
  /** Which requests it applies to; every request when omitted. */
  match?: FaultMatch;
  /** What to do to them. */
  action: FaultAction;
  /** How many matching requests get the fault. Default 1; `Infinity` for all. */
  times?: number;
}

/** A fault once injected: how often it has fired. */
export interface ActiveFault {
  /** The rule as injected. */
  readonly rule: FaultRule;
  /** Matching requests the fault was applied to so far. */
  readonly hits: number;
  /** Stop applying it. */
  remove(): void;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Base URL of the server to forward to, e.g. an S3 server's `endpoint`. */
  target: string;
  /** Faults active from the start. */
  faults?: FaultRule[];
  /**
   * Cap every client connection's response bodies at this many bytes per second (a link that
   * limits each TCP stream, as long-haul paths and some gateways do), so that tests can tell
   * whether more connections move bytes faster. Default: no cap.
   */
  bytesPerSecondPerConnection?: number;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:PORT`; point the client here instead of at the target. */
  endpoint: string;
  /** Every request seen, in arrival order. */
  readonly requests: ProxiedRequest[];
  /** Add a fault; rules are tried in injection order and the first live match applies. */
  inject(rule: FaultRule): ActiveFault;
  /** Remove all faults (the request log is kept). */
  clear(): void;
  /** Drop open connections, release upstream sockets and stop listening. */
  close(): Promise<void>;
}

/** A 503 SlowDown, as S3 sends when a prefix is throttled. */
export function slowDown(retryAfterSeconds?: number): FaultAction {
  return {
    kind: 'status',
    status: 503,
    code: 'SlowDown',
    message: 'Please reduce your request rate.',
    ...(retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
  };
}

function matches(match: FaultMatch | undefined, request: ProxiedRequest): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== request.method) return false;
  if (match.path !== undefined) {
    const ok = typeof match.path === 'string' ? match.path === request.path : match.path.test(request.path);
    if (!ok) return false;
  }
  for (const [name, want] of Object.entries(match.query ?? {})) {
    const got = request.query.get(name);
    if (got === null) return false;
    if (want !== true && (typeof want === 'string' ? got !== want : !want.test(got))) return false;
  }
  for (const [name, want] of Object.entries(match.headers ?? {})) {
    const raw = request.headers[name.toLowerCase()];
    const got = Array.isArray(raw) ? raw.join(',') : raw;
    if (want === true || want === false) {
      if ((got !== undefined) !== want) return false;
    } else if (got === undefined || (typeof want === 'string' ? got !== want : !want.test(got))) return false;
  }
  return match.when ? match.when(request) : true;
}

/** Slices a throttled body is sent in: small enough that the rate is smooth within a window. */
const THROTTLE_SLICE = 64 * 1024;

/**
 * Paces the bytes through it to `bytesPerSecond`, sharing `clock` (when the connection may send
 * next) with every other body on the same connection, so a keep-alive connection stays capped.
 */
class ConnectionThrottle extends Transform {
  constructor(
    private readonly clock: { next: number },
    private readonly bytesPerSecond: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const send = (offset: number) => {
      if (offset >= chunk.length || this.destroyed) return done();
      const slice = chunk.subarray(offset, offset + THROTTLE_SLICE);
      const now = performance.now();
      const at = Math.max(now, this.clock.next);
      this.clock.next = at + (slice.length / this.bytesPerSecond) * 1000;
      const go = () => {
        this.push(slice);
        send(offset + slice.length);
      };
      if (at - now < 1) go();
      else setTimeout(go, at - now);
    };
    send(0);
  }
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An HTTP proxy for S3-protocol tests that forwards to `target` and injects scripted faults:
 * error statuses (503 SlowDown bursts, 403, 301 redirects…), connection resets before or in the
 * middle of a body, truncated bodies and latency; optionally it caps each connection's rate. Faults match per request (method, path, query,
 * headers), so a test can fail exactly one UploadPart. Bodies stream through; nothing is buffered.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const faults: Array<{ rule: FaultRule; hits: number; removed: boolean }> = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const clocks = new WeakMap<Socket, { next: number }>();
  const rate = options.bytesPerSecondPerConnection;
  const clockOf = (socket: Socket) => {
    const known = clocks.get(socket);
    if (known) return known;
    const clock = { next: 0 };
    clocks.set(socket, clock);
    return clock;
  };

  const inject = (rule: FaultRule): ActiveFault => {
    const entry = { rule, hits: 0, removed: false };
    faults.push(entry);
    return {
      rule,
      get hits() {
        return entry.hits;
      },
      remove() {
        entry.removed = true;
      },
    };
  };
  for (const rule of options.faults ?? []) inject(rule);

  const pick = (request: ProxiedRequest): FaultAction | undefined => {
    for (const entry of faults) {
      if (entry.removed || entry.hits >= (entry.rule.times ?? 1)) continue;
      if (!matches(entry.rule.match, request)) continue;
      entry.hits++;
      return entry.rule.action;
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, record: ProxiedRequest, cut?: FaultAction) => {
    // A client that went away before its request was whole (a killed process): nothing is sent on,
    // and the record says so (499, as nginx logs it), so a test can wait for every request to end.
    if (req.destroyed && !req.readableEnded) {
      record.status ??= 499;
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        record.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (cut?.kind === 'corrupt') {
          const at = cut.atByte ?? 0;
          let seen = 0;
          answer.on('data', (chunk: Buffer) => {
            if (at >= seen && at < seen + chunk.length) {
              const copy = Buffer.from(chunk);
              copy[at - seen] = (copy[at - seen] ?? 0) ^ 0xff;
              res.write(copy);
            } else res.write(chunk);
            seen += chunk.length;
          });
          answer.on('end', () => res.end());
          return;
        }
        if (!cut || (cut.kind !== 'resetMidBody' && cut.kind !== 'truncate')) {
          if (rate === undefined) answer.pipe(res);
          // pipeline: a client that hangs up stops the paced body and frees the upstream socket.
          else pipeline(answer, new ConnectionThrottle(clockOf(req.socket), rate), res, () => undefined);
          return;
        }
        const declared = Number(answer.headers['content-length'] ?? Number.NaN);
        const limit = cut.afterBytes ?? (Number.isFinite(declared) ? Math.floor(declared / 2) : 0);
        let sent = 0;
        const finish = () => {
          answer.destroy();
          if (cut.kind === 'resetMidBody') res.socket?.resetAndDestroy();
          else res.socket?.end();
        };
        if (limit === 0) {
          res.flushHeaders();
          setImmediate(finish);
          return;
        }
        answer.on('data', (chunk: Buffer) => {
          if (sent >= limit) return;
          const slice = chunk.subarray(0, limit - sent);
          sent += slice.length;
          res.write(slice);
          if (sent >= limit) setImmediate(finish);
        });
      },
    );
    upstream.on('error', () => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    // Until the body has been passed on whole, a client that goes away takes the request with it
    // (a body paused by a latency fault is lost on destroy and would never end upstream).
    req.on('close', () => {
      if (req.readableEnded) return;
      record.status ??= 499;
      upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const record: ProxiedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
    };
    requests.push(record);
    const action = pick(record);
    if (action) record.fault = action.kind;
    switch (action?.kind) {
      case undefined:
      case 'resetMidBody':
      case 'truncate':
      case 'corrupt':
        forward(req, res, record, action);
        return;
      case 'latency': {
        req.pause();
        setTimeout(() => {
          req.resume();
          forward(req, res, record);
        }, action.ms);
        return;
      }
      case 'reset': {
        const after = action.afterRequestBytes ?? 0;
        let seen = 0;
        const cut = () => req.socket.resetAndDestroy();
        if (after === 0) return cut();
        req.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen >= after) cut();
        });
        req.on('end', cut);
        return;
      }
      case 'status': {
        // Drain the request body first, as S3 does, so the client sees the answer and not EPIPE.
        req.resume();
        req.on('end', () => {
          const code = action.code ?? `Status${action.status}`;
          const body =
            record.method === 'HEAD'
              ? ''
              : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(
                  action.message ?? code,
                )}</Message>${action.extraXml ?? ''}<RequestId>FAULTPROXY${requests.length}</RequestId></Error>`;
          record.status = action.status;
          res.writeHead(action.status, {
            'content-type': 'application/xml',
            'x-amz-request-id': `FAULTPROXY${requests.length}`,
            'content-length': Buffer.byteLength(body),
            ...action.headers,
          });
          res.end(body);
        });
        return;
      }
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    inject,
    clear() {
      for (const entry of faults) entry.removed = true;
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
      });
    },
  };
}
