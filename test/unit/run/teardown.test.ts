import { describe, expect, it } from 'vitest';
import { TeardownStack } from '../../../src/run/index.ts';

describe('the run teardown stack', () => {
  it('stops the last started first, each once, and goes on past a stop that fails', async () => {
    const stack = new TeardownStack();
    const stopped: string[] = [];
    const logged: string[] = [];
    stack.defer('fake GitHub', () => void stopped.push('github'));
    stack.defer('cluster', () => {
      stopped.push('cluster');
      throw new Error('kwokctl delete failed');
    });
    stack.defer('Flux', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stopped.push('flux');
    });
    await Promise.all([stack.unwind((line) => logged.push(line)), stack.unwind((line) => logged.push(line))]);
    await stack.unwind((line) => logged.push(line));
    expect(stopped).toEqual(['flux', 'cluster', 'github']);
    expect(logged).toEqual(['teardown: cluster: kwokctl delete failed']);
  });

  it('refuses a stop registered after teardown began, since nothing would ever call it', async () => {
    const stack = new TeardownStack();
    await stack.unwind(() => {});
    expect(() => stack.defer('late', () => {})).toThrow(/registered after teardown began/);
  });
});
