// The freeze calendar a playbook names is part of the playbook: a typo in it fails `relctl lint`
// and every command before anything runs, not only the first mutating run of a protected stage.
// Only the file is checked here; its incident sources are asked at run time.
import { readFile } from "node:fs/promises";
import type { Diagnostic } from "../diagnostics.js";
import type { Playbook } from "../model.js";
import type { Locator } from "./locator.js";

export async function checkFreezeCalendar(
  playbook: Playbook,
  where: Locator,
  display: (file: string) => string,
): Promise<Diagnostic[]> {
  if (!playbook.freezeCalendar) return [];
  const { file, origin } = playbook.freezeCalendar;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const why = code === "ENOENT" ? "no such file" : code;
    return [
      {
        code: "freeze-calendar-unreadable",
        message: `cannot read the freeze calendar ${display(file)}: ${why}`,
        location: where.at(origin),
        hint: "the path is relative to the playbook file that names it",
      },
    ];
  }
  // Loaded only for playbooks that name a calendar.
  const { FreezeCalendarError, parseFreezeCalendar } = await import("../../release/freeze/calendar.js");
  try {
    parseFreezeCalendar(text, display(file));
    return [];
  } catch (error) {
    if (error instanceof FreezeCalendarError) return error.diagnostics;
    throw error;
  }
}
