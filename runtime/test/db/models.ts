// Models shared by the ORM test files (each test file is its own process, so each registers them once).
import { fields, model, type Instance } from '@paddock/runtime';

export const Author = model('library.Author', {
  name: fields.char({ maxLength: 100 }),
  email: fields.email({ unique: true, null: true }),
  born: fields.date({ null: true }),
}, { ordering: ['name'] });
export type Author = Instance<typeof Author>;

export const Tag = model('library.Tag', {
  name: fields.slug({ unique: true }),
}, { ordering: ['name'] });
export type Tag = Instance<typeof Tag>;

export const Book = model('library.Book', {
  title: fields.char({ maxLength: 200 }),
  author: fields.foreignKey<Author>('library.Author', { onDelete: 'cascade', relatedName: 'books' }),
  editor: fields.foreignKey<Author>('library.Author', { onDelete: 'setNull', null: true, relatedName: 'edited' }),
  pages: fields.integer({ default: 0 }),
  price: fields.decimal({ maxDigits: 8, decimalPlaces: 2, default: '0.00' }),
  rating: fields.float({ null: true }),
  published: fields.datetime({ null: true }),
  releaseDate: fields.date({ null: true }),
  readingTime: fields.duration({ null: true }),
  startsAt: fields.time({ null: true }),
  inPrint: fields.boolean({ default: true }),
  uid: fields.uuid({ autoGenerate: true }),
  meta: fields.json({ default: () => ({}) }),
  format: fields.char({ maxLength: 10, choices: [['hb', 'Hardback'], ['pb', 'Paperback']], default: 'pb' }),
  sales: fields.bigInteger({ null: true }),
  website: fields.url({ blank: true, default: '' }),
  created: fields.datetime({ autoNowAdd: true }),
  updated: fields.datetime({ autoNow: true }),
  tags: fields.manyToMany<Tag>('library.Tag', { relatedName: 'books' }),
}, {
  ordering: ['title'],
  indexes: [{ fields: ['pages', '-published'] }],
  constraints: [{ name: 'library_book_pages_nonneg', type: 'check', check: { pages__gte: 0 } }],
});
export type Book = Instance<typeof Book>;

export const Profile = model('library.Profile', {
  author: fields.oneToOne<Author>('library.Author', { onDelete: 'cascade', relatedName: 'profile' }),
  bio: fields.text(),
});

export const Contract = model('library.Contract', {
  author: fields.foreignKey<Author>('library.Author', { onDelete: 'protect', relatedName: 'contracts' }),
  signed: fields.date(),
});
