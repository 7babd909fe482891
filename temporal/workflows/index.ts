export { deliveryWorkflow } from './delivery';
export { endpointWorkflow } from './endpoint';
export { fanOutWorkflow } from './fan-out';
export { recoveryWorkflow } from './recovery';
