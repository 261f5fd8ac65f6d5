/** An error the HTTP layer turns into CM's error body `{message, causes}` with this status. */
export class CmHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly causes?: string[],
  ) {
    super(message);
  }
}

export const notFound = (message: string): CmHttpError => new CmHttpError(404, message);
export const badRequest = (message: string): CmHttpError => new CmHttpError(400, message);
