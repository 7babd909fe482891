export { deliveryWorkflow } from './delivery';
export { endpointWorkflow } from './endpoint';
export { fanOutWorkflow } from './fan-out';
export { purgeWorkflow } from './purge';
export { recoveryWorkflow } from './recovery';
