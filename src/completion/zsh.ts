// The zsh completion script: the same walk as the bash one (src/completion/bash.ts), with descriptions.
import { allCommands, valuedNames, type CommandSpec, type OptionSpec, type ValueKind } from './tree.js';

const HEADER = `#compdef cx
# zsh completion for cx: commands, subcommands and options. Addresses and names are never completed:
# they are patient data and would land in shell history. Made by \`cx completion zsh\`; install with
#   mkdir -p ~/.zfunc && cx completion zsh > ~/.zfunc/_cx
# and in ~/.zshrc, before compinit:  fpath=(~/.zfunc $fpath)   (then start a new shell)
# or add to ~/.zshrc, after compinit:  source <(cx completion zsh)`;

/** A single-quoted zsh word. */
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
/** An entry for _describe: "name:description", with the description's colons escaped. */
const described = (name: string, description: string): string => q(`${name}:${description.replace(/:/g, '\\:')}`);

function valueCase(kind: ValueKind): string {
  return kind.kind === 'choices' ? `words:${kind.words.join(' ')}` : kind.kind;
}

function optionEntries(o: OptionSpec): string[] {
  return (o.short ? [o.long, o.short] : [o.long]).map((name) => described(name, o.description));
}

function specCase(cmd: CommandSpec): string {
  const valued = cmd.options.filter((o) => o.value !== null);
  return [
    `    ${q(cmd.path)})`,
    `      cmds=(${cmd.subcommands.map((c) => described(c.name, c.description)).join(' ')})`,
    `      opts=(${cmd.options.flatMap(optionEntries).join(' ')})`,
    `      valued=(${valuedNames(cmd).join(' ')})`,
    `      argument=${q(valueCase(cmd.argument))}`,
    '      case $2 in',
    ...valued.map((o) => `        ${[o.long, ...(o.short ? [o.short] : [])].join('|')}) value=${q(valueCase(o.value!))} ;;`),
    '        *) value=none ;;',
    '      esac ;;',
  ].join('\n');
}

export function zshScript(root: CommandSpec): string {
  return `${HEADER}

# What the command at path $1 offers; $2 an option whose value is being completed.
_cx_spec() {
  case $1 in
${allCommands(root).map(specCase).join('\n')}
    *) cmds=() opts=() valued=() argument=none value=none ;;
  esac
}

_cx_value() {
  case $1 in
    file) _files ;;
    dir) _files -/ ;;
    words:*) compadd -- \${=1#words:} ;;
    *) return 1 ;;
  esac
}

_cx() {
  local cmdpath='' skip=0 i w argument value prev=\${words[CURRENT-1]}
  local -a cmds opts valued
  # The command path: the words that name commands, skipping every option's value.
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if ((skip)); then skip=0; continue; fi
    _cx_spec "$cmdpath" ''
    case $w in
      --*=*) ;;
      -*) ((\${valued[(Ie)$w]})) && skip=1 ;;
      *) ((\${cmds[(I)$w:*]})) && cmdpath=\${cmdpath:+$cmdpath }$w ;;
    esac
  done
  _cx_spec "$cmdpath" "$prev"
  if [[ $prev == -* ]] && ((\${valued[(Ie)$prev]})); then
    _cx_value "$value"
    return
  fi
  if [[ \${words[CURRENT]} == -* ]]; then
    _describe -t options option opts
  elif (($#cmds)); then
    _describe -t commands command cmds
  else
    _cx_value "$argument"
  fi
}

if [[ \${funcstack[1]} == _cx ]]; then
  _cx "$@"
else
  compdef _cx cx
fi
`;
}
