/** What the shared AWS config files say of one profile, for hints and transport: read as the SDK reads them. */
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';

export interface ProfileSettings {
  /** The profile exists in ~/.aws/config or ~/.aws/credentials. */
  exists: boolean;
  region?: string;
  /** The command of `credential_process`, when the profile gets its credentials that way. */
  credentialProcess?: string;
  /** `ca_bundle`: a PEM file the AWS CLI trusts for this profile. */
  caBundle?: string;
}

/** The settings of `profile` (else AWS_PROFILE, else `default`); an unreadable or missing file says nothing, never fails the run. */
export async function profileSettings(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ProfileSettings> {
  const name = profile || env.AWS_PROFILE || 'default';
  try {
    // The files of the environment given (the process's, or a test's), as the SDK finds them.
    const home = env.HOME || env.USERPROFILE;
    const { configFile, credentialsFile } = await loadSharedConfigFiles({
      ignoreCache: true,
      configFilepath: env.AWS_CONFIG_FILE || (home ? join(home, '.aws', 'config') : undefined),
      filepath: env.AWS_SHARED_CREDENTIALS_FILE || (home ? join(home, '.aws', 'credentials') : undefined),
    });
    const merged = { ...credentialsFile[name], ...configFile[name] };
    const exists = name in configFile || name in credentialsFile;
    return {
      exists,
      ...(merged.region ? { region: merged.region } : {}),
      ...(merged.credential_process ? { credentialProcess: merged.credential_process } : {}),
      ...(merged.ca_bundle ? { caBundle: merged.ca_bundle } : {}),
    };
  } catch {
    return { exists: false };
  }
}
