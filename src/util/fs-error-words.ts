// File-system error codes in words, shared by every message about a file a person named or
// relctl keeps: "permission denied", not `EACCES: permission denied, open '/x'`.

/**
 * File-system error codes in words: the one table for state files and for files a user named
 * (input-file.ts's errnoText words a few of them its own way; state/fs-errors.ts adds what to do).
 */
export const FS_ERROR_WORDS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOTDIR: "a part of the path is a file, not a directory",
  EISDIR: "it is a directory, not a file",
  ENOENT: "it does not exist",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exhausted",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the path is too long",
};
