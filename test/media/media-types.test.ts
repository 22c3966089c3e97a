// Sniffing a file's type from its first bytes, and matching it against a field's `accept`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { acceptsType, sniffType } from '../../src/data/media/media-types.ts';

const bytes = (...b: (number | string)[]) => Buffer.concat(b.map((x) => (typeof x === 'number' ? Buffer.from([x]) : Buffer.from(x, 'latin1'))));

describe('sniffType', () => {
  it('knows images by their magic numbers', () => {
    assert.equal(sniffType(bytes(0x89, 'PNG\r\n', 0x1a, '\n', 'rest')), 'image/png');
    assert.equal(sniffType(bytes(0xff, 0xd8, 0xff, 0xe0, 'JFIF')), 'image/jpeg');
    assert.equal(sniffType(bytes('GIF89a...')), 'image/gif');
    assert.equal(sniffType(bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 ')), 'image/webp');
    assert.equal(sniffType(bytes(0, 0, 0, 0x1c, 'ftypavif')), 'image/avif');
  });

  it('tells markup from plain text, since markup is never served inline', () => {
    assert.equal(sniffType(Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')), 'image/svg+xml');
    assert.equal(sniffType(Buffer.from('  <!DOCTYPE html><html></html>')), 'text/html');
    assert.equal(sniffType(Buffer.from('<script>alert(1)</script>')), 'text/html');
    assert.equal(sniffType(Buffer.from('just words, café')), 'text/plain');
    assert.equal(sniffType(Buffer.from('{"a": 1}')), 'application/json');
  });

  it('calls anything else binary', () => {
    assert.equal(sniffType(bytes(0, 1, 2, 3, 0xfe)), 'application/octet-stream');
  });

  it('reads text whose last character the sniff window cut in two', () => {
    const text = Buffer.from('aé');
    assert.equal(sniffType(text.subarray(0, 2)), 'text/plain');
  });
});

describe('acceptsType', () => {
  it('matches exact types, families and anything', () => {
    assert.equal(acceptsType(['image/*'], 'image/png'), true);
    assert.equal(acceptsType(['image/*'], 'text/plain'), false);
    assert.equal(acceptsType(['image/png', 'application/pdf'], 'application/pdf'), true);
    assert.equal(acceptsType(['image/png'], 'image/jpeg'), false);
    assert.equal(acceptsType(['*/*'], 'text/html'), true);
    assert.equal(acceptsType(undefined, 'text/html'), true);
  });
});
