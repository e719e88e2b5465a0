import type { Credentials } from '@stowage/core';
import type { AwsScope } from '../aws-scope.js';
import { keysFromSection } from './profile-keys.js';

/** botocore `ConfigProvider`: static keys in the profile of the config file (`[default]` or `[profile NAME]`). */
export async function configFileCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const { configFile, configPath } = scope.snapshot;
  if (!configFile) {
    scope.note(`config file ${configPath} not found`);
    return undefined;
  }
  const profile = configFile.profiles[scope.profileName];
  if (!profile) {
    scope.note(`no profile ${scope.profileName} in ${configPath}`);
    return undefined;
  }
  return keysFromSection(profile, 'config-file', `profile ${scope.profileName} in ${configPath}`, scope);
}
