/** The package version, from package.json (src/ in development, dist/src/ when built). */
function readVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require(path) as { version: string }).version;
    } catch {
      // try the next layout
    }
  }
  return '0.0.0';
}

export const APP_VERSION = readVersion();
