/** The API keys file cannot be read or is not in the documented format (README, "Security"). */
export class ApiKeysFileError extends Error {
  override readonly name = 'ApiKeysFileError';
}
