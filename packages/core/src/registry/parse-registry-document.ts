import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { SwitchboardValidationError, type ValidationIssue } from '../validation.ts';
import { formatIssue, toRegistryIssues } from './registry-issues.ts';
import { findDuplicateIds, registryContentSchema, type RegistryContent } from './registry-snapshot.ts';

/** The two notations a registry file may be written in. */
export type RegistryDocumentFormat = 'yaml' | 'json';

/** Where a registry document came from, so every error can name the file a person has to open. */
export interface RegistryDocumentSource {
  /** Shown at the start of every error message; its extension picks the format when `format` is unset. */
  fileName: string;
  /** Overrides the extension: for text that did not come from a file, or a file with another name. */
  format?: RegistryDocumentFormat | undefined;
}

/** A line and column in the document, both counted from 1 as editors show them. */
interface TextPosition {
  line: number;
  column: number;
}

/** The parsed value, and a way to find where a field path sits in the text (when it can be found). */
interface ReadDocument {
  value: unknown;
  locate: (path: readonly string[]) => TextPosition | undefined;
}

/**
 * The format a file name implies: `.yaml` and `.yml` are YAML, `.json` is JSON, anything else is
 * undecided (the caller must then say).
 */
export function registryDocumentFormat(fileName: string): RegistryDocumentFormat | undefined {
  const lowerCase = fileName.toLowerCase();
  if (lowerCase.endsWith('.yaml') || lowerCase.endsWith('.yml')) return 'yaml';
  if (lowerCase.endsWith('.json')) return 'json';
  return undefined;
}

/**
 * Parses the text of a registry file (YAML or JSON) into validated registry content. Pure: reading
 * the file is the caller's business, so the same function serves the control plane's start-up, the
 * admin API's uploads and tests.
 *
 * Every error is a {@link SwitchboardValidationError} whose message names the file, the field and
 * what was expected there, e.g. `registry.yaml: models.2.price.inputPerMillionMicros: expected
 * number, received string (line 14, column 30)`; a syntax error names the line and column.
 *
 * Checks what one file can check on its own (schemas, unique ids). References to providers and
 * models are checked when the merged registry becomes a snapshot, because a studio's file may rely
 * on the defaults it extends (see `mergeRegistryContent`).
 */
export function parseRegistryDocument(text: string, source: RegistryDocumentSource): RegistryContent {
  const { fileName } = source;
  const format = source.format ?? registryDocumentFormat(fileName);
  if (format === undefined) {
    throw new SwitchboardValidationError(
      `${fileName}: cannot tell the format from the file name; name the file .yaml, .yml or .json, or pass format 'yaml' or 'json'`,
      [{ path: [], message: 'unknown registry file format' }],
    );
  }
  const document = format === 'json' ? readJson(text, fileName) : readYaml(text, fileName);
  const parsed = registryContentSchema.safeParse(document.value ?? {}, { reportInput: true });
  if (!parsed.success) throw fileError(fileName, toRegistryIssues(parsed.error.issues), document.locate);
  const duplicates = findDuplicateIds(parsed.data);
  if (duplicates.length > 0) throw fileError(fileName, duplicates, document.locate);
  return parsed.data;
}

function fileError(
  fileName: string,
  issues: ValidationIssue[],
  locate: ReadDocument['locate'],
): SwitchboardValidationError {
  const sentences = issues.map((issue) => {
    const position = locate(issue.path);
    const where = position === undefined ? '' : ` (line ${position.line}, column ${position.column})`;
    return `${fileName}: ${formatIssue(issue)}${where}`;
  });
  return new SwitchboardValidationError(sentences.join('; '), issues);
}

function syntaxError(fileName: string, format: string, problems: { message: string; at?: TextPosition }[]) {
  const sentences = problems.map(({ message, at }) =>
    at === undefined
      ? `${fileName}: invalid ${format}: ${message}`
      : `${fileName}: line ${at.line}, column ${at.column}: invalid ${format}: ${message}`,
  );
  return new SwitchboardValidationError(
    sentences.join('; '),
    problems.map(({ message }) => ({ path: [], message })),
  );
}

/** YAML through the `yaml` package (YAML 1.2 core schema, so `no` stays a string), with positions kept. */
function readYaml(text: string, fileName: string): ReadDocument {
  const lineCounter = new LineCounter();
  // `merge: true` lets studios share blocks (priors, capabilities) between models with `<<: *anchor`.
  const document = parseDocument(text, { lineCounter, prettyErrors: true, merge: true });
  if (document.errors.length > 0) {
    throw syntaxError(
      fileName,
      'YAML',
      document.errors.map((error) => {
        const start = error.linePos?.[0];
        // yaml's pretty message repeats the position and quotes the source; keep the sentence only.
        const message = error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
        return start === undefined ? { message } : { message, at: { line: start.line, column: start.col } };
      }),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Only alias expansion fails here (a "billion laughs" document, or an alias to nothing).
    throw syntaxError(fileName, 'YAML', [
      { message: error instanceof Error ? error.message : String(error) },
    ]);
  }
  return { value, locate: (path) => locateInDocument(document, lineCounter, path) };
}

/** Strict JSON through `JSON.parse`; positions for field errors come from reading the same text as YAML. */
function readJson(text: string, fileName: string): ReadDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = /at position (\d+)/.exec(message)?.[1];
    const at = offset === undefined ? yamlErrorPosition(text) : positionOfOffset(text, Number(offset));
    throw syntaxError(fileName, 'JSON', [at === undefined ? { message } : { message, at }]);
  }
  // JSON is (nearly always) YAML 1.2, and the YAML parser keeps positions; it runs only on errors.
  let positions: { document: Document; lineCounter: LineCounter } | undefined;
  return {
    value,
    locate: (path) => {
      if (positions === undefined) {
        const lineCounter = new LineCounter();
        positions = { document: parseDocument(text, { lineCounter }), lineCounter };
      }
      if (positions.document.errors.length > 0) return undefined;
      return locateInDocument(positions.document, positions.lineCounter, path);
    },
  };
}

/**
 * Where a field path points in the document. A missing field is reported at the nearest enclosing
 * object that exists, which is where the person has to add it.
 */
function locateInDocument(
  document: Document,
  lineCounter: LineCounter,
  path: readonly string[],
): TextPosition | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node: unknown = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      const position = lineCounter.linePos(node.range[0]);
      return { line: position.line, column: position.col };
    }
  }
  return undefined;
}

/**
 * Some of V8's JSON messages carry no position (`Unexpected token '}'`); the YAML parser, reading
 * the same text, usually trips at the same place and says where.
 */
function yamlErrorPosition(text: string): TextPosition | undefined {
  const start = parseDocument(text, { lineCounter: new LineCounter() }).errors[0]?.linePos?.[0];
  return start === undefined ? undefined : { line: start.line, column: start.col };
}

function positionOfOffset(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
