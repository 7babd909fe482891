export { endpointWorkflow } from './workflow';
