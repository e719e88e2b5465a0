import { type AwsConfigSnapshot, setting } from './aws-config-files.js';
import { isTrue } from './aws-environment.js';

/**
 * The endpoint URL botocore would use for a service's client, from the "configured endpoint URLs"
 * feature (`ConfiguredEndpointProvider`): `AWS_ENDPOINT_URL_<SERVICE>` → `AWS_ENDPOINT_URL` → the
 * profile's `services` section → the profile's `endpoint_url`, the first non-empty one (an empty
 * variable is passed over); none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true. Undefined
 * means "the service's public endpoint".
 */
export function configuredEndpoint(serviceId: string, snapshot: AwsConfigSnapshot): string | undefined {
  const { env } = snapshot.environment;
  if (
    isTrue(
      env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? setting(snapshot.scoped, 'ignore_configured_endpoint_urls'),
    )
  ) {
    return undefined;
  }
  const fromServiceEnv = env[`AWS_ENDPOINT_URL_${serviceId.toUpperCase().replace(/ /g, '_')}`];
  if (fromServiceEnv) return fromServiceEnv;
  if (env.AWS_ENDPOINT_URL) return env.AWS_ENDPOINT_URL;
  const servicesName = setting(snapshot.scoped, 'services');
  const block = servicesName
    ? snapshot.full.services[servicesName]?.[serviceId.toLowerCase().replace(/ /g, '_')]
    : undefined;
  if (block && typeof block === 'object' && block.endpoint_url) return block.endpoint_url;
  return setting(snapshot.scoped, 'endpoint_url') || undefined;
}
