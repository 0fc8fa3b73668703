// The bash completion script. Plain bash (no bash-completion package needed), no eval and no call back into
// cx: what was typed on the line is only compared with the command and option names written in here.
import { allCommands, optionNames, valuedNames, type CommandSpec, type ValueKind } from './tree.js';

const HEADER = `# bash completion for cx: commands, subcommands and options. Addresses and names are never completed:
# they are patient data and would land in shell history. Made by \`cx completion bash\`; install with
#   cx completion bash > ~/.local/share/bash-completion/completions/cx
# or add to ~/.bashrc:  source <(cx completion bash)`;

/** bash words are generated from names we wrote (letters, digits, '-'): safe inside double quotes. */
const words = (list: string[]): string => `"${list.join(' ')}"`;

function valueCase(kind: ValueKind): string {
  switch (kind.kind) {
    case 'file':
      return 'file';
    case 'dir':
      return 'dir';
    case 'choices':
      return `words:${kind.words.join(' ')}`;
    case 'none':
      return 'none';
  }
}

function specCase(cmd: CommandSpec): string {
  const valued = cmd.options.filter((o) => o.value !== null);
  const valueLines = valued.flatMap((o) => (o.short ? [o.long, o.short] : [o.long]).map((name) => `        ${name}) _cx_value=${words([valueCase(o.value!)])} ;;`));
  return [
    `    ${words([cmd.path])})`,
    `      _cx_commands=${words(cmd.subcommands.map((c) => c.name))}`,
    `      _cx_options=${words(optionNames(cmd))}`,
    `      _cx_valued=${words(valuedNames(cmd))}`,
    `      _cx_argument=${words([valueCase(cmd.argument)])}`,
    '      case $2 in',
    ...valueLines,
    '        *) _cx_value=none ;;',
    '      esac ;;',
  ].join('\n');
}

export function bashScript(root: CommandSpec): string {
  return `${HEADER}

# What the command at path $1 offers; $2 an option whose value is being completed.
_cx_spec() {
  case $1 in
${allCommands(root).map(specCase).join('\n')}
    *) _cx_commands='' _cx_options='' _cx_valued='' _cx_argument=none _cx_value=none ;;
  esac
}

# Completes COMP_WORDS[COMP_CWORD] into COMPREPLY.
_cx_completion() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev='' path='' skip=0 i w
  local _cx_commands _cx_options _cx_valued _cx_argument _cx_value
  # The command path: the words that name commands, skipping every option's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if ((skip)); then skip=0; continue; fi
    _cx_spec "$path" ''
    case $w in
      =) skip=1 ;;
      -*) case " $_cx_valued " in *" $w "*) skip=1 ;; esac ;;
      *) case " $_cx_commands " in *" $w "*) path=\${path:+$path }$w ;; esac ;;
    esac
  done
  ((COMP_CWORD > 1)) && prev=\${COMP_WORDS[COMP_CWORD - 1]}
  # --opt=value arrives as three words (bash splits at '='): the option is the one before the '='.
  if [[ $prev == = ]] && ((COMP_CWORD > 2)); then prev=\${COMP_WORDS[COMP_CWORD - 2]}; elif [[ $cur == = ]]; then cur=''; fi
  COMPREPLY=()
  if [[ $prev == -* ]]; then
    _cx_spec "$path" "$prev"
    case " $_cx_valued " in *" $prev "*) _cx_complete_value "$_cx_value"; return ;; esac
  fi
  _cx_spec "$path" ''
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$_cx_options" -- "$cur"))
  elif [[ -n $_cx_commands ]]; then
    COMPREPLY=($(compgen -W "$_cx_commands" -- "$cur"))
  else
    _cx_complete_value "$_cx_argument"
  fi
}

_cx_complete_value() {
  case $1 in
    file) _cx_names -f ;;
    dir) _cx_names -d ;;
    words:*) COMPREPLY=($(compgen -W "\${1#words:}" -- "$cur")) ;;
    *) COMPREPLY=() ;;
  esac
}

# File (-f) or folder (-d) names starting with $cur, each one word whatever it holds (spaces, quotes, $, ;, *):
# read line by line, never split or glob-expanded. Told they are file names (compopt, bash 4 and later),
# readline quotes them as it puts them on the line; where it cannot be told (bash 3.2, as on macOS), they
# are quoted here, once.
_cx_names() {
  local name quote=1
  compopt -o filenames 2>/dev/null && quote=0
  COMPREPLY=()
  while IFS= read -r name; do
    ((quote)) && printf -v name '%q' "$name"
    COMPREPLY+=("$name")
  done < <(compgen "$1" -- "$cur")
}

complete -F _cx_completion cx
`;
}
