import { contract, contractCheckedFetch } from './openapi-contract';

/**
 * Registered in jest.config.js (`setupFilesAfterEnv`): for every suite, `fetch` checks each answer
 * from a leadrelay server against its `/openapi.json` (test/support/openapi-contract.ts), and a
 * test after which an answer did not match fails with what was wrong.
 */
globalThis.fetch = contractCheckedFetch();

function failOnProblems(): void {
  const problems = contract.takeProblems();
  if (problems.length) throw new Error(`${problems.length} answer(s) broke the API contract (docs/api.md › OpenAPI):\n${problems.join('\n')}`);
}

afterEach(failOnProblems);
afterAll(failOnProblems);
