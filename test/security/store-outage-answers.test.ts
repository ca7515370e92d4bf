// A database outage as an API caller and the operator meet it: 503 with words that fit the call (a read was not
// answered, a write changed nothing), and one warning line per call without a stack; other 5xx stay errors.
import express from 'express';
import request from 'supertest';
import { expect, it } from 'vitest';
import { errorHandler } from '../../service/src/http/errors.js';
import { StoreUnavailableError } from '../../service/src/ports/index.js';

it('answers a read and a write during an outage in their own words, and logs each as one warning without a stack', async () => {
  const lines: Array<{ level: string; o: Record<string, unknown>; msg?: string }> = [];
  const logger = {
    warn: (o: object, msg?: string) => void lines.push({ level: 'warn', o: o as Record<string, unknown>, msg }),
    error: (o: object, msg?: string) => void lines.push({ level: 'error', o: o as Record<string, unknown>, msg }),
  };
  const app = express();
  const outage = () => {
    throw new StoreUnavailableError('ECONNREFUSED', { detail: 'PostgreSQL cannot be reached: connect ECONNREFUSED 10.0.0.5:5432' });
  };
  app.get('/campaigns', outage);
  app.post('/campaigns', outage);
  app.get('/broken', () => {
    throw new Error('a bug');
  });
  app.use(errorHandler(logger));

  const read = await request(app).get('/campaigns');
  expect(read.status).toBe(503);
  expect(read.body).toEqual({ error: 'store_unavailable', message: 'The service cannot reach its database right now; try again shortly' });
  const write = await request(app).post('/campaigns').send({});
  expect(write.status).toBe(503);
  expect(write.body).toEqual({ error: 'store_unavailable', message: 'The service cannot write its database right now; nothing was changed' });
  expect(lines.map((l) => [l.level, l.msg, l.o.method])).toEqual([
    ['warn', 'http.store_unavailable', 'GET'],
    ['warn', 'http.store_unavailable', 'POST'],
  ]);
  expect(JSON.stringify(lines)).not.toMatch(/\n\s+at |"err"/);

  expect((await request(app).get('/broken')).status).toBe(500);
  expect(lines.at(-1)).toMatchObject({ level: 'error', msg: 'http.error' });
});
