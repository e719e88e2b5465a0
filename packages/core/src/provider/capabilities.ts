/**
 * What a provider can do. The engine, the conformance suite and the CLI ask these flags instead of
 * checking classes; a missing capability throws `UnsupportedOperationError`.
 */
export interface Capabilities {
  /** `stat` and `read`. */
  read: boolean;
  /** `write`. */
  write: boolean;
  /** `list`. */
  list: boolean;
  /** `delete` and `deleteMany`. */
  delete: boolean;
  /** `read` honours `range`. */
  rangeRead: boolean;
  /** `beginUpload`/`uploadPart`/`completeUpload`/`abortUpload`. */
  multipart: boolean;
  /** `copy` within the provider without moving bytes through the client. */
  serverSideCopy: boolean;
  /** `presign`. */
  presign: boolean;
  /** `?versionId=` on reads and version ids in results. */
  versioning: boolean;
  /** User metadata and content type are stored and returned. */
  metadata: boolean;
  /**
   * `ifMatch` and `ifUnmodifiedSince` on read are enforced: a read of an object that changed fails
   * with `PreconditionFailedError`. The engine splits a download into ranged reads only when it can
   * pin every one of them to the version it saw first, so without this flag it streams.
   */
  conditionalRead: boolean;
  /** `ifNoneMatch: '*'` on write (and `ifMatch` on copy) are enforced. */
  conditionalWrite: boolean;
  /** A listing that is not recursive groups keys at `/` into `prefix` entries. */
  delimiters: boolean;
  /** The backend's size limits; the engine sizes parts and single writes from them. */
  limits: Readonly<Limits>;
}

/**
 * A backend's size limits. Absent fields mean "no limit": the engine asks these instead of knowing
 * any backend's numbers (S3's 5 MiB parts, say, belong to the S3 provider's table).
 */
export interface Limits {
  /** Smallest part of a multipart upload, the last part excepted. */
  minPartSize?: number;
  /** Largest part of a multipart upload. */
  maxPartSize?: number;
  /** Most parts one multipart upload may have. */
  maxParts?: number;
  /** Largest object one single-request `write` may store; larger ones need the multipart hooks. */
  maxSingleWrite?: number;
  /** Largest object the backend stores at all. */
  maxObjectSize?: number;
}

/** A capability table with every flag false; spread it and switch on what a provider has. */
export const NO_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  read: false,
  write: false,
  list: false,
  delete: false,
  rangeRead: false,
  multipart: false,
  serverSideCopy: false,
  presign: false,
  versioning: false,
  metadata: false,
  conditionalRead: false,
  conditionalWrite: false,
  delimiters: false,
  limits: Object.freeze({}),
});
