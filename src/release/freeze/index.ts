// Freeze windows and active-incident checks: what the CLI imports to decide, before anything
// runs, whether a protected environment may change now.
export { loadFreezeCalendar, parseFreezeCalendar, FreezeCalendarError } from "./calendar.js";
export type { FreezeCalendar, Holiday, IncidentSourceConfig, WeeklyWindow } from "./calendar.js";
export { activeFreeze, nextFreezeStart } from "./windows.js";
export type { ActiveFreeze, FreezeWindowRef } from "./windows.js";
export {
  httpJsonIncidentCheck,
  incidentChecksFromCalendar,
  prometheusIncidentCheck,
  IncidentSourceError,
} from "./incidents.js";
export type { IncidentCheck, IncidentStatus } from "./incidents.js";
export { checkFreeze, freezeBlockedError, recordBreakGlass } from "./decision.js";
export type { BreakGlassRecord, FreezeBlocked, FreezeCheckInput, FreezeDecision } from "./decision.js";
