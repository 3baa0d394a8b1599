import type { TestApp } from './test-app.js';

let counter = 0;

export interface TestUser {
  id: number;
  username: string;
  email: string;
  password: string;
  access: string;
  refresh: string;
}

/** Registers a user through the public API and logs in; names are unique within the test file. */
export async function createUser(t: TestApp, prefix = 'user', password = 'correct horse battery'): Promise<TestUser> {
  counter += 1;
  const username = `${prefix}${counter}_${process.pid}`;
  const email = `${username}@example.com`;
  const created = await t.http().post('/accounts/api/users/').send({ username, email, password });
  if (created.status !== 200) throw new Error(`register failed: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await t.http().post('/accounts/api/token/').send({ username, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: created.body.user.id, username, email, password, access: login.body.access, refresh: login.body.refresh };
}
