import { PassThrough } from 'node:stream';
import { readHiddenLine } from '@stowage/catalog';
import { describe, expect, it } from 'vitest';

/** A terminal stand-in: a stream that says it is a TTY and records raw-mode switches. */
function terminal() {
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    modes: [] as boolean[],
    setRawMode(mode: boolean) {
      input.modes.push(mode);
      return input;
    },
  });
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { input, output, written: () => written };
}

describe('reading the code without echo', () => {
  it('reads a pasted code with raw mode on, never echoing it, honouring backspace', async () => {
    const tty = terminal();
    const line = readHiddenLine('Code: ', tty.input, tty.output);
    tty.input.write('secret-codX');
    tty.input.write('\u007f');
    tty.input.write('e\r');
    expect(await line).toBe('secret-code');
    expect(tty.written()).toBe('Code: \n');
    expect(tty.input.modes).toEqual([true, false]);
  });

  it('Ctrl-C aborts and restores the terminal', async () => {
    const tty = terminal();
    const line = readHiddenLine('Code: ', tty.input, tty.output);
    tty.input.write('abc\u0003');
    await expect(line).rejects.toMatchObject({ code: 'Aborted' });
    expect(tty.input.modes).toEqual([true, false]);
  });

  it('an abort signal (a SIGTERM to the CLI) stops the prompt and restores the terminal', async () => {
    const tty = terminal();
    const controller = new AbortController();
    const line = readHiddenLine('Code: ', tty.input, tty.output, controller.signal);
    tty.input.write('abc');
    controller.abort(new Error('SIGTERM'));
    await expect(line).rejects.toMatchObject({ code: 'Aborted' });
    expect(tty.input.modes).toEqual([true, false]);
  });

  it('without a terminal it refuses and points batch jobs at loginWithToken / API keys', async () => {
    const notTty = new PassThrough();
    await expect(readHiddenLine('Code: ', notTty, new PassThrough())).rejects.toMatchObject({
      code: 'AuthenticationRequired',
      hint: expect.stringMatching(/loginWithToken.*loginWithApiKey/),
    });
  });
});
