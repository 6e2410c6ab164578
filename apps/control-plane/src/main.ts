import 'reflect-metadata';
import { createControlPlaneApp } from './app.ts';
import { ConfigurationError, describeConfig } from './config/control-plane-config.ts';

/**
 * Starts the control plane with the settings of the environment (the embedded PGlite database in
 * `./.data` by default) and prints where it answers. SIGINT/SIGTERM close it cleanly.
 */
async function main(): Promise<void> {
  const controlPlane = await createControlPlaneApp();
  controlPlane.app.enableShutdownHooks();
  let urls;
  try {
    urls = await controlPlane.listen();
  } catch (error) {
    await controlPlane.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const { host, port } = controlPlane.config;
      throw new Error(
        `cannot listen on ${host}:${port} (${String(code)}): stop the process using it, or set PORT (and HOST) to a free address.`,
        { cause: error },
      );
    }
    throw error;
  }
  const settings = describeConfig(controlPlane.config);
  process.stdout.write(
    [
      `Switchboard control plane is running (${String(settings.storage)})`,
      `  base URL:   ${urls.base}`,
      `  API:        ${urls.api}`,
      `  API docs:   ${urls.docs}`,
      `  readiness:  ${urls.ready}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigurationError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`The control plane could not start: ${message}\n`);
  process.exitCode = 1;
});
