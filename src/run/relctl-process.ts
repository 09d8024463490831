// This relctl process, as a step's journaled process names it: an orphan is a step process
// whose relctl is gone (a live relctl still runs its own steps, whatever the journal says).
import { processStartTime } from "./process-identity.js";

let own: { pid: number; startTime?: string } | undefined;

export function relctlProcess(): { pid: number; startTime?: string } {
  own ??= { pid: process.pid, startTime: processStartTime(process.pid) };
  return own;
}
