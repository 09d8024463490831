// What a running step looks like while it runs. On a terminal, the running steps own the last
// lines of the screen: one line each, redrawn in place with the elapsed time, a wait's countdown
// or a gate's latest values and hold; every other line is printed above them. Elsewhere (a CI
// log, a pipe) nothing is redrawn: lines are only appended, and a long step says it is still
// running now and then, so a quiet log is not mistaken for a hung job.
import type { ChalkInstance } from "chalk";
import { formatSpan } from "../gates/format.js";
import type { RunEvent } from "../run/events.js";
import { parseDuration } from "../util/duration.js";

type StepStart = Extract<RunEvent, { type: "step.start" }>;

export interface ProgressOptions {
  /** live: redraw the running steps in place (a terminal); append: heartbeat lines only. */
  mode: "live" | "append";
  /** Where the live lines and heartbeats go (stdout). */
  write(text: string): void;
  color: ChalkInstance;
  /** The terminal's width: a live line must never wrap, or redrawing would lose count. */
  columns(): number;
  /** The first "still running" line after firstMs, then one every everyMs. */
  heartbeat: { firstMs: number; everyMs: number };
  redrawMs?: number;
  now?: () => number;
}

export interface Progress {
  /** Writes lines that stay, with the live lines cleared first and drawn again below them. */
  print(write: (text: string) => void, text: string): void;
  started(event: StepStart): void;
  /** The next info line of this step is a gate evaluation: in live mode it goes on the step's line. */
  gateEvaluation(step: string): void;
  /** Whether the info line was taken as the step's live detail (and so is not printed). */
  takeInfo(step: string, message: string): boolean;
  ended(step: string): void;
  stop(): void;
}

interface Running {
  step: string;
  name: string;
  startedAt: number;
  attempt: number;
  /** For a wait: when it ends. */
  waitEndsAt?: number;
  detail?: string;
  expectsGateLine: boolean;
  heartbeat?: NodeJS.Timeout;
}

const HIDE_CURSOR = "\u001b[?25l";
const SHOW_CURSOR = "\u001b[?25h";
const RUNNING = "▸";

export function createProgress(options: ProgressOptions): Progress {
  const { write, color } = options;
  const now = options.now ?? Date.now;
  let mode = options.mode;
  const running = new Map<string, Running>();
  let drawnLines = 0;
  let cursorHidden = false;
  let redraw: NodeJS.Timeout | undefined;

  const showCursor = (): void => {
    if (!cursorHidden) return;
    cursorHidden = false;
    write(SHOW_CURSOR);
    process.off("exit", showCursor);
  };
  const clear = (): void => {
    if (drawnLines === 0) return;
    write(`\r\u001b[${drawnLines}A\u001b[J`);
    drawnLines = 0;
  };
  const draw = (): void => {
    if (mode !== "live" || running.size === 0) return;
    if (!cursorHidden) {
      cursorHidden = true;
      write(HIDE_CURSOR);
      // Whatever ends the process, the person's cursor comes back.
      process.on("exit", showCursor);
    }
    const width = Math.max(20, options.columns() - 1);
    const lines = [...running.values()].map((step) => liveLine(step, now(), width, color));
    write(lines.map((line) => `${line}\n`).join(""));
    drawnLines = lines.length;
  };
  // Ctrl-C: the run now stops its steps and prints why; from here on lines are only appended,
  // so the interrupt's messages and the live lines cannot overwrite each other.
  const onSignal = (): void => {
    clear();
    showCursor();
    stopRedraw();
    mode = "append";
  };
  const startRedraw = (): void => {
    if (mode !== "live" || redraw) return;
    redraw = setInterval(() => {
      clear();
      draw();
    }, options.redrawMs ?? 1000);
    redraw.unref();
    process.prependListener("SIGINT", onSignal);
    process.prependListener("SIGTERM", onSignal);
  };
  function stopRedraw(): void {
    if (!redraw) return;
    clearInterval(redraw);
    redraw = undefined;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const beat = (entry: Running, afterMs: number): void => {
    if (mode !== "append") return;
    entry.heartbeat = setTimeout(() => {
      const line = `  ${color.dim("…")} ${entry.step} ${color.dim(`still running (${formatSpan(now() - entry.startedAt)})`)}\n`;
      print(write, line);
      beat(entry, options.heartbeat.everyMs);
    }, afterMs);
    entry.heartbeat.unref();
  };
  function print(target: (text: string) => void, text: string): void {
    if (drawnLines === 0) return target(text);
    clear();
    target(text);
    draw();
  }

  return {
    print,
    started(event) {
      const previous = running.get(event.step);
      if (previous?.heartbeat) clearTimeout(previous.heartbeat);
      const entry: Running = {
        step: event.step,
        name: event.name,
        // A retry keeps counting from the first attempt: the step has been running that long.
        startedAt: previous?.startedAt ?? now(),
        attempt: event.attempt,
        expectsGateLine: false,
      };
      const waitMs = waitLength(event, now());
      if (waitMs !== undefined) entry.waitEndsAt = now() + waitMs;
      running.set(event.step, entry);
      beat(entry, Math.min(options.heartbeat.firstMs, options.heartbeat.everyMs));
      if (mode !== "live") return;
      clear();
      draw();
      startRedraw();
    },
    gateEvaluation(step) {
      const entry = running.get(step);
      if (entry) entry.expectsGateLine = true;
    },
    takeInfo(step, message) {
      const entry = running.get(step);
      if (mode !== "live" || !entry?.expectsGateLine) return false;
      entry.expectsGateLine = false;
      entry.detail = message;
      clear();
      draw();
      return true;
    },
    ended(step) {
      const entry = running.get(step);
      if (!entry) return;
      if (entry.heartbeat) clearTimeout(entry.heartbeat);
      running.delete(step);
      clear();
      draw();
      if (running.size === 0) {
        stopRedraw();
        showCursor();
      }
    },
    stop() {
      for (const entry of running.values()) if (entry.heartbeat) clearTimeout(entry.heartbeat);
      running.clear();
      clear();
      stopRedraw();
      showCursor();
    },
  };
}

/** How long a wait step waits, from its rendered input; undefined for every other step. */
function waitLength(event: StepStart, at: number): number | undefined {
  const input = event.input as Record<string, unknown> | null | undefined;
  if (typeof input !== "object" || input === null) return undefined;
  if (
    event.uses === "wait.sleep" &&
    (typeof input.duration === "string" || typeof input.duration === "number")
  ) {
    return parseDuration(input.duration);
  }
  if (event.uses === "wait.until" && typeof input.time === "string") {
    const end = Date.parse(input.time);
    return Number.isNaN(end) ? undefined : Math.max(0, end - at);
  }
  return undefined;
}

function liveLine(step: Running, at: number, width: number, color: ChalkInstance): string {
  const parts: [string, (text: string) => string][] = [
    [`  ${RUNNING} `, color.cyan],
    [step.step, (text) => text],
  ];
  if (step.name !== step.step) parts.push([` ${step.name}`, color.dim]);
  parts.push([` ${formatSpan(Math.floor((at - step.startedAt) / 1000) * 1000)}`, color.dim]);
  if (step.attempt > 1) parts.push([` · attempt ${step.attempt}`, color.yellow]);
  if (step.waitEndsAt !== undefined) {
    const left = Math.max(0, Math.ceil((step.waitEndsAt - at) / 1000) * 1000);
    parts.push([` · ${formatSpan(left)} left`, (text) => text]);
  }
  if (step.detail) parts.push([` · ${step.detail}`, (text) => text]);
  return truncate(parts, width);
}

/** The parts, painted, cut to `width` characters as the terminal shows them. */
function truncate(parts: [string, (text: string) => string][], width: number): string {
  let room = width;
  let line = "";
  for (const [text, paint] of parts) {
    const chars = [...text];
    if (chars.length <= room) {
      line += paint(text);
      room -= chars.length;
      continue;
    }
    if (room > 0) line += paint(`${chars.slice(0, Math.max(0, room - 1)).join("")}…`);
    break;
  }
  return line;
}
