// Talks to a running server's admin socket: one request, one answer (see admin-server.ts).
import net from 'node:net';

/** The server could not be reached or answered with an error; `message` is one line for the admin. */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    message: string,
    readonly notRunning = false,
  ) {
    super(message);
  }
}

export async function adminRequest(socketPath: string, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let buffer = '';
    let settled = false;
    const finish = (error: AdminError | undefined, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new AdminError(`the server did not answer on ${socketPath} within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify({ id: 1, cmd, args })}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      let answer: { ok?: unknown; result?: unknown; error?: unknown };
      try {
        answer = JSON.parse(buffer.slice(0, newline)) as typeof answer;
      } catch {
        finish(new AdminError(`the admin socket ${socketPath} sent something that is not JSON`));
        return;
      }
      if (answer.ok === true) finish(undefined, answer.result);
      else finish(new AdminError(`the server refused '${cmd}': ${typeof answer.error === 'string' ? answer.error : 'unknown error'}`));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        finish(new AdminError(`the server is not running (no admin socket answers at ${socketPath})`, true));
      } else if (error.code === 'EACCES') {
        finish(new AdminError(`no permission to use ${socketPath}: run as the account that runs the server`));
      } else finish(new AdminError(`cannot reach the admin socket ${socketPath}: ${error.code ?? error.message}`));
    });
    socket.once('close', () => finish(new AdminError(`the server closed the admin connection without answering`)));
  });
}
