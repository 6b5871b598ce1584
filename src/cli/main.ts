import { Command, CommanderError } from 'commander';

/**
 * The `kefu` command line. Each action imports its module lazily so `kefu chat` does not pay for
 * loading the evaluation code, and the reverse.
 */
export function buildProgram(): Command {
  const program = new Command('kefu')
    .description('kefu 客服: open, self-hostable customer service')
    .showHelpAfterError()
    .exitOverride();

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
    .action(async (options) => {
      const { runEvalIntent } = await import('./commands/eval-intent.js');
      await runEvalIntent(options);
    });

  evaluate
    .command('retrieval')
    .description('index --kb and score ranked retrieval on --queries')
    .requiredOption('--kb <file>', 'JSONL rows {"id","question","answer"}')
    .requiredOption('--queries <file>', 'JSONL rows {"query","relevant_ids","exclude_ids"?}')
    .option('--k <number>', 'ranking depth', '10')
    .option('--json', 'print one JSON object')
    .action(async (options) => {
      const { runEvalRetrieval } = await import('./commands/eval-retrieval.js');
      await runEvalRetrieval(options);
    });

  return program;
}

/** Entry point of bin/kefu.js: runs the program, prints errors plainly and sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`kefu: ${message}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv);
