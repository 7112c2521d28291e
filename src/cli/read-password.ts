// Passwords for the CLI: from standard input for scripts, or typed at a prompt with echo off.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from './cli-error.js';

export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is the line terminator, not part of the password.
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw new CliError('no password on standard input');
  return password;
}

export async function promptPassword(prompt: string, confirm: boolean): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError('standard input is not a terminal: use --password-stdin to pass the password');
  const first = await askHidden(prompt);
  if (first === '') throw new CliError('the password must not be empty');
  if (confirm && (await askHidden('Repeat password: ')) !== first) throw new CliError('the passwords do not match');
  return first;
}

function askHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}
