/**
 * An error that is the client's answer: a status and a one-line reason, sent as
 * `{"error": reason}`. Anything else thrown while answering is a bug, logged on the server's
 * stderr and answered with a generic 500, so no stack trace or internal path reaches a client.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(reason);
  }
}

export const badRequest = (reason: string): HttpError => new HttpError(400, reason);
export const notFound = (reason: string): HttpError => new HttpError(404, reason);
