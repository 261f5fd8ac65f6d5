/** Where the client reports progress of long waits (which host, which stage, what it waits for). */
export interface CmLogger {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: CmLogger = { info: () => undefined, warn: () => undefined };
