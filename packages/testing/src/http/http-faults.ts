/**
 * Faults the local HTTP server injects, so tests can show how a client survives the failures real
 * servers and networks produce. A fault applies to requests whose key (decoded path without the
 * leading `/`) and method match, `times` times (default: every matching request).
 */
export type HttpFault =
  /** Close the connection after `afterBytes` bytes of the body (headers promise more). */
  | (FaultScope & { kind: 'drop'; afterBytes: number })
  /** Answer with `status` (e.g. 503 or 429), with `Retry-After` when given, instead of serving. */
  | (FaultScope & { kind: 'status'; status: number; retryAfter?: number | string })
  /** Send `afterBytes` bytes of the body, then nothing more while keeping the connection open. */
  | (FaultScope & { kind: 'stall'; afterBytes: number })
  /** Send the body at about `bytesPerSecond`. */
  | (FaultScope & { kind: 'slow'; bytesPerSecond: number })
  /** Flip the first byte of the body on the way (headers, digests included, stay right). */
  | (FaultScope & { kind: 'corrupt' })
  /** Answer with an HTML login page (status 200, `text/html`), as a portal does before login. */
  | (FaultScope & { kind: 'html' })
  /** Redirect to `location` (absolute or relative). */
  | (FaultScope & { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 })
  /**
   * Replace the file's content once, after `afterRequests` body requests (GET) for the key have been
   * served: the next GET sees a new ETag and content.
   */
  | { kind: 'change'; path: string; afterRequests: number; content: Uint8Array | string };

/** Which requests a fault applies to. */
export interface FaultScope {
  /** Key the fault applies to; every key when omitted. */
  path?: string;
  /** Method the fault applies to (`GET`, `HEAD`, `PUT`, `DELETE`); body-serving methods when omitted. */
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

  add(fault: HttpFault): void {
    const remaining = fault.kind === 'change' ? 1 : (fault.times ?? Number.POSITIVE_INFINITY);
    this.armed.push({ fault, remaining, seen: 0 });
  }

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
