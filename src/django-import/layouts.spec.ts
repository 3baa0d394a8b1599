import { describe, expect, it } from '@jest/globals';
import { COURSE_WORK, layoutFromMapping, LayoutError, MESSAGING_APP } from './layouts.js';

describe('mapping files', () => {
  it('rename tables and columns of the layout they extend, and drop optional parts', () => {
    const layout = layoutFromMapping({
      extends: 'messaging-app',
      users: { table: 'core_user', columns: { id: 'user_id' }, optional: { picture: null } },
      messages: { columns: { id: 'message_id', text: 'message_body', timestamp: 'sent_at' } },
    });
    expect(layout.users).toEqual({ table: 'core_user', columns: { ...MESSAGING_APP.users.columns, id: 'user_id' }, optional: { bio: 'bio' } });
    expect(layout.messages.columns).toEqual({ id: 'message_id', conversation: 'conversation_id', user: 'sender_id', text: 'message_body', timestamp: 'sent_at' });
    expect(layout.tokenProfile).toBe('api');
    expect(MESSAGING_APP.users.table).toBe('chats_user'); // the built-in layout is not changed
    const withoutPosts = layoutFromMapping({ extends: 'course-work', posts: null, tokenProfile: 'api' });
    expect(withoutPosts.posts).toBeUndefined();
    expect(withoutPosts.profiles).toEqual(COURSE_WORK.profiles);
  });

  it.each([
    [null, /JSON object/],
    [{ extends: 'rails' }, /"extends" must be one of/],
    [{ extends: 'course-work', users: { columns: { id: 'id; DROP TABLE users' } } }, /not a plain table or column name/],
    [{ extends: 'course-work', users: { table: 'auth user' } }, /not a plain table or column name/],
    [{ extends: 'course-work', users: { columns: { phone: 'phone' } } }, /not a column Palaver reads/],
    [{ extends: 'course-work', messages: null }, /cannot be dropped/],
    [{ extends: 'messaging-app', posts: { table: 'blog_post' } }, /not part of the "messaging-app" layout/],
    [{ extends: 'course-work', chats: {} }, /unknown key "chats"/],
    [{ extends: 'course-work', users: { where: 'x' } }, /unknown key "users.where"/],
    [{ extends: 'course-work', profiles: null }, /refer to profiles/],
    [{ extends: 'course-work', tokenProfile: 'web' }, /"tokenProfile"/],
  ])('refuses %j', (json, message) => {
    expect(() => layoutFromMapping(json)).toThrow(LayoutError);
    expect(() => layoutFromMapping(json)).toThrow(message);
  });
});
