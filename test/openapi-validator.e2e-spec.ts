import { describe, expect, it } from '@jest/globals';
import { OpenApiResponseValidator } from './support/openapi-response-validator.js';

// The validator every end-to-end test relies on must itself refuse answers that drift.
describe('the openapi.json response validator', () => {
  const validator = OpenApiResponseValidator.fromFile();
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const error = { detail: 'Post not found', code: 'not_found' };

  it('accepts documented answers', () => {
    expect(validator.check('GET', '/health', 200, 'application/json', json({ status: 'ok' }))).toBeNull();
    expect(validator.check('GET', '/profiles/api/posts/7/', 404, 'application/json; charset=utf-8', json(error))).toBeNull();
    expect(validator.check('GET', '/api/no-such-path/', 404, 'application/json', json(error))).toBeNull();
    expect(validator.check('POST', '/register/', 400, 'application/json', json({ username: ['This field is required.'] }))).toBeNull();
  });

  it('refuses undocumented statuses, fields, shapes and content types', () => {
    expect(validator.check('GET', '/health', 418, 'application/json', json({ status: 'ok' }))).toMatch(/status 418 is not documented/);
    expect(validator.check('GET', '/health', 200, 'application/json', json({ status: 'ok', extra: 1 }))).toMatch(/additional properties \(extra\)/);
    expect(validator.check('GET', '/health', 200, 'text/plain', Buffer.from('ok'))).toMatch(/content type text\/plain/);
    expect(validator.check('GET', '/profiles/api/posts/7/', 404, 'application/json', json({ message: 'x' }))).toMatch(/must|anyOf/);
    expect(validator.check('GET', '/profiles/api/posts/7/', 404, 'application/json', json({ ...error, statusCode: 404 }))).toMatch(/anyOf|must/);
    expect(validator.check('POST', '/register/', 400, 'application/json', json({ username: [] }))).toMatch(/anyOf|must/);
    expect(validator.check('GET', '/api/no-such-path/', 404, 'application/json', json({ oops: true }))).toMatch(/does not match ErrorResponseDto/);
  });
});
