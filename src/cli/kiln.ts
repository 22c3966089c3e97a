// The kiln command: one file per subcommand; this file only dispatches.
import { start, help as startHelp } from './start.ts';
import { specCommand } from './spec.ts';
import { tokenCommand } from './token.ts';
import { migrateCommand } from './migrate.ts';
import { diffCommand } from './diff.ts';
import { viewsCommand } from './views.ts';
import { aiCommand } from './ai.ts';
import { evalCommand } from './eval.ts';
import { KILN_VERSION } from './version.ts';
import { newCommand } from './new.ts';
import { editCommand } from './edit.ts';

const help = `Kiln ${KILN_VERSION}: describe a content app, run it as a hardened API.

Usage: kiln <command> [options]

Commands:
  new DIR --describe T Plan an app from a description: DIR/kiln.json + seed.json
  start [SPEC]         Serve an app spec (default ./kiln.json)
  spec check [FILE]    Validate a spec
  spec schema          Print the spec format's JSON Schema
  diff OLD NEW         Classified changes between two specs
  migrate [SPEC]       Plan, check and apply a spec change to the database
  edit --describe T    Change the spec in plain words: patch, diff, migration plan
  spec history         List applied spec versions
  spec rollback V      Go back to spec version V through the migration gate
  views rebuild [SPEC] Rebuild the content tables from the event log
  token rotate [SPEC]  Replace the root API token
  eval [SUITE…]        Run the eval and safety suites; exits 1 below a threshold
  ai log [SPEC]        List the recorded model calls (--show ID for one in full)

Run "kiln <command> --help" for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'start':
      return start(rest);
    case 'new':
      return newCommand(rest);
    case 'spec':
      return specCommand(rest);
    case 'token':
      return tokenCommand(rest);
    case 'migrate':
      return migrateCommand(rest);
    case 'edit':
      return editCommand(rest);
    case 'diff':
      return diffCommand(rest);
    case 'views':
      return viewsCommand(rest);
    case 'eval':
      return evalCommand(rest);
    case 'ai':
      return aiCommand(rest);
    case '--version':
    case '-v':
      console.log(KILN_VERSION);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(rest[0] === 'start' ? startHelp : help);
      return cmd === undefined ? 1 : 0;
    default:
      console.error(`kiln: unknown command "${cmd}"\n\n${help}`);
      return 1;
  }
}
