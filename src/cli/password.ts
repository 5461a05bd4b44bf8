export interface PasswordOptions {
  password?: string;
  passwordStdin?: boolean;
}

/**
 * The password of a command: `--password-stdin` (the first line of standard input, for scripts),
 * else a prompt that does not echo when standard input is a terminal. `--password` still works,
 * but puts the password in the shell history and the process list.
 */
export async function readPassword(options: PasswordOptions, prompt = 'Password: '): Promise<string> {
  if (options.password !== undefined && options.passwordStdin)
    throw new Error('give --password or --password-stdin, not both');
  if (options.password !== undefined) return options.password;
  if (options.passwordStdin) return firstLine(await readAll(process.stdin));
  if (!process.stdin.isTTY) throw new Error('no password: give --password-stdin (or run in a terminal to be asked)');
  const first = await ask(prompt);
  const again = await ask('Again: ');
  if (first !== again) throw new Error('the passwords differ');
  return first;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

const firstLine = (text: string): string => text.split(/\r?\n/)[0] ?? '';

/** Asks on the terminal with echo off (raw mode: the typed characters are read, not shown). */
function ask(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  let text = '';
  return new Promise((resolve, reject) => {
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return (done(), resolve(text));
        if (ch === '\u0003') return (done(), reject(new Error('cancelled')));
        text = ch === '\u007f' || ch === '\b' ? text.slice(0, -1) : text + ch;
      }
    };
    stdin.on('data', onData);
  });
}
