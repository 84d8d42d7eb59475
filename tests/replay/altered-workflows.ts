import { sleep } from '@temporalio/workflow';
import { positionWorkflow as current, type PositionInput } from '../../src/workflows/position';

export { accountWorkflow, reconcilerWorkflow, runnerWorkflow } from '../../src/workflows';

/**
 * The position workflow with one timer in front of it, as if a step were
 * added without patched(): every recorded position history must now fail to
 * replay, which is what proves the replay test can fail at all.
 */
export async function positionWorkflow(input: PositionInput) {
  await sleep(1);
  return current(input);
}
