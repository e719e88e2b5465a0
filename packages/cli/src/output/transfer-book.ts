import type { TransferEvent } from '@stowage/core';

/** What is known about one transfer from its events so far. */
export interface TrackedTransfer {
  /** The transfer id events carry. */
  id: string;
  /** Id of the tree transfer this file belongs to, if any. */
  parentId: string | undefined;
  /** Printable source location; `''` until a `queued` or `started` event names it. */
  source: string;
  /** Printable destination location; `''` until a `queued` or `started` event names it. */
  destination: string;
  /** Size in bytes, when known. */
  totalBytes: number | undefined;
  /** Bytes moved so far. */
  bytes: number;
  /** Current rate in bytes per second. */
  rate: number;
  /** Estimated seconds left, when known. */
  etaSeconds: number | undefined;
  /** Epoch ms of the `started` event (of the first event until then). */
  startedAt: number;
}

/** Aggregate of a tree transfer, from its `tree-progress` events and its files' progress. */
export interface TrackedTree {
  /** The tree transfer's id. */
  id: string;
  /** Files found by the listing so far. */
  filesQueued: number;
  /** Files copied. */
  filesDone: number;
  /** Files skipped by the overwrite policy. */
  filesSkipped: number;
  /** Files that failed. */
  filesFailed: number;
  /** Bytes of settled files. */
  bytesSettled: number;
  /** Sum of the sizes of files that started (the total grows while the listing runs). */
  knownTotal: number;
  /** Whether the source listing has ended (totals are final). */
  listingComplete: boolean;
  /** Epoch ms of the tree's first event. */
  startedAt: number;
}

/**
 * Folds the event stream into per-transfer and per-tree state, so renderers only draw. Progress
 * events carry no names, hence the book keyed by transfer id.
 */
export class TransferBook {
  /** Transfers seen and not yet dropped, by id. */
  readonly transfers = new Map<string, TrackedTransfer>();
  /** Tree transfers, by id; never dropped. */
  readonly trees = new Map<string, TrackedTree>();

  /** Apply one event; returns the transfer it concerns (if it is a file transfer). */
  apply(event: TransferEvent): TrackedTransfer | undefined {
    if (event.type === 'tree-progress') {
      const tree = this.tree(event.transferId, event.at);
      tree.filesQueued = event.filesQueued;
      tree.filesDone = event.filesDone;
      tree.filesSkipped = event.filesSkipped;
      tree.filesFailed = event.filesFailed;
      tree.bytesSettled = event.bytesDone;
      tree.listingComplete = event.listingComplete;
      return undefined;
    }
    if (event.parentId) this.tree(event.parentId, event.at);
    let t = this.transfers.get(event.transferId);
    if (!t) {
      t = {
        id: event.transferId,
        parentId: event.parentId,
        source: '',
        destination: '',
        totalBytes: undefined,
        bytes: 0,
        rate: 0,
        etaSeconds: undefined,
        startedAt: event.at,
      };
      this.transfers.set(event.transferId, t);
    }
    switch (event.type) {
      case 'queued':
        t.source = event.source;
        t.destination = event.destination;
        break;
      case 'started':
        t.source = event.source;
        t.destination = event.destination;
        t.startedAt = event.at;
        if (event.totalBytes !== undefined) {
          t.totalBytes = event.totalBytes;
          if (t.parentId) this.trees.get(t.parentId)!.knownTotal += event.totalBytes;
        }
        break;
      case 'progress':
        t.bytes = event.bytes;
        t.rate = event.rate;
        t.etaSeconds = event.etaSeconds;
        if (event.totalBytes !== undefined) t.totalBytes = event.totalBytes;
        break;
      case 'completed':
        t.bytes = event.bytes;
        break;
      default:
        break;
    }
    return t;
  }

  /** Forget a settled file transfer (trees keep only counters). */
  drop(id: string): void {
    this.transfers.delete(id);
  }

  /** Bytes moved in a tree so far: settled files plus the files in flight. */
  treeBytes(tree: TrackedTree): number {
    let inFlight = 0;
    for (const t of this.transfers.values()) if (t.parentId === tree.id) inFlight += t.bytes;
    return tree.bytesSettled + inFlight;
  }

  private tree(id: string, at: number): TrackedTree {
    let tree = this.trees.get(id);
    if (!tree) {
      tree = {
        id,
        filesQueued: 0,
        filesDone: 0,
        filesSkipped: 0,
        filesFailed: 0,
        bytesSettled: 0,
        knownTotal: 0,
        listingComplete: false,
        startedAt: at,
      };
      this.trees.set(id, tree);
    }
    return tree;
  }
}

/** The tail of a location, short enough for a bar label (`…/dir/file.bin`). */
export function shortName(location: string, width = 32): string {
  if (location.length <= width) return location;
  return `…${location.slice(location.length - width + 1)}`;
}
