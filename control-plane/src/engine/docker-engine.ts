// The control plane's one connection to the Docker engine, and how it waits on the engine's
// progress streams (image import and build report failures inside the stream, not as HTTP errors).
import Docker from 'dockerode';

export type DockerEngine = Docker;

export function connectDocker(host = process.env.DOCKER_HOST): DockerEngine {
  const socketPath = (host ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
  return new Docker({ socketPath });
}

export interface EngineProgress {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Resolves with every progress line once the engine is done; rejects on the first error line. */
export function followProgress(
  docker: DockerEngine,
  stream: NodeJS.ReadableStream,
  onLine?: (line: EngineProgress) => void,
): Promise<EngineProgress[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, lines: EngineProgress[]) => {
        if (err) return reject(err);
        const failed = lines.find((l) => l.error);
        if (failed) return reject(new Error(failed.errorDetail?.message ?? failed.error));
        resolve(lines);
      },
      (line: EngineProgress) => onLine?.(line),
    );
  });
}

/** True when the engine knows an image by this reference. */
export async function imageExists(docker: DockerEngine, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}
