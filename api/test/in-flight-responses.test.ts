import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { InFlightResponses } from '../src/in-flight-responses.js';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

test('every response is visited until it closes, whatever order they close in', () => {
  const inFlight = new InFlightResponses();
  const responses = Array.from({ length: 6 }, response);
  for (const res of responses) inFlight.add(res);
  const visited = () => {
    const seen: ServerResponse[] = [];
    inFlight.forEach((res) => seen.push(res));
    return new Set(seen);
  };
  // First, last and middle entries close; closing one twice changes nothing.
  for (const i of [0, 5, 2, 2]) responses[i].emit('close');
  assert.deepEqual(visited(), new Set([responses[1], responses[3], responses[4]]));
  const late = response();
  inFlight.add(late);
  responses[4].emit('close');
  assert.deepEqual(visited(), new Set([responses[1], responses[3], late]));
  for (const res of [responses[1], late, responses[3]]) res.emit('close');
  assert.equal(visited().size, 0);
});

test('a visitor may close responses while it walks them', () => {
  const inFlight = new InFlightResponses();
  const responses = Array.from({ length: 4 }, response);
  for (const res of responses) inFlight.add(res);
  let calls = 0;
  inFlight.forEach((res) => {
    calls += 1;
    res.emit('close');
  });
  assert.equal(calls, 4);
  inFlight.forEach(() => assert.fail('every response closed'));
});
