import type { Observable } from 'rxjs';
import { Subject } from './event-subject.js';
import type { TransferEvent } from './transfer-events.js';

/** The pieces a transfer body gets: how to emit events and the signal to honour. */
export interface TransferContext {
  /** The transfer's id, stamped on every event. */
  id: string;
  /** Emit an event; `transferId`, `at` and `parentId` are filled in. */
  emit(event: DistributiveOmit<TransferEvent, 'transferId' | 'at'>): void;
  /** Fires on `cancel()` or when the caller's signal fires. */
  signal: AbortSignal;
  /**
   * Pass on an event of a child transfer (a file of this tree) as it is: it appears on this
   * transfer's `events$` too, so a subscriber to a tree sees its files' events.
   */
  forward(event: TransferEvent): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

let counter = 0;

/**
 * A running transfer: await it (or `done`) for the result, subscribe to `events$` for progress,
 * `cancel()` it to stop. The body starts on the next tick, so subscribing right after creating the
 * transfer sees every event, `queued` included.
 */
export class Transfer<R> implements PromiseLike<R> {
  /** Unique within the process (`t<counter>-<time>`); events carry it as `transferId`. */
  readonly id: string;
  /** Every event of this transfer, completing when it settles. */
  readonly events$: Observable<TransferEvent>;
  /** The result; rejects with a typed error. */
  readonly done: Promise<R>;
  private readonly subject = new Subject<TransferEvent>();
  private readonly controller = new AbortController();

  constructor(
    body: (context: TransferContext) => Promise<R>,
    options: { signal?: AbortSignal; parentId?: string; sink?: (event: TransferEvent) => void } = {},
  ) {
    this.id = `t${(++counter).toString(36)}-${Date.now().toString(36)}`;
    this.events$ = this.subject.asObservable();
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.controller.signal])
      : this.controller.signal;
    const emit = (event: DistributiveOmit<TransferEvent, 'transferId' | 'at'>) => {
      const full = {
        ...event,
        transferId: this.id,
        at: Date.now(),
        ...(options.parentId ? { parentId: options.parentId } : {}),
      } as TransferEvent;
      this.subject.next(full);
      options.sink?.(full);
    };
    const forward = (event: TransferEvent) => {
      this.subject.next(event);
      options.sink?.(event);
    };
    this.done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => body({ id: this.id, emit, signal, forward }))
      .finally(() => this.subject.complete());
    // A caller that only watches events must not crash the process with an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** Stop the transfer; it rejects with AbortedError after cleaning up. */
  cancel(reason?: unknown): void {
    this.controller.abort(reason);
  }

  /** Like `Promise.then`, on {@link done}: this is what makes a Transfer awaitable. */
  // biome-ignore lint/suspicious/noThenProperty: a Transfer is deliberately awaitable
  then<A = R, B = never>(
    onFulfilled?: ((value: R) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.done.then(onFulfilled, onRejected);
  }

  /** Like `Promise.catch`: a Transfer is used wherever its promise would be. */
  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<R | B> {
    return this.done.catch(onRejected);
  }

  /** Like `Promise.finally`. */
  finally(onFinally?: (() => void) | null): Promise<R> {
    return this.done.finally(onFinally);
  }
}
