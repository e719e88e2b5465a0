/** One part as a presigned-multipart client reports it: its number and the `ETag` header of its PUT. */
export interface CompletedPartInfo {
  /** Part number, 1 to 10,000. */
  partNumber: number;
  /** The `ETag` response header of the part's PUT, quotes included. */
  etag: string;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The body to `POST` to a presigned CompleteMultipartUpload URL: the parts in ascending order, as
 * S3 requires. Lets a client without the SDK (a browser) finish a presigned multipart upload.
 */
export function completeMultipartUploadXml(parts: CompletedPartInfo[]): string {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  const body = sorted
    .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</CompleteMultipartUpload>`;
}
