// The bound: a bare node:http server that answers each request body with bytes captured from Beacon beforehand.
// It reads the body (it must, to pick the answer) and writes stored bytes: the least work any server on Node can do
// for these requests, so a variant's throughput divided by this one's is the share of the ceiling it reaches.
//
// BOUND_RESPONSES names a JSON file { "responses": { "<request body>": "<response body>" }, "fallback": "<body>" }:
// a body not in the map (the unique bodies of the miss scenario) gets the fallback, which has the same size class.
import { readFileSync } from 'node:fs';
import http from 'node:http';

interface ResponseFile {
  responses: Record<string, string>;
  fallback: string;
}

const file = process.env.BOUND_RESPONSES;
if (!file) throw new Error('BOUND_RESPONSES must name the captured responses file');
const port = Number(process.env.PORT ?? 0);
const captured = JSON.parse(readFileSync(file, 'utf8')) as ResponseFile;

interface Prepared {
  body: Buffer;
  headers: Record<string, string>;
}

const prepare = (text: string): Prepared => {
  const body = Buffer.from(text);
  return { body, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) } };
};
const responses = new Map<string, Prepared>(Object.entries(captured.responses).map(([request, text]) => [request, prepare(text)]));
const fallback = prepare(captured.fallback);

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
    const answer = responses.get(body) ?? fallback;
    response.writeHead(200, answer.headers);
    response.end(answer.body);
  });
});
// Node's defaults close idle keep-alive sockets after 5 s; the load generator keeps them busy anyway.
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
