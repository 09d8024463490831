// The actions that are gates: their verdict describes the world when it was measured, so resume
// measures them again and `relctl gate` evaluates them on their own.
export const GATE_ACTIONS: ReadonlySet<string> = new Set(["prometheus.gate"]);
