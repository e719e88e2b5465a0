import { readFileSync, statSync } from 'node:fs';
import type { ResolveContext } from '@stowage/core';
import { type AwsEnvironment, awsEnvironment, expandPath } from './aws-environment.js';
import { AwsProfileNotFoundError, ConfigParseError } from './credential-errors.js';
import { type IniSections, IniSyntaxError, type IniValue, parseIni } from './ini-parser.js';
import { shellSplit } from './shell-split.js';

/** One profile's settings. */
export type ProfileSettings = Record<string, IniValue>;

/** A config file mapped the way botocore's `build_profile_map` maps it. */
export interface ProfileMap {
  /** `[profile NAME]` sections, and `[default]`, by name. */
  profiles: Record<string, ProfileSettings>;
  /** `[sso-session NAME]` sections, by name. */
  ssoSessions: Record<string, ProfileSettings>;
  /** `[services NAME]` sections (per-service endpoint settings), by name. */
  services: Record<string, ProfileSettings>;
}

/** Everything the AWS sources read from disk and the environment for one resolution. */
export interface AwsConfigSnapshot {
  /** The environment variables, home and working directory this resolution reads. */
  environment: AwsEnvironment;
  /** The profile in effect (`default` when none was named). */
  profileName: string;
  /** Where the name came from; undefined when none was named. */
  profileFrom: 'explicit' | 'AWS_DEFAULT_PROFILE' | 'AWS_PROFILE' | undefined;
  /** True when the profile was given explicitly (botocore then skips the environment variables). */
  profileExplicit: boolean;
  /** The config file: `AWS_CONFIG_FILE` (even empty: then none), else `~/.aws/config`, variables and `~` expanded. */
  configPath: string;
  /** The credentials file: `AWS_SHARED_CREDENTIALS_FILE` (even empty: then none), else `~/.aws/credentials`, expanded. */
  credentialsPath: string;
  /** The config file as a profile map; undefined when the file does not exist. */
  configFile: ProfileMap | undefined;
  /** The credentials file's raw sections; undefined when the file does not exist. */
  credentialsFile: IniSections | undefined;
  /** botocore `session.full_config`: config-file profiles with credentials-file sections merged in. */
  full: ProfileMap;
  /** The selected profile's merged settings (empty for an absent `default`). */
  scoped: ProfileSettings;
}

/**
 * Read and parse an INI file the way botocore's `raw_config_parse` does: `undefined` when the
 * path is not a file (`ConfigNotFound`), a ConfigParseError naming the path when configparser
 * would reject it or it cannot be read.
 */
export function readIniFile(path: string): IniSections | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
  } catch {
    return undefined;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch (error) {
    throw new ConfigParseError(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? 'not UTF-8'}`);
  }
  try {
    return parseIni(text);
  } catch (error) {
    if (error instanceof IniSyntaxError) throw new ConfigParseError(path, error.message);
    throw error;
  }
}

/** botocore `build_profile_map`: `[profile x]`, `[sso-session x]`, `[services x]` and `[default]`. */
export function buildProfileMap(sections: IniSections): ProfileMap {
  const map: ProfileMap = { profiles: {}, ssoSessions: {}, services: {} };
  for (const [key, values] of Object.entries(sections)) {
    const target = key.startsWith('profile')
      ? map.profiles
      : key.startsWith('sso-session')
        ? map.ssoSessions
        : key.startsWith('services')
          ? map.services
          : undefined;
    if (target) {
      // botocore `_parse_section`: shlex-split the header; only a two-word header names something.
      let parts: string[];
      try {
        parts = shellSplit(key);
      } catch {
        continue;
      }
      if (parts.length === 2) target[parts[1]!] = values;
    } else if (key === 'default') {
      map.profiles.default = values;
    }
  }
  return map;
}

/**
 * Select the profile as botocore does: an explicit profile, else `AWS_DEFAULT_PROFILE`, else
 * `AWS_PROFILE` (botocore checks them in that order), else `default`. A variable set to the empty
 * string counts as set (botocore's `EnvironmentProvider` tests presence): it names the profile
 * `""`, which exists nowhere, so resolution fails with ProfileNotFound.
 */
export function selectProfile(
  context: ResolveContext,
  environment: AwsEnvironment,
): Pick<AwsConfigSnapshot, 'profileName' | 'profileFrom' | 'profileExplicit'> {
  if (context.profile !== undefined)
    return { profileName: context.profile, profileFrom: 'explicit', profileExplicit: true };
  for (const variable of ['AWS_DEFAULT_PROFILE', 'AWS_PROFILE'] as const) {
    const value = environment.env[variable];
    if (value !== undefined) return { profileName: value, profileFrom: variable, profileExplicit: false };
  }
  return { profileName: 'default', profileFrom: undefined, profileExplicit: false };
}

/**
 * Load both shared files for one resolution. Like botocore's session, this fails before any source
 * runs when either file is malformed (ConfigParseError) or a named profile exists in neither file
 * (ProfileNotFound) — even when the winning source would not have needed the files. Nothing is
 * cached: files are tiny and a cache keyed by path would leak between resolutions.
 */
export function loadAwsConfig(context: ResolveContext = {}): AwsConfigSnapshot {
  const environment = awsEnvironment(context);
  const selection = selectProfile(context, environment);
  // Set but empty means "no such file" to botocore, not the default path.
  const configPath = expandPath(environment.env.AWS_CONFIG_FILE ?? '~/.aws/config', environment);
  const credentialsPath = expandPath(
    environment.env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials',
    environment,
  );
  const configSections = readIniFile(configPath);
  const configFile = configSections ? buildProfileMap(configSections) : undefined;
  const credentialsFile = readIniFile(credentialsPath);
  const full: ProfileMap = {
    profiles: {},
    ssoSessions: { ...configFile?.ssoSessions },
    services: { ...configFile?.services },
  };
  for (const [name, values] of Object.entries(configFile?.profiles ?? {}))
    full.profiles[name] = { ...values };
  for (const [name, values] of Object.entries(credentialsFile ?? {})) {
    full.profiles[name] = { ...full.profiles[name], ...values };
  }
  const scoped = full.profiles[selection.profileName];
  if (!scoped && selection.profileFrom !== undefined)
    throw new AwsProfileNotFoundError(selection.profileName);
  return {
    environment,
    ...selection,
    configPath,
    credentialsPath,
    configFile,
    credentialsFile,
    full,
    scoped: scoped ?? {},
  };
}

/** A profile setting as a string (nested blocks and absent keys give undefined). */
export function setting(profile: ProfileSettings | undefined, key: string): string | undefined {
  const value = profile?.[key];
  return typeof value === 'string' ? value : undefined;
}
