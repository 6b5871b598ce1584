import { Command, CommanderError } from 'commander';
import { DataDirBusyError } from '../store/data-dir-lock.js';
import { DATA_COMMANDS, delegateToOwningServer } from './delegate.js';
import { callerPath, cliIo, runWithCliIo, type CliIo } from './io.js';
import type * as adminCommands from './commands/admin.js';
import type * as agentCommands from './commands/agent.js';
import type * as kbCommands from './commands/kb.js';
import type * as operatorCommands from './commands/operator.js';
import type * as reportCommands from './commands/report.js';
import type * as serveCommand from './commands/serve.js';
import type * as chatCommand from './commands/chat.js';
import type { EvalFaqOptions } from './commands/eval-faq.js';
import type { EvalIntentOptions } from './commands/eval-intent.js';
import type { EvalRetrievalOptions } from './commands/eval-retrieval.js';
import type { EvalPiiOptions } from './commands/eval-pii.js';
import type { EvalHandoverOptions } from './commands/eval-handover.js';

/**
 * Commander hands an action its arguments untyped. Arguments are strings (or what their parser,
 * callerPath, returns: a string); the options object is what the command's own `.option` calls
 * declare, which is the last parameter of the command function the action calls. The type-only
 * imports above cost nothing at run time, so the actions still load their modules lazily.
 */
type OptionsOf<F extends (...args: never[]) => unknown> =
  Parameters<F> extends [...unknown[], infer Last] ? Last : never;

/**
 * The `kefu` command line. Each action imports its module lazily so `kefu chat` does not pay for
 * loading the evaluation code, and the reverse.
 */
export function buildProgram(): Command {
  const program = new Command('kefu')
    .description('kefu 客服: open, self-hostable customer service')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => cliIo().stdout(text), writeErr: (text) => cliIo().stderr(text) });

  program
    .command('serve')
    .description('start the kefu service (API, widget, demo tenants)')
    .option('--port <port>', 'port to listen on (env PORT, default 3000)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .action(async (options: OptionsOf<typeof serveCommand.runServe>) =>
      (await import('./commands/serve.js')).runServe(options),
    );

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => (await import('./commands/admin.js')).runMigrate());

  program
    .command('import')
    .description('validate a tenant pack folder and import it (idempotent)')
    .argument('<pack-dir>', 'the pack folder', callerPath)
    .option('--dry-run', 'only validate')
    .option('--json', 'print the result as JSON')
    .option('--generate-phrasings', 'with an LLM configured: generate varied FAQ phrasings and queue them for approval')
    .action(async (directory: string, options: OptionsOf<typeof adminCommands.runImport>) =>
      (await import('./commands/admin.js')).runImport(directory, options),
    );

  program
    .command('backup')
    .description('write a consistent copy of the embedded database to a file (works while kefu serve runs)')
    .argument('<file>', 'where to write it, e.g. kefu-2026-12-04.tar.gz', callerPath)
    .action(async (file: string) => (await import('./commands/admin.js')).runBackup(file));

  program
    .command('restore')
    .description('replace the embedded database with a backup (stop kefu serve first); the old one is kept aside')
    .argument('<file>', 'a file written by kefu backup', callerPath)
    .option('--data-dir <dir>', 'restore into this data directory instead (e.g. to inspect a backup while serving)')
    .action(async (file: string, options: OptionsOf<typeof adminCommands.runRestore>) =>
      (await import('./commands/admin.js')).runRestore(file, options),
    );

  program
    .command('export')
    .description('write a tenant back out as a pack folder')
    .argument('<tenant>', 'tenant slug')
    .argument('<dir>', 'folder to write', callerPath)
    .action(async (slug: string, directory: string) =>
      (await import('./commands/admin.js')).runExport(slug, directory),
    );

  const tenant = program.command('tenant').description('manage tenants');
  tenant
    .command('create')
    .description('create an empty tenant')
    .argument('<slug>', 'lower-case id, e.g. my-shop')
    .option('--name <name>', 'display name')
    .option('--locale <locale>', 'zh-CN, zh-TW, en-US …', 'zh-CN')
    .option('--domain <domain>', 'ecommerce | finance | medical | travel | telecom | general', 'general')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: OptionsOf<typeof adminCommands.runTenantCreate>) =>
      (await import('./commands/admin.js')).runTenantCreate(slug, options),
    );

  const agent = program.command('agent').description('agent console accounts (hand-off to people)');
  agent
    .command('create')
    .description('create an agent who can log into the console')
    .argument('<tenant>', 'tenant slug')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--name <name>', 'display name, e.g. 李娜')
    .option('--skills <list>', "comma-separated skills matching the tenant's queues, e.g. 售后,投诉")
    .option('--password <password>', 'at least 8 characters (default: generated and printed once)')
    .option('--max-concurrent <n>', 'most conversations at once (default 5)')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: OptionsOf<typeof agentCommands.runAgentCreate>) =>
      (await import('./commands/agent.js')).runAgentCreate(slug, options),
    );
  agent
    .command('pii-read')
    .description("let an agent see customers' personal data unmasked in the console (scope pii:read)")
    .argument('<tenant>', 'tenant slug')
    .argument('<email>', "the agent's login email")
    .option('--revoke', 'withdraw the scope instead')
    .action(async (slug: string, email: string, options: { revoke?: boolean }) =>
      (await import('./commands/agent-pii.js')).runAgentPiiRead(slug, email, options),
    );

  const key = program.command('key').description('manage tenant API keys');
  key
    .command('create')
    .description('create an API key (shown once)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--name <name>', 'label for the key')
    .option('--scopes <list>', 'comma-separated: chat, conversations:read, kb:write, analytics:read, admin', 'chat')
    .option('--expires <when>', 'ISO date or days, e.g. 30d')
    .option('--json', 'print JSON')
    .action(async (options: OptionsOf<typeof adminCommands.runKeyCreate>) =>
      (await import('./commands/admin.js')).runKeyCreate(options),
    );

  const operator = program
    .command('operator')
    .description('the operator (reseller) plane: operator keys and the audit log');
  const operatorKey = operator.command('key').description('operator keys (kefu_op_…) for /operator/v1');
  operatorKey
    .command('create')
    .description('create an operator key (shown once)')
    .requiredOption('--name <name>', 'label for the key, e.g. ops-laptop')
    .option('--json', 'print JSON')
    .action(async (options: OptionsOf<typeof operatorCommands.runOperatorKeyCreate>) =>
      (await import('./commands/operator.js')).runOperatorKeyCreate(options),
    );
  operatorKey
    .command('list')
    .description('list operator keys (never the secret)')
    .option('--json', 'print JSON')
    .action(async (options: OptionsOf<typeof operatorCommands.runOperatorKeyList>) =>
      (await import('./commands/operator.js')).runOperatorKeyList(options),
    );
  operatorKey
    .command('revoke')
    .description('revoke an operator key now')
    .argument('<id>', 'operator key id')
    .action(async (id: string) => (await import('./commands/operator.js')).runOperatorKeyRevoke(id));
  operator
    .command('audit')
    .description('export the audit log of operator and admin actions, newest first')
    .option('--tenant <slug-or-id>', 'only this tenant')
    .option('--actor <actor>', 'only this actor, e.g. operator:<key id>')
    .option('--action <action>', 'an action, or a prefix ending in * (api_key.*)')
    .option('--from <date>', 'start (ISO date or time)')
    .option('--to <date>', 'end, exclusive (ISO date or time)')
    .option('--format <format>', 'json | csv', 'json')
    .option('--out <file>', 'write to this file instead of stdout', callerPath)
    .action(async (options: OptionsOf<typeof operatorCommands.runOperatorAudit>) =>
      (await import('./commands/operator.js')).runOperatorAudit(options),
    );

  program
    .command('chat')
    .description('chat with a tenant in the terminal; --json reads one message per line')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--json', 'one JSON object per turn')
    .action(async (options: OptionsOf<typeof chatCommand.runChat>) =>
      (await import('./commands/chat.js')).runChat(options),
    );

  const kb = program.command('kb').description('knowledge sources: folders, URLs, sitemaps');
  kb.command('add-folder')
    .description('watch a folder of documents (Markdown, HTML, PDF, DOCX, CSV/XLSX FAQ sheets, text)')
    .argument('<tenant>', 'tenant slug')
    .argument('<folder>', 'the folder', callerPath)
    .option('--name <name>', 'source name (default: the folder name)')
    .option('--schedule <cron>', 're-sync on this cron expression, e.g. "*/30 * * * *"')
    .action(async (slug: string, folder: string, options: OptionsOf<typeof kbCommands.runKbAddFolder>) =>
      (await import('./commands/kb.js')).runKbAddFolder(slug, folder, options),
    );
  kb.command('sync')
    .description("re-sync the tenant's sources now: only changed files are re-indexed")
    .argument('<tenant>', 'tenant slug')
    .option('--source <name>', 'only this source (name or id)')
    .option('--json', 'print the change reports as JSON')
    .action(async (slug: string, options: OptionsOf<typeof kbCommands.runKbSync>) =>
      (await import('./commands/kb.js')).runKbSync(slug, options),
    );
  kb.command('conflicts')
    .description('entries that answer the same question differently, for a person to settle')
    .argument('<tenant>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: OptionsOf<typeof kbCommands.runKbConflicts>) =>
      (await import('./commands/kb.js')).runKbConflicts(slug, options),
    );

  const report = program.command('report').description('reports from the turn ledger');
  report
    .command('cost')
    .description('turns and cost per tier, and the saving against an all-LLM baseline')
    .argument('<tenant>', 'tenant slug')
    .option('--from <date>', 'start (ISO date or time)')
    .option('--to <date>', 'end, exclusive (ISO date or time)')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: OptionsOf<typeof reportCommands.runCostReport>) =>
      (await import('./commands/report.js')).runCostReport(slug, options),
    );

  const evaluate = program.command('eval').description('evaluate kefu on labelled data');

  evaluate
    .command('intent')
    .description('train the light-tier intent classifier on --train and score it on --test')
    .requiredOption('--train <file>', 'JSONL rows {"text","label"} to train on')
    .requiredOption('--test <file>', 'JSONL rows {"text","label"} to score')
    .option('--oos-label <label>', 'label of out-of-scope rows', 'oos')
    .option('--gate <number>', 'confidence gate for coverage/selective accuracy', '0.85')
    .option('--lang <lang>', 'auto | zh | en', 'auto')
    .option('--json', 'print one JSON object')
    .action(async (options: EvalIntentOptions) => {
      const { runEvalIntent } = await import('./commands/eval-intent.js');
      await runEvalIntent(options);
    });

  evaluate
    .command('faq')
    .description('build a throw-away tenant from an FAQ sheet and score answers, declines and hand-overs on --test')
    .requiredOption('--faq <file>', "FAQ sheet (CSV/XLSX, as a pack's faq sheet)")
    .requiredOption('--test <file>', 'JSONL rows {"text","expected"}: an FAQ id, "oos" or "human"')
    .option('--dialogues <file>', 'JSONL rows {"id","turns":[{"text","expected"}]}, scored turn by turn')
    .option('--gate <number>', 'confidence gate (default: the tenant default for its domain)')
    .option('--domain <domain>', 'tenant domain: ecommerce | finance | medical | travel | telecom | general', 'general')
    .option('--json', 'print one JSON object')
    .action(async (options: EvalFaqOptions) => {
      const { runEvalFaq } = await import('./commands/eval-faq.js');
      await runEvalFaq(options);
    });

  evaluate
    .command('style')
    .description("check labelled replies against a pack's style guide and compliance rules; precision and recall")
    .requiredOption('--pack <dir>', 'tenant pack folder (its style.yaml and tenant.yaml domain are used)')
    .requiredOption(
      '--replies <file>',
      'JSONL rows {"text","kind"?,"first"?,"closing"?,"verified"?,"violations":[rule…]} (or "ok": true|false)',
    )
    .option('--json', 'print one JSON object')
    .action(async (options: { pack: string; replies: string; json?: boolean }) => {
      const { runEvalStyle } = await import('./commands/eval-style.js');
      await runEvalStyle(options);
    });

  evaluate
    .command('retrieval')
    .description('index --kb and score ranked retrieval on --queries')
    .requiredOption('--kb <file>', 'JSONL rows {"id","question","answer"}')
    .requiredOption('--queries <file>', 'JSONL rows {"query","relevant_ids","exclude_ids"?}')
    .option('--k <number>', 'ranking depth', '10')
    .option('--json', 'print one JSON object')
    .action(async (options: EvalRetrievalOptions) => {
      const { runEvalRetrieval } = await import('./commands/eval-retrieval.js');
      await runEvalRetrieval(options);
    });

  evaluate
    .command('cluster')
    .description('cluster --data without its labels (phrasing clusters) and score NMI, ARI and Hungarian accuracy')
    .requiredOption('--data <file>', 'JSONL rows {"text","label"}')
    .option('--k <k>', 'auto (find the number of clusters) or a whole number', 'auto')
    .option('--json', 'print one JSON object')
    .action(async (options: { data: string; k?: string; json?: boolean }) => {
      const { runEvalCluster } = await import('./commands/eval-cluster.js');
      await runEvalCluster(options);
    });

  evaluate
    .command('learn')
    .description('replay a labelled stream: live traffic with clicks and a trainer, then score day-one vs learned')
    .requiredOption('--faq <file>', "FAQ sheet (CSV/XLSX, as a pack's faq sheet)")
    .requiredOption('--stream <file>', 'JSONL rows {"text","expected"}: an FAQ id, "oos" or "human"')
    .option('--split <fraction>', 'share of the shuffled stream played as live traffic', '0.5')
    .option('--budget <n>', 'items the simulated trainer labels', '60')
    .option('--strategy <strategy>', 'value (review-queue order) | random', 'value')
    .option('--seed <n>', 'shuffle seed', '1')
    .option('--domain <domain>', 'tenant domain (default general)')
    .option('--json', 'print one JSON object')
    .action(
      async (options: {
        faq: string;
        stream: string;
        split?: string;
        budget?: string;
        strategy?: string;
        seed?: string;
        domain?: string;
        json?: boolean;
      }) => {
        const { runEvalLearn } = await import('./commands/eval-learn.js');
        await runEvalLearn(options);
      },
    );

  evaluate
    .command('pii')
    .description('score the personal-data recognisers on labelled spans in --test')
    .requiredOption('--test <file>', 'JSONL rows {"text","spans":[{"start","end","type"}]} (UTF-16 offsets)')
    .option('--json', 'print one JSON object')
    .action(async (options: EvalPiiOptions) => {
      const { runEvalPii } = await import('./commands/eval-pii.js');
      await runEvalPii(options);
    });

  evaluate
    .command('handover')
    .description('run every --test row through the hand-over guard (rules + classifier, no LLM) and score it')
    .requiredOption('--test <file>', 'JSONL rows {"text","expected":"human"|"bot","category"?}')
    .option('--json', 'print one JSON object')
    .action(async (options: EvalHandoverOptions) => {
      const { runEvalHandover } = await import('./commands/eval-handover.js');
      await runEvalHandover(options);
    });

  // Contacts (docs/personal.md): streaming CSV/XLSX import with a column mapping, and export.
  const contacts = program.command('contacts').description('customer profiles: import and export');
  contacts
    .command('import')
    .description('import contacts from CSV or XLSX (progress on stderr, bad rows by line)')
    .argument('<file>', 'CSV or XLSX file with a header row')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option(
      '--map <column=field...>',
      'map a column: name, phone, email, external_id, ext.<source>, tier, tags, time_zone, locale, consent.<key>, attr.<name>[:number|boolean|date]',
    )
    .option('--dry-run', 'check every row and report, write nothing')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: { tenant: string; map?: string[]; dryRun?: boolean; json?: boolean }) =>
      (await import('../contacts/cli.js')).runContactsImport(file, options),
    );
  contacts
    .command('export')
    .description('every profiled contact as CSV on stdout')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .action(async (options: { tenant: string }) => (await import('../contacts/cli.js')).runContactsExport(options));

  return program;
}

/** Runs the program; prints errors plainly; returns the exit code. */
async function runProgram(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return cliIo().exitCode ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    cliIo().stderr(`kefu: ${describeFailure(error)}\n`);
    return 1;
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof DataDirBusyError) {
    return error.owner.kind === 'server'
      ? `${error.message}. Stop it first (Ctrl-C in its terminal), or use its API.`
      : `${error.message}. Run this again when that command has finished.`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * A command run inside the server that owns the data directory, for a CLI on the same machine
 * (`argv` without node and the script). Only the commands that use the data directory.
 */
export async function runCliInServer(args: string[], io: CliIo): Promise<number> {
  if (!DATA_COMMANDS.has(args[0] ?? '')) {
    io.stderr(`kefu: "${args[0] ?? ''}" does not run inside the server\n`);
    return 2;
  }
  return runWithCliIo(io, () => runProgram(['node', 'kefu', ...args]));
}

/** Entry point of bin/kefu.js: runs the program (or hands it to the server that owns the data), sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  // `kefu … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  try {
    const delegated = await delegateToOwningServer(argv.slice(2));
    if (delegated !== null) {
      process.exitCode = delegated;
      return;
    }
  } catch (error) {
    process.stderr.write(`kefu: ${describeFailure(error)}\n`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = await runProgram(argv);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv);
