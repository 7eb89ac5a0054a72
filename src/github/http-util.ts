export { BodyTooLargeError, ByteCounter, ByteLimit, headerBytes, readBody, sendJson, sendStream } from '../serving/http-util.ts';
