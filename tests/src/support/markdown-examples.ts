import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { workspacePath, workspaceRoot } from './workspace.ts';

/**
 * A runnable example in the documentation: a fenced block whose info string is `bash example` or
 * `ts example`. A block tagged `text output` right after it (prose may sit between) is what running
 * it must print: each of its lines must appear, in order, in a line of the output, where `…` stands
 * for any text (ids, timings, answers of the simulated models).
 */
export interface MarkdownExample {
  /** Workspace-relative path of the Markdown file. */
  file: string;
  /** Line of the opening fence, from 1. */
  line: number;
  language: 'bash' | 'ts';
  code: string;
  expectedOutput: string | undefined;
}

interface FencedBlock {
  line: number;
  info: string[];
  code: string;
}

function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const opening = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(lines[index]!);
    if (opening === null) continue;
    const fence = opening[1]!;
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(fence)) body.push(lines[end++]!);
    blocks.push({
      line: index + 1,
      info: opening[2]!.trim().split(/\s+/).filter(Boolean),
      code: body.join('\n'),
    });
    index = end;
  }
  return blocks;
}

/** The runnable examples of one Markdown text. */
export function extractExamples(markdown: string, file: string): MarkdownExample[] {
  const blocks = fencedBlocks(markdown);
  const examples: MarkdownExample[] = [];
  blocks.forEach((block, index) => {
    const [language, ...tags] = block.info;
    if (!tags.includes('example')) return;
    if (language !== 'bash' && language !== 'ts') {
      throw new Error(`${file}:${block.line}: only bash and ts blocks can be examples, not "${language}"`);
    }
    const next = blocks[index + 1];
    const expectedOutput = next?.info[0] === 'text' && next.info.includes('output') ? next.code : undefined;
    examples.push({ file, line: block.line, language, code: block.code, expectedOutput });
  });
  return examples;
}

/** The Markdown files whose examples are run: the README, `docs/` and every example's README. */
export function documentationFiles(): string[] {
  const files = ['README.md'];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(workspacePath(directory)).sort()) {
      const relative = path.posix.join(directory, entry);
      if (statSync(workspacePath(relative)).isDirectory()) walk(relative);
      else if (entry.endsWith('.md')) files.push(relative);
    }
  };
  walk('docs');
  for (const example of readdirSync(workspacePath('examples')).sort()) {
    const readme = path.posix.join('examples', example, 'README.md');
    try {
      if (statSync(workspacePath(readme)).isFile()) files.push(readme);
    } catch {
      // An example without a README has nothing to run here.
    }
  }
  return files;
}

/** Reads a workspace-relative file. */
export function readWorkspaceFile(file: string): string {
  return readFileSync(path.join(workspaceRoot, file), 'utf8');
}

/**
 * Whether `actual` contains every line of `expected` in order, `…` matching any text. Returns the
 * first expected line that was not found, or `undefined` when all were.
 */
export function missingOutputLine(actual: string, expected: string): string | undefined {
  const actualLines = actual.split('\n').map((line) => line.trim());
  let from = 0;
  for (const wanted of expected.split('\n').map((line) => line.trim())) {
    if (wanted === '') continue;
    const pattern = new RegExp(
      wanted
        .split('…')
        .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*?'),
    );
    const found = actualLines.findIndex((line, index) => index >= from && pattern.test(line));
    if (found === -1) return wanted;
    from = found + 1;
  }
  return undefined;
}
