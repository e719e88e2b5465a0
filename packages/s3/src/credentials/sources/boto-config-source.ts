import type { Credentials } from '@stowage/core';
import { readIniFile } from '../aws-config-files.js';
import { expandPath } from '../aws-environment.js';
import type { AwsScope } from '../aws-scope.js';
import { keysFromSection } from './profile-keys.js';

/** Where boto2 kept its config when `BOTO_CONFIG` is unset (botocore `BotoProvider`). */
export const DEFAULT_BOTO_CONFIG_FILES: readonly string[] = ['/etc/boto.cfg', '~/.boto'];

/**
 * botocore `BotoProvider`: `BOTO_CONFIG` (only that file when set), else `/etc/boto.cfg` then
 * `~/.boto`; keys in their `[Credentials]` section, no session token. The SDK has no equivalent.
 */
export async function botoConfigCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const { environment } = scope.snapshot;
  const fromEnv = environment.env.BOTO_CONFIG;
  const candidates =
    fromEnv !== undefined ? [fromEnv] : (scope.options.botoConfigFiles ?? DEFAULT_BOTO_CONFIG_FILES);
  for (const candidate of candidates) {
    const path = expandPath(candidate, environment);
    const sections = readIniFile(path);
    if (!sections) {
      scope.note(`boto config ${path || '(empty BOTO_CONFIG)'} not found`);
      continue;
    }
    const section = sections.Credentials;
    if (!section || !('aws_access_key_id' in section)) {
      scope.note(`${path} has no [Credentials] aws_access_key_id`);
      continue;
    }
    return keysFromSection(section, 'boto-config', `[Credentials] in ${path}`, scope, false);
  }
  return undefined;
}
