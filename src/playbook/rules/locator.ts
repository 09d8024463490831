// Turns an element's origin (file + YAML path) into file:line:column for a diagnostic.
import type { SourceLocation } from "../../errors.js";
import type { Origin, YamlPath } from "../model.js";
import { formatPath, locate, locateText, type SourceFile } from "../source.js";

export class Locator {
  constructor(private readonly sources: ReadonlyMap<string, SourceFile>) {}

  at(origin: Origin, ...sub: YamlPath): SourceLocation {
    return this.find(origin, sub, (source, path) => locate(source, path));
  }

  key(origin: Origin, ...sub: YamlPath): SourceLocation {
    return this.find(origin, sub, (source, path) => locate(source, path, { key: true }));
  }

  /** The place of `needle` (a reference) inside the string at origin + sub. */
  text(origin: Origin, sub: YamlPath, needle: string, offset: number): SourceLocation {
    return this.find(origin, sub, (source, path) => locateText(source, path, needle, offset));
  }

  private find(
    origin: Origin,
    sub: YamlPath,
    how: (source: SourceFile, path: YamlPath) => SourceLocation,
  ): SourceLocation {
    const path = [...origin.path, ...sub];
    const source = this.sources.get(origin.file);
    if (!source) return { file: origin.file, line: 1, column: 1, path: formatPath(path) };
    return how(source, path);
  }
}
