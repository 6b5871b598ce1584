import { createInterface } from 'node:readline';
import { loadConfig } from '../../config/index.js';
import { ErrorCodes, KefuError, isKefuError } from '../../errors/index.js';
import { createKefu } from '../../server/kefu.js';
import { requireTenantBySlug } from '../../tenancy/index.js';
import { print } from '../context.js';
import { cliIo } from '../io.js';

/**
 * A terminal chat with one tenant through the real pipeline (same service the HTTP API uses).
 * With --json: one customer message per input line, one JSON object per turn on stdout.
 */
export async function runChat(options: { tenant: string; json?: boolean }): Promise<void> {
  const io = cliIo();
  // Inside a running server (src/cli/delegate.ts) the chat runs on the server's own service.
  const kefu = io.kefu ?? (await createKefu(loadConfig(), { logger: false }));
  try {
    const tenant = await requireTenantBySlug(kefu.database.db, options.tenant).catch((error) => {
      throw isKefuError(error)
        ? new KefuError(ErrorCodes.tenantNotFound, `${error.message} (import a pack with \`kefu import <dir>\`)`)
        : error;
    });
    const conversation = await kefu.conversations.createConversation(tenant.id, {
      channel: { kind: 'api', name: 'terminal' },
    });
    const interactive = !options.json && io.stdinIsTTY;
    const ask = () => io.stdout('你 > ');
    if (!options.json) {
      const runtime = await kefu.runtimes.get(tenant.id);
      print(`${tenant.name} (${tenant.slug}) · conversation #${conversation.displayId} · empty line or Ctrl-D to quit`);
      print(`客服 > ${runtime.messages.greeting}`);
    }
    if (interactive) ask();
    let turn = 0;
    // Made right before it is read: readline's iterator misses lines emitted before it starts.
    const lines = createInterface({ input: io.stdin, terminal: false });
    for await (const line of lines) {
      const text = line.trim();
      if (text.length === 0) {
        if (options.json) continue;
        break;
      }
      turn += 1;
      try {
        const result = await kefu.conversations.postCustomerMessage(tenant.id, conversation.id, { text });
        if (options.json) {
          print(
            JSON.stringify({
              turn,
              input: text,
              reply: result.reply?.text ?? null,
              route: result.turn?.route ?? 'human',
              tier: result.turn?.tier ?? 'human',
              intent: result.turn?.intent ?? null,
              confidence: result.turn?.confidence ?? 0,
              trace_id: result.turn?.traceId ?? null,
              conversation_id: conversation.id,
            }),
          );
        } else {
          const tag = result.turn
            ? `  [${result.turn.route} · ${result.turn.tier} · ${result.turn.intent ?? '—'} · ${result.turn.confidence.toFixed(2)}]`
            : '';
          print(`客服 > ${result.reply?.text ?? '(a person has this conversation)'}${tag}`);
        }
      } catch (error) {
        if (!isKefuError(error)) throw error;
        if (options.json)
          print(JSON.stringify({ turn, input: text, error: { code: error.code, message: error.message } }));
        else print(`  ! ${error.message}`);
      }
      if (interactive) ask();
    }
  } finally {
    if (!io.kefu) await kefu.close();
  }
}
