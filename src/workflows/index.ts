export { positionWorkflow } from './position';
export { accountWorkflow } from './account';
