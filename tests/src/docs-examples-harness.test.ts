import { describe, expect, it } from 'vitest';
import { extractExamples, missingOutputLine } from './support/markdown-examples.ts';

/** The docs-examples harness itself: it finds what is marked, and a wrong output fails it. */
describe('extracting documentation examples', () => {
  const markdown = [
    '# Title',
    '```bash example',
    'echo "decision 42: sim/local"',
    '```',
    'Some prose.',
    '```text output',
    'decision …: sim/local',
    '```',
    '```ts',
    'console.log("not an example");',
    '```',
    '```ts example',
    'console.log(1);',
    '```',
    '```sh',
    'echo "a shell block that is only shown"',
    '```',
  ].join('\n');

  it('takes only blocks marked example, with the output block that follows', () => {
    const examples = extractExamples(markdown, 'doc.md');
    expect(examples).toEqual([
      {
        file: 'doc.md',
        line: 2,
        language: 'bash',
        code: 'echo "decision 42: sim/local"',
        expectedOutput: 'decision …: sim/local',
      },
      { file: 'doc.md', line: 12, language: 'ts', code: 'console.log(1);', expectedOutput: undefined },
    ]);
  });

  it('refuses an example in a language it cannot run', () => {
    expect(() => extractExamples('```python example\nprint(1)\n```', 'doc.md')).toThrow(
      /doc\.md:1: only bash and ts blocks can be examples/,
    );
  });
});

describe('matching an example’s output', () => {
  const actual = 'Turn 1\n  answered by: sim/local; cost $0.0001\nTurn 2\n  answered by: sim/fast-small\n';

  it('accepts expected lines found in order, … matching anything', () => {
    expect(missingOutputLine(actual, 'Turn 1\nanswered by: sim/…; cost $…\nTurn 2')).toBeUndefined();
  });

  it('names the first expected line that is missing or out of order', () => {
    expect(missingOutputLine(actual, 'Turn 2\nTurn 1')).toBe('Turn 1');
    expect(missingOutputLine(actual, 'answered by: sim/creative-large')).toBe(
      'answered by: sim/creative-large',
    );
  });

  it('treats regular-expression characters literally', () => {
    expect(missingOutputLine('cost $0.0001 (known)', 'cost $0.0001 (known)')).toBeUndefined();
    expect(missingOutputLine('cost $000001', 'cost $0.0001')).toBe('cost $0.0001');
  });
});
