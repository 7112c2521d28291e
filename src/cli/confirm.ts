// Yes/no questions for destructive commands. Without a terminal nobody can answer, so the
// command refuses rather than guess: scripts say --yes.
import { createInterface } from 'node:readline/promises';
import { CliError } from './cli-error.js';

export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError('standard input is not a terminal, so nobody can confirm: add --yes to go ahead');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
