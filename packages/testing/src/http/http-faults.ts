/**
 * Faults the local HTTP server injects, so tests can show how a client survives the failures real
 * servers and networks produce. A fault applies to requests whose key (decoded path without the
 * leading `/`) and method match, `times` times (default: every matching request).
 */
export type HttpFault =
  /** Close the connection after `afterBytes` bytes of the body (headers promise more). */
  | (FaultScope & {
      /** Cut the connection mid-body. */
      kind: 'drop';
      /** Body bytes sent before the connection is destroyed. */
      afterBytes: number;
    })
  /** Answer with `status` (e.g. 503 or 429), with `Retry-After` when given, instead of serving. */
  | (FaultScope & {
      /** Answer with an error status. */
      kind: 'status';
      /** HTTP status to answer with. */
      status: number;
      /** `Retry-After` value: seconds, or an HTTP date string; no header when omitted. */
      retryAfter?: number | string;
    })
  /** Send `afterBytes` bytes of the body, then nothing more while keeping the connection open. */
  | (FaultScope & {
      /** Stop sending mid-body, connection left open. */
      kind: 'stall';
      /** Body bytes sent before the server goes silent. */
      afterBytes: number;
    })
  /** Send the body at about `bytesPerSecond`. */
  | (FaultScope & {
      /** Throttle the body. */
      kind: 'slow';
      /** Approximate send rate, in bytes per second. */
      bytesPerSecond: number;
    })
  /** Flip the first byte of the body on the way (headers, digests included, stay right). */
  | (FaultScope & {
      /** Corrupt the body in transit. */
      kind: 'corrupt';
    })
  /** Answer with an HTML login page (status 200, `text/html`), as a portal does before login. */
  | (FaultScope & {
      /** Serve a login page instead of the file. */
      kind: 'html';
    })
  /** Redirect to `location` (absolute or relative). */
  | (FaultScope & {
      /** Redirect instead of serving. */
      kind: 'redirect';
      /** `Location` header value, absolute or relative. */
      location: string;
      /** Redirect status. Default 302. */
      status?: 301 | 302 | 303 | 307 | 308;
    })
  /**
   * Replace the file's content once, after `afterRequests` body requests (GET) for the key have been
   * served: the next GET sees a new ETag and content.
   */
  | {
      /** Change the file between requests. */
      kind: 'change';
      /** Key of the file to replace. */
      path: string;
      /** GETs of the key served before the content changes. */
      afterRequests: number;
      /** The new content (a string is written as UTF-8). */
      content: Uint8Array | string;
    };

/** Which requests a fault applies to. */
export interface FaultScope {
  /** Key the fault applies to; every key when omitted. */
  path?: string;
  /**
   * Method the fault applies to (`GET`, `HEAD`, `PUT`, `DELETE`); when omitted, GET only, or every
   * method for `status`, `redirect` and `html`.
   */
  method?: string;
  /** How many matching requests it applies to; every one when omitted. */
  times?: number;
}

interface ArmedFault {
  fault: HttpFault;
  remaining: number;
  seen: number;
}

/** The server's armed faults and their counters. */
export class FaultTable {
  private readonly armed: ArmedFault[] = [];

  /** Arm a fault (a `change` fault fires once). */
  add(fault: HttpFault): void {
    const remaining = fault.kind === 'change' ? 1 : (fault.times ?? Number.POSITIVE_INFINITY);
    this.armed.push({ fault, remaining, seen: 0 });
  }

  /** Disarm every fault. */
  clear(): void {
    this.armed.length = 0;
  }

  /**
   * The first live fault (other than `change`) for this request, consumed by one use. Faults without
   * a method apply to GET (and, for `status`/`redirect`/`html`, to every method).
   */
  take(method: string, key: string): HttpFault | undefined {
    for (const entry of this.armed) {
      const { fault } = entry;
      if (fault.kind === 'change' || entry.remaining <= 0) continue;
      if (fault.path !== undefined && fault.path !== key) continue;
      const methodOk =
        fault.method !== undefined
          ? fault.method.toUpperCase() === method
          : fault.kind === 'status' || fault.kind === 'redirect' || fault.kind === 'html'
            ? true
            : method === 'GET';
      if (!methodOk) continue;
      entry.remaining--;
      return fault;
    }
    return undefined;
  }

  /** Count a GET of `key`; returns the new content when a `change` fault fires now. */
  countGet(key: string): Uint8Array | string | undefined {
    for (const entry of this.armed) {
      const { fault } = entry;
      if (fault.kind !== 'change' || fault.path !== key || entry.remaining <= 0) continue;
      if (entry.seen++ >= fault.afterRequests) {
        entry.remaining = 0;
        return fault.content;
      }
    }
    return undefined;
  }
}
