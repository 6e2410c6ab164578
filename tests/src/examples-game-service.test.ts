import { describe, expect, it } from 'vitest';
import { describeResult, runCommand } from './support/run-command.ts';
import { workspaceBin, workspaceRoot } from './support/workspace.ts';

/**
 * `examples/game-service` is run the way its README says, and what it prints is what a reader is
 * promised: ordinary turns, a failover when a model goes down, a mid-answer handoff, and a crisis
 * turn that only a safety model (or, failing it, the safe message) answers.
 */
describe('examples/game-service', () => {
  it(
    'plays its turns, fails over, continues a cut answer and handles a crisis',
    { timeout: 120_000 },
    async () => {
      const environment = { ...process.env };
      delete environment.SWITCHBOARD_URL;
      delete environment.SWITCHBOARD_API_KEY;
      const result = await runCommand(
        workspaceBin('pnpm'),
        ['--filter', '@switchboard/example-game-service', 'start'],
        { cwd: workspaceRoot, env: environment },
      );
      expect(result.exitCode, describeResult(result)).toBe(0);
      const output = result.stdout;
      expect(output).toContain('Registry: the bundled simulated models');
      for (let turn = 1; turn <= 6; turn += 1) expect(output).toContain(`Turn ${turn}:`);

      const turns = output.split(/\nTurn \d+: /).slice(1);
      expect(turns).toHaveLength(6);
      const [narrative, dialogue, down, cut, crisis, crisisDown] = turns as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      expect(narrative).toMatch(/^a narrative turn \[narrative_generation, risk low\]/);
      expect(narrative).toMatch(/answered by: sim\//);
      expect(dialogue).toMatch(/answered by: (sim\/\S+);/);
      const dialogueModel = /answered by: (sim\/\S+);/.exec(dialogue)![1]!;

      // The model that answered the dialogue goes down: the next turn fails over, with no error.
      expect(down).toContain(`${dialogueModel} is down`);
      expect(down).toContain(`attempt 1: initial on ${dialogueModel} -> overloaded`);
      expect(down).toMatch(/attempt 2: failover on sim\/\S+ -> ok/);
      expect(down).toMatch(new RegExp(`failover: ${dialogueModel} failed; sim/\\S+ took over`));
      expect(down).not.toContain(`answered by: ${dialogueModel}`);

      // It breaks off mid-answer: another model continues, and the answer names both writers.
      expect(cut).toContain(`attempt 1: initial on ${dialogueModel} -> stream_cut`);
      expect(cut).toMatch(/handoff on sim\/\S+ -> ok/);
      expect(cut).toMatch(new RegExp(`one answer, written by ${dialogueModel} then sim/`));

      // A crisis: only the safety-tier-3 model qualifies, and without it the safe message answers.
      expect(crisis).toMatch(/^a crisis message \[therapeutic_response, risk crisis\]/);
      expect(crisis).toContain('answered by: sim/safety-tuned');
      expect(crisis).toMatch(/from 1 qualifying of 4 models/);
      expect(crisisDown).toContain('crisis fail-safe: every safe model failed, the safe message answered');
      expect(crisisDown).toContain('answered by: the safe message');
      expect(output).toContain('The game loop ended.');
    },
  );
});
