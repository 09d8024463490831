// The bash completion script (zsh loads the same through bashcompinit). The command tree is
// written into the script; stage names and run ids are asked of relctl itself at completion
// time (`relctl __complete stages|runs -- <words>`), so they follow the playbook and the state.
import type { CommandSpec } from "./spec.js";

const FIXED: Record<string, string> = { shells: "bash zsh fish", decisions: "continue abort" };

function words(list: readonly string[]): string {
  return list.join(" ");
}

function specCase(spec: CommandSpec): string {
  const byKind = (kind: string) => words(spec.valued.filter((v) => v.kind === kind).map((v) => v.flag));
  const args = spec.args.map((kind, index) =>
    index === spec.args.length - 1 && spec.variadicLast ? `${kind}...` : kind,
  );
  return [
    `    "${spec.path}")`,
    `      subs="${words(spec.subcommands)}"`,
    `      flags="${words(spec.flags)}"`,
    `      valued="${words(spec.valued.map((v) => v.flag))}"`,
    `      dirvalued="${byKind("dirs")}"`,
    `      filevalued="${byKind("files")}"`,
    `      args="${words(args)}"`,
    `      ;;`,
  ].join("\n");
}

export function bashScript(specs: readonly CommandSpec[]): string {
  return `# relctl shell completion for bash.
# Install: echo 'eval "$(relctl completion bash)"' >> ~/.bashrc

_relctl_spec() {
  subs="" flags="" valued="" dirvalued="" filevalued="" args=""
  case "$1" in
${specs.map(specCase).join("\n")}
  esac
}

_relctl_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local path="" word i skip=0 positional=0
  local subs flags valued dirvalued filevalued args
  _relctl_spec ""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --*=*) ;;
      -*) case " $valued " in *" $word "*) skip=1 ;; esac ;;
      *)
        if [[ " $subs " == *" $word "* ]]; then
          path="\${path:+$path }$word"
          _relctl_spec "$path"
        else
          positional=$((positional + 1))
        fi
        ;;
    esac
  done
  COMPREPLY=()
  if ((skip)); then
    local option="\${COMP_WORDS[COMP_CWORD - 1]}"
    if [[ " $dirvalued " == *" $option "* ]]; then
      COMPREPLY=($(compgen -d -- "$cur"))
    elif [[ " $filevalued " == *" $option "* ]]; then
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return 0
  fi
  if [[ -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return 0
  fi
  local -a kinds=($args)
  local kind=""
  if ((positional < \${#kinds[@]})); then
    kind="\${kinds[positional]}"
  elif ((\${#kinds[@]} > 0)); then
    kind="\${kinds[\${#kinds[@]} - 1]}"
    [[ "$kind" == *... ]] || kind=""
  fi
  kind="\${kind%...}"
  case "$kind" in
    stages | runs)
      local found
      found="$("\${COMP_WORDS[0]}" __complete "$kind" -- "\${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)"
      COMPREPLY=($(compgen -W "$found" -- "$cur"))
      ;;
${Object.entries(FIXED)
  .map(([kind, list]) => `    ${kind}) COMPREPLY=($(compgen -W "${list}" -- "$cur")) ;;`)
  .join("\n")}
    dirs) COMPREPLY=($(compgen -d -- "$cur")) ;;
    files) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
  return 0
}

complete -F _relctl_complete relctl
`;
}

/** zsh runs the bash function through its bash compatibility layer. */
export function zshScript(specs: readonly CommandSpec[]): string {
  return `#compdef relctl
# relctl shell completion for zsh.
# Install: echo 'eval "$(relctl completion zsh)"' >> ~/.zshrc   (after compinit)
autoload -U +X bashcompinit && bashcompinit
${bashScript(specs).replace(/^# relctl shell completion for bash\.\n# Install:.*\n/m, "")}`;
}
