// The interface each image format implements for `bootproof inspect` and `validate`.

export interface ImageFormat<Findings extends object = object> {
  /** Short name shown in reports and in --json, e.g. "mbr-disk". */
  name: string;
  /** How a file of this format is recognised, for the error when none matches (e.g. "an MBR: 55 aa at byte 510"). */
  signature: string;
  /** Whether these leading bytes of the file (its first 4 KiB, fewer for a smaller file) are this format's. */
  matches(head: Buffer, bytes: number): boolean;
  /** Everything the format can tell about the image, as plain JSON-ready data. */
  inspect(path: string, bytes: number): Promise<Findings>;
  /** The findings as lines for a person. */
  describe(findings: Findings): string[];
}

/** Bytes handed to `matches`. */
export const headBytes = 4096;

/** A byte count in MiB, whole where it divides evenly. */
export function mib(bytes: number): string {
  return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${(bytes / 1048576).toFixed(2)} MiB`;
}
