// The freeze calendar a playbook names is part of the playbook: a typo in it fails `relctl lint`
// and every command before anything runs, not only the first mutating run of a protected stage.
// Only the file is checked here; its incident sources are asked at run time.
import { readInputText } from "../../util/input-file.js";
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
  // Loaded only for playbooks that name a calendar.
  const { FREEZE_CALENDAR_FILE, FreezeCalendarError, parseFreezeCalendar } =
    await import("../../release/freeze/calendar.js");
  const read = await readInputText(file, display(file), FREEZE_CALENDAR_FILE);
  if ("problem" in read) {
    const { code, message, hint, at } = read.problem;
    // A file that cannot be read at all is a mistake in the playbook line that names it.
    return [
      at
        ? { code, message, hint, location: { file: display(file), ...at } }
        : { code: "freeze-calendar-unreadable", message, hint, location: where.at(origin) },
    ];
  }
  try {
    parseFreezeCalendar(read.text, display(file));
    return [];
  } catch (error) {
    if (error instanceof FreezeCalendarError) return error.diagnostics;
    throw error;
  }
}
