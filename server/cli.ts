import { parseArgs } from 'node:util';
import { VERSION } from './core.ts';
import { dashboardCommand } from './cli/dashboard.ts';
import { fail, runCommand } from './cli/fail.ts';
import { configFrom, openData, OPTIONS } from './cli/flags.ts';
import { keysCommand } from './cli/keys.ts';
import { serveCommand } from './cli/serve.ts';
import { webhooksCommand } from './cli/webhooks.ts';

const USAGE = `wagate ${VERSION}: a local WhatsApp gateway

  wagate serve [--port 7001] [--host 127.0.0.1] [--data-dir DIR]   run the API and the dashboard
  wagate serve --sandbox                                          the same, linked to a virtual phone (no WhatsApp)
  wagate serve --wa-url ws://127.0.0.1:PORT/ws/chat --wa-root-key BASE64 [--wa-media-ca FILE]   talk to a WhatsApp simulator
  wagate sandbox [--port 7010]                                    run the WhatsApp simulator alone
  wagate keys create NAME [--expires-in 30d]                      make an API key (shown once)
  wagate keys list | wagate keys revoke ID
  wagate webhooks add URL [--events message.received,message.status]   POST events to URL, signed (secret shown once)
  wagate webhooks list | wagate webhooks remove ID | wagate webhooks resume ID
  wagate dashboard                                                print a fresh dashboard login link
Add --sandbox to keys, webhooks and dashboard to work on the sandbox's data.`;

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values: flags, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (flags.version) return console.log(VERSION);
  if (flags.help || !command) return console.log(USAGE);
  if (command === 'serve') return serveCommand(flags);
  // The simulator is loaded by the command that runs it, not by every start of the CLI.
  if (command === 'sandbox') return (await import('./cli/sandbox.ts')).sandboxCommand(flags);
  if (command === 'keys') return keysCommand(openData(configFrom(flags)), rest, flags);
  if (command === 'webhooks') return webhooksCommand(openData(configFrom(flags)), rest, flags);
  if (command === 'dashboard') return dashboardCommand(flags);
  fail(`unknown command "${command}"\n\n${USAGE}`);
}

// A failure exits at once: Baileys may have left timers running that would keep the process alive.
const code = await runCommand(() => main(process.argv.slice(2)));
if (code !== 0) process.exit(code);
