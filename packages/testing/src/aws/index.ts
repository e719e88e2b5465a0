export { type AwsStandInHandle, type AwsStandInOptions, startAwsStandIn } from './aws-stand-in.js';
export { GENERATED_SESSION_NAME, type StandInRequest } from './stand-in-request-log.js';
