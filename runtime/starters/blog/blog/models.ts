// The blog's data: posts, newest first.
import { fields, model } from '@paddock/runtime';

export const Post = model('blog.Post', {
  title: fields.char({ maxLength: 200 }),
  slug: fields.slug({ unique: true }),
  body: fields.text(),
  author: fields.char({ maxLength: 100, default: '' }),
  published: fields.datetime({ null: true, index: true }),
}, { ordering: ['-published'] });
