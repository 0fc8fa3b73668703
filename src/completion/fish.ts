// The fish completion script: a function finds the command path on the line; each command's subcommands
// and options are offered only there. File names only where a file is expected (-F), else none (-f).
import { allCommands, valuedNames, type CommandSpec, type OptionSpec } from './tree.js';

const HEADER = `# fish completion for cx: commands, subcommands and options. Addresses and names are never completed:
# they are patient data and would land in shell history. Made by \`cx completion fish\`; install with
#   cx completion fish > ~/.config/fish/completions/cx.fish`;

/** A single-quoted fish word. */
const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function optionLine(cmd: CommandSpec, o: OptionSpec): string {
  const names = [o.long.startsWith('--') ? `-l ${o.long.slice(2)}` : `-o ${o.long.slice(1)}`, ...(o.short ? [`-s ${o.short.slice(1)}`] : [])];
  const value = o.value === null ? '' : o.value.kind === 'file' ? ' -r -F' : o.value.kind === 'dir' ? ` -r -xa '(__fish_complete_directories)'` : o.value.kind === 'choices' ? ` -x -a ${q(o.value.words.join(' '))}` : ' -x';
  return `complete -c cx -n ${q(`__cx_at ${q(cmd.path)}`)} ${names.join(' ')}${value} -d ${q(o.description)}`;
}

function commandLines(cmd: CommandSpec): string[] {
  const at = `-n ${q(`__cx_at ${q(cmd.path)}`)}`;
  const arg = cmd.subcommands.length ? [] : cmd.argument.kind === 'file' ? [`complete -c cx ${at} -F`] : cmd.argument.kind === 'dir' ? [`complete -c cx ${at} -xa '(__fish_complete_directories)'`] : cmd.argument.kind === 'choices' ? [`complete -c cx ${at} -xa ${q(cmd.argument.words.join(' '))}`] : [];
  return [
    ...cmd.subcommands.map((c) => `complete -c cx ${at} -a ${q(c.name)} -d ${q(c.description)}`),
    ...arg,
    ...cmd.options.map((o) => optionLine(cmd, o)),
  ];
}

function specCase(cmd: CommandSpec): string {
  return [
    `        case ${q(cmd.path)}`,
    `            set commands ${cmd.subcommands.map((c) => q(c.name)).join(' ')}`,
    `            set valued ${valuedNames(cmd).map(q).join(' ')}`,
  ].join('\n');
}

export function fishScript(root: CommandSpec): string {
  const commands = allCommands(root);
  return `${HEADER}

# The words on the line that name commands ('notes export'), skipping every option's value.
function __cx_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path
    set -l skip 0
    for w in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        set -l commands
        set -l valued
        switch (string join ' ' -- $path)
${commands.map(specCase).join('\n')}
        end
        switch $w
            case '--*=*'
            case '-*'
                contains -- $w $valued; and set skip 1
            case '*'
                contains -- $w $commands; and set -a path $w
        end
    end
    string join ' ' -- $path
end

function __cx_at
    set -l here (__cx_path)
    test "$here" = "$argv[1]"
end

complete -c cx -f
${commands.flatMap(commandLines).join('\n')}
`;
}
