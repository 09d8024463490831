// Wires commander to the command handlers. No logic lives here: each handler is imported only
// when its command runs, so `relctl lint` never loads Octokit and `--help` loads almost nothing.
import { Command, CommanderError } from "commander";
import { ExitCode, isRelctlError } from "../errors.js";
import { PHASES } from "../playbook/model.js";
import {
  addGlobalOptions,
  checkGlobalOptions,
  cwdOf,
  globalOptions,
  type GlobalOptions,
} from "./global-options.js";
import { reportFatal } from "./fatal.js";
import { processIo, type Io } from "./io.js";
import { addRunOptions, runCommandOptions } from "./run-options.js";
import { relctlVersion } from "../util/package-version.js";

type Handler = (options: GlobalOptions, io: Io) => Promise<number>;

const PHASE_HELP: Record<string, string> = {
  freeze: "start the code freeze: check the tree and the error budget, compute the RC, announce",
  build: "build and push release-candidate artifacts",
  sign: "sign artifacts by digest and verify the signatures",
  stage: "deploy the candidate to staging",
  validate: "run smoke, health and regression checks",
  canary: "shift production traffic step by step behind gates",
  promote: "promote the candidate to GA and tag the release",
  rollback: "return to the last known good release",
};

export async function main(argv: string[], io?: Io): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let activeIo = io;
  const program = new Command("relctl")
    .description(
      "Release orchestrator: runs YAML playbooks for freeze, build, sign, stage, validate, canary, promote and rollback",
    )
    .version(relctlVersion(), "-V, --version")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => (activeIo ?? processIo(true)).out(text),
      writeErr: (text) => (activeIo ?? processIo(true)).err(text),
    });

  // Global options work before the command name too (`relctl --json lint`).
  addGlobalOptions(program);

  const command = (
    name: string,
    description: string,
    load: (cmd: Command) => Promise<Handler>,
    parent: Command = program,
  ): Command => {
    const cmd = addGlobalOptions(parent.command(name).description(description));
    cmd.action(async (...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      const options = globalOptions(self);
      activeIo ??= processIo(options.color, options.json);
      try {
        checkGlobalOptions(options);
        const handler = await load(self);
        exitCode = await handler(options, activeIo);
      } catch (error) {
        exitCode = reportFatal(error, activeIo, options.verbose, cwdOf(options));
      }
    });
    return cmd;
  };

  for (const phase of PHASES) {
    const cmd = command(phase, `run the ${phase} stage: ${PHASE_HELP[phase]}`, async (self) => {
      const { runStagesCommand } = await import("./commands/run.js");
      return (options, out) => runStagesCommand([phase], { ...options, ...runCommandOptions(self) }, out);
    });
    addRunOptions(cmd);
  }
  addRunOptions(
    command("run", "run one or more stages in order", async (cmd) => {
      const { runStagesCommand } = await import("./commands/run.js");
      return (options, out) => runStagesCommand(cmd.args, { ...options, ...runCommandOptions(cmd) }, out);
    }).argument("<stages...>", "stage names"),
  );
  command("plan", "show exactly what the stages would do, running nothing that mutates", async (cmd) => {
    const { planCommand } = await import("./commands/plan.js");
    return (options, out) => planCommand(cmd.args, cmd.opts<{ output?: string }>().output, options, out);
  })
    .argument("[stages...]", "stage names (default: every stage except on_failure handlers)")
    .option("-o, --output <file>", "also write the plan as versioned JSON to this file");
  command("lint", "check the playbook and print every problem with file:line:column", async () => {
    const { lintCommand } = await import("./commands/lint.js");
    return lintCommand;
  });
  command("schema", "print the JSON Schema of the playbook format (for editor completion)", async () => {
    const { schemaCommand } = await import("./commands/schema.js");
    return schemaCommand;
  });
  command(
    "gate",
    "measure a stage's gates now (read-only); --watch runs them until they decide",
    async (cmd) => {
      const { gateCommand } = await import("./commands/gate.js");
      return (options, out) => gateCommand(String(cmd.args[0]), cmd.opts(), options, out);
    },
  )
    .argument("<stage>", "the stage whose gates to evaluate")
    .option("--watch", "run the gates for real: hold, abort criteria and limits, until each decides");
  command("decide", "continue or abort a gate that paused on an inconclusive verdict", async (cmd) => {
    const { decideCommand } = await import("./commands/decide.js");
    const [run, step, decision] = cmd.args.map(String);
    return (options, out) => decideCommand(run!, step!, decision!, cmd.opts(), options, out);
  })
    .argument("<run>", "run id (relctl history)")
    .argument("<step>", "the paused gate step")
    .argument("<decision>", "continue or abort")
    .option("--reason <text>", "why (recorded)");
  command("approve", "approve the plan of a run for a stage that needs approvals", async (cmd) => {
    const { approveCommand } = await import("./commands/approve.js");
    return (options, out) => approveCommand(String(cmd.args[0]), cmd.opts(), options, out);
  })
    .argument("<run>", "the run that asked for approvals (its id is in the refusal)")
    .requiredOption("--role <role>", "the role you approve as, e.g. release-captain or oncall-sre")
    .option("--stage <stage>", "approve only this stage of the run")
    .option("--comment <text>", "a note kept with the approval");
  command("status", "show where a run stands (default: the latest run)", async (cmd) => {
    const { statusCommand } = await import("./commands/status.js");
    return (options, out) => statusCommand(cmd.args[0], options, out);
  }).argument("[run]", "run id (default: the latest)");
  command("history", "list the runs recorded in the state directory, newest first", async () => {
    const { historyCommand } = await import("./commands/status.js");
    return historyCommand;
  });
  addRunOptions(
    command("resume", "continue an interrupted run without repeating its completed steps", async (cmd) => {
      const { resumeCommand } = await import("./commands/resume.js");
      return (options, out) =>
        resumeCommand(String(cmd.args[0]), { ...options, ...runCommandOptions(cmd) }, out);
    }).argument("<run>", "run id (relctl history)"),
  );
  command("unlock", "remove a target's lock left by a run that is gone (recorded)", async (cmd) => {
    const { unlockCommand } = await import("./commands/unlock.js");
    return (options, out) => unlockCommand(cmd.opts(), options, out);
  })
    .option("--force", "remove the lock of a holder that is gone (or on another host)")
    .option("--even-if-alive", "with --force: also when the holder is still running on this host")
    .option("--reason <text>", "why (recorded)")
    .option("--environment <env>", "the environment of the locked stage (default: stages without one)");
  const evidence = program.command("evidence").description("work with evidence bundles");
  command(
    "verify",
    "check an evidence bundle: checksums, manifest against journal, signature",
    async (cmd) => {
      const { evidenceVerifyCommand } = await import("./commands/evidence.js");
      return (options, out) => evidenceVerifyCommand(String(cmd.args[0]), cmd.opts(), options, out);
    },
    evidence,
  )
    .argument("<dir>", "the bundle folder (.relctl/runs/<run>/evidence)")
    .option("--key <key>", "public key to verify the signature with (cosign verify-blob)")
    .option("--require-signature", "fail when the bundle is not signed");
  command(
    "doctor",
    "check the outside tools the playbook needs, and how to install missing ones",
    async () => {
      const { doctorCommand, toolUsesOfSteps } = await import("./commands/doctor.js");
      const { preparePlaybook } = await import("./prepare.js");
      return async (options, out) => {
        const uses = await preparePlaybook(options, out)
          .then(({ playbook }) => toolUsesOfSteps(playbook.stages.flatMap((stage) => stage.steps)))
          .catch((error: unknown) => {
            // Without a playbook, doctor still lists the tools it knows.
            if (
              isRelctlError(error) &&
              error.code === "E_PLAYBOOK_NOT_FOUND" &&
              options.playbook === undefined
            )
              return [];
            throw error;
          });
        return doctorCommand(options, out, uses);
      };
    },
  );
  command("version", "print the next version and the commits that decide it", async (cmd) => {
    const { versionCommand } = await import("./commands/version.js");
    return (options, out) => versionCommand(cmd.opts(), options, out);
  })
    .option("--rc", "the next release candidate (v1.3.0-rc.N)")
    .option("--rc-format <format>", "RC suffix with {n}: -rc.{n} (default) or -rc{n}")
    .option("--force-version <version>", "release exactly this version")
    .option("--tag-format <format>", "tag template with {version} (default v{version})")
    .option("--hotfix", "patch bump only; refuse commits other than fix: and chore(security):")
    .option("--initial-version <version>", "the first release when there is no tag yet (default 0.1.0)")
    .option("--repo <dir>", "the git repository (default: the current directory)");
  command("changelog", "print release notes, or cut a release, in a Keep a Changelog file", async (cmd) => {
    const { changelogCommand } = await import("./commands/changelog.js");
    return (options, out) => changelogCommand(cmd.opts(), options, out);
  })
    .option("--cut <version>", "move [Unreleased] under this version and open a new [Unreleased]")
    .option("--notes <version>", "print this version's section (default: [Unreleased])")
    .option("--file <file>", "the changelog (default CHANGELOG.md, relative to --repo)")
    .option("--date <YYYY-MM-DD>", "release date for --cut (default: today, UTC)")
    .option("--from-commits", "add entries from the conventional commits since the last release")
    .option("--allow-empty", "cut even when [Unreleased] has no entries")
    .option("--tag-format <format>", "tag template with {version} (default v{version})")
    .option("--repo <dir>", "the git repository (default: the current directory)");

  command("completion", "print a shell completion script (bash, zsh or fish)", async () => {
    const { completionCommand } = await import("./commands/completion.js");
    return (_options, out) => completionCommand(String(completion.args[0]), program, out);
  }).argument("<shell>", "bash, zsh or fish");
  const completion = program.commands.at(-1)!;
  // What the completion scripts call at completion time; not for people, so not in the help.
  program
    .command("__complete", { hidden: true })
    .argument("<kind>")
    .argument("[words...]")
    .allowUnknownOption()
    .action(async (kind: string, words: string[]) => {
      const { completeWords } = await import("./commands/completion.js");
      exitCode = await completeWords(kind, words, (activeIo ??= processIo(false)));
    });

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.ok;
      if (error.exitCode === 0) return ExitCode.ok;
      return ExitCode.invalid;
    }
    return reportFatal(error, activeIo ?? processIo(true), argv.includes("-v") || argv.includes("--verbose"));
  }
  return exitCode;
}
