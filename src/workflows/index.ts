export { positionWorkflow } from './position';
export { accountWorkflow } from './account';
export { runnerWorkflow } from './runner';
export { reconcilerWorkflow } from './reconciler';
