import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AtelierError } from '../errors.js';
import { newRequestId, responseHeaders } from './request-id.js';

/**
 * What node's parser refuses before a request exists — a malformed request line or
 * header, bad chunking, Content-Length beside Transfer-Encoding, headers (or a URL)
 * over the size limit, a client too slow to send its request — as the catalogue error
 * it is, in the ModelArts envelope with a request id, instead of node's or Fastify's own
 * bodies. The connection is closed afterwards: the parser cannot find the next request.
 */
export function errorForParser(code: string | undefined): AtelierError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AtelierError('requestTimeout');
    case 'HPE_HEADER_OVERFLOW':
      return new AtelierError('headersTooLarge');
    default:
      return new AtelierError('malformedRequest', { reason: parserReason(code) });
  }
}

const REASONS: Record<string, string> = {
  HPE_INVALID_METHOD: 'the method is not valid',
  HPE_INVALID_URL: 'the request target is not valid',
  HPE_INVALID_VERSION: 'the HTTP version is not valid',
  HPE_INVALID_CONSTANT: 'the request line is not valid',
  HPE_INVALID_HEADER_TOKEN: 'a header is not valid',
  HPE_INVALID_CONTENT_LENGTH: 'Content-Length is not valid',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'Content-Length and Transfer-Encoding are both present',
  HPE_INVALID_TRANSFER_ENCODING: 'Transfer-Encoding is not valid',
  HPE_INVALID_CHUNK_SIZE: 'the chunked body is not valid',
  HPE_STRICT: 'the request is not valid HTTP/1.1',
  HPE_LF_EXPECTED: 'a line does not end in CRLF',
  HPE_CR_EXPECTED: 'a line does not end in CRLF',
};

function parserReason(code: string | undefined): string {
  return (code && REASONS[code]) ?? 'the request is not valid HTTP/1.1';
}

function envelope(error: AtelierError): string {
  return JSON.stringify({ error_code: error.code, error_msg: error.message });
}

/** Fastify's `clientErrorHandler`: answers on the raw socket, as node itself would, then closes it. */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Duplex): void {
  // A reset connection is gone; there is nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error = errorForParser(err.code);
  const requestId = newRequestId();
  this.log.debug({ reqId: requestId, code: err.code, statusCode: error.status }, 'connection refused');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = envelope(error);
  const headers = {
    ...responseHeaders(requestId),
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(`HTTP/1.1 ${error.status} ${STATUS_TEXT[error.status] ?? 'Bad Request'}\r\n${head}\r\n${body}`, () =>
    socket.destroy(),
  );
  // A client that reads nothing must not keep the socket alive either.
  setTimeout(() => socket.destroy(), 1_000).unref();
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
};

/**
 * An `Expect` other than `100-continue` (node's `checkExpectation` event): 417 in the
 * envelope, never reaching a route.
 */
export function answerExpectation(_req: IncomingMessage, res: ServerResponse): void {
  const error = new AtelierError('expectationFailed');
  const body = envelope(error);
  res.writeHead(error.status, {
    ...responseHeaders(newRequestId()),
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
}
