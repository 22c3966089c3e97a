// spec/values.ts: what a value of each field type is, and its canonical form.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Field } from '../../src/spec/schema.ts';
import { checkFieldValue, checkValue, decimalToScaled, isValidDate, normalizeDecimal, scaledToDecimal, toSlug } from '../../src/spec/values.ts';

const f = (field: Record<string, unknown>) => field as Field;

function accepts(field: Field, value: unknown, canonical: unknown = value, strict = true) {
  const r = checkValue(field, value, strict);
  assert.deepEqual(r, { ok: true, value: canonical }, `${field.type} should accept ${JSON.stringify(value)}`);
}

function refuses(field: Field, value: unknown, message?: RegExp, strict = true) {
  const r = checkValue(field, value, strict);
  assert.equal(r.ok, false, `${field.type} should refuse ${JSON.stringify(value)}, got ${JSON.stringify(r)}`);
  if (!r.ok && message) assert.match(r.message, message);
}

describe('string, text, richtext', () => {
  test('strings within the limits are kept as given', () => {
    accepts(f({ type: 'string' }), 'hello');
    accepts(f({ type: 'string' }), '');
    accepts(f({ type: 'text' }), 'line 1\nline 2');
    accepts(f({ type: 'richtext' }), '<p>hi</p>');
  });

  test('non-strings are refused', () => {
    refuses(f({ type: 'string' }), 5, /string/);
    refuses(f({ type: 'text' }), null);
    refuses(f({ type: 'richtext' }), ['a']);
  });

  test('max and min count characters as a person does (code points)', () => {
    const s = f({ type: 'string', min: 2, max: 3 });
    accepts(s, 'abc');
    refuses(s, 'abcd', /at most 3/);
    refuses(s, 'a', /at least 2/);
    accepts(s, '😀😀😀');
    refuses(s, '😀😀😀😀', /at most 3/);
    refuses(s, '😀', /at least 2/);
  });

  test('default maximum lengths apply without max', () => {
    accepts(f({ type: 'string' }), 'x'.repeat(255));
    refuses(f({ type: 'string' }), 'x'.repeat(256), /255/);
    accepts(f({ type: 'text' }), 'x'.repeat(100_000));
    refuses(f({ type: 'text' }), 'x'.repeat(100_001));
  });
});

describe('email', () => {
  const email = f({ type: 'email' });
  test('valid addresses', () => {
    for (const v of ['name@example.com', 'a.b+tag@sub.example.org', 'x@y.io']) accepts(email, v);
  });
  test('invalid addresses', () => {
    for (const v of ['nobody', 'a@b', '@example.com', 'a@', 'a b@example.com', 'a@@example.com', '<a>@example.com', `${'x'.repeat(250)}@example.com`, 42]) {
      refuses(email, v, typeof v === 'string' ? /email/ : undefined);
    }
  });
});

describe('url and media', () => {
  for (const type of ['url', 'media']) {
    test(`${type}: absolute http and https URLs are accepted`, () => {
      for (const v of ['http://example.com', 'https://example.com/a/b?c=d#e', 'https://127.0.0.1:8080/x']) accepts(f({ type }), v);
    });
    test(`${type}: other schemes and relative URLs are refused`, () => {
      for (const v of ['ftp://example.com/f', 'javascript:alert(1)', 'data:text/html,hi', 'mailto:a@example.com', 'file:///etc/passwd', '/relative', 'example.com', '']) {
        refuses(f({ type }), v, /http or https/);
      }
    });
  }
  test('url longer than 2048 characters is refused', () => {
    refuses(f({ type: 'url' }), `https://example.com/${'a'.repeat(2048)}`, /2048/);
  });
});

describe('slug', () => {
  const slug = f({ type: 'slug' });
  test('lowercase letters and digits separated by single hyphens', () => {
    for (const v of ['a', 'abc', 'abc-123', '2026-review']) accepts(slug, v);
  });
  test('anything else is refused', () => {
    for (const v of ['', 'Abc', 'a--b', '-a', 'a-', 'a_b', 'a b', 'café', 'a.b']) refuses(slug, v, /slug/);
  });
  test('max applies', () => {
    refuses(f({ type: 'slug', max: 3 }), 'abcd', /at most 3/);
  });
});

describe('integer and number', () => {
  const int = f({ type: 'integer' });
  test('safe integers are accepted up to ±(2^53-1)', () => {
    accepts(int, 0);
    accepts(int, -7);
    accepts(int, Number.MAX_SAFE_INTEGER);
    accepts(int, Number.MIN_SAFE_INTEGER);
  });
  test('unsafe or fractional integers are refused', () => {
    refuses(int, Number.MAX_SAFE_INTEGER + 1, /2\^53/);
    refuses(int, Number.MIN_SAFE_INTEGER - 1, /2\^53/);
    refuses(int, 1.5);
    refuses(int, 1e300);
  });
  test('non-numbers are refused', () => {
    for (const v of [NaN, Infinity, -Infinity, '3', null, true]) refuses(int, v, /integer/);
  });
  test('strings are numbers only outside strict mode (query strings)', () => {
    accepts(int, '3', 3, false);
    refuses(int, '', undefined, false);
    refuses(int, 'abc', undefined, false);
    refuses(int, '1.5', undefined, false);
  });
  test('min and max are inclusive', () => {
    const r = f({ type: 'integer', min: 0, max: 10 });
    accepts(r, 0);
    accepts(r, 10);
    refuses(r, -1, /at least 0/);
    refuses(r, 11, /at most 10/);
  });
  test('number takes fractions and refuses non-finite values', () => {
    const n = f({ type: 'number', min: -1.5 });
    accepts(n, 1.25);
    accepts(n, -1.5);
    refuses(n, -1.51, /at least -1.5/);
    refuses(n, NaN);
    refuses(n, Infinity);
    refuses(n, '1.5');
  });
});

describe('decimal', () => {
  const money = f({ type: 'decimal' });
  test('is normalized to exactly scale digits: "12.5" → "12.50"', () => {
    accepts(money, '12.5', '12.50');
    accepts(money, 12.5, '12.50');
    accepts(money, '7', '7.00');
    accepts(money, 7, '7.00');
    accepts(money, '007.5', '7.50');
    accepts(money, '+3', '3.00');
    accepts(money, ' 3 ', '3.00');
    accepts(money, '1.230', '1.23');
  });
  test('negatives keep their sign; negative zero is zero', () => {
    accepts(money, '-12.5', '-12.50');
    accepts(money, -0.05, '-0.05');
    accepts(money, '-0.00', '0.00');
    accepts(money, '-0', '0.00');
  });
  test('scale 0 has no decimal point', () => {
    accepts(f({ type: 'decimal', scale: 0 }), '42', '42');
    accepts(f({ type: 'decimal', scale: 0 }), '42.0', '42');
  });
  test('rounding is refused: "1.234" does not fit scale 2', () => {
    refuses(money, '1.234', /at most 2 digits after/);
    refuses(money, 1.234, /at most 2 digits after/);
    refuses(f({ type: 'decimal', scale: 0 }), '1.5', /at most 0 digits after/);
  });
  test('a JSON number with digits beyond the scale is refused too, not silently rounded', () => {
    refuses(money, 1.00001, /digits after/);
    refuses(money, 0.000001, /digits after/);
  });
  test('precision limits the digits before the point', () => {
    const d = f({ type: 'decimal', precision: 4, scale: 2 });
    accepts(d, '99.99');
    accepts(d, '-99.99');
    refuses(d, '100', /at most 2 digits before/);
    refuses(d, '123.45', /at most 2 digits before/);
    accepts(f({ type: 'decimal', precision: 15, scale: 2 }), '9999999999999.99');
    refuses(f({ type: 'decimal', precision: 15, scale: 2 }), '10000000000000.00');
  });
  test('a JSON number with 15 significant digits fits precision 15', () => {
    accepts(f({ type: 'decimal', precision: 15, scale: 2 }), 9999999999999.99, '9999999999999.99');
    accepts(f({ type: 'decimal', precision: 15, scale: 2 }), 1234567890123.45, '1234567890123.45');
  });
  test('when precision equals scale, values below 1 fit (like numeric(2,2))', () => {
    const d = f({ type: 'decimal', precision: 2, scale: 2 });
    accepts(d, '0.99', '0.99');
    accepts(d, '-0.5', '-0.50');
    refuses(d, '1.00');
  });
  test('malformed decimals are refused', () => {
    for (const v of ['', 'abc', '1e3', '.5', '5.', '1,5', '0x10', '1.2.3', true, null, NaN, Infinity]) refuses(money, v);
  });
  test('min and max compare numerically', () => {
    const d = f({ type: 'decimal', min: 0, max: '10' });
    accepts(d, '0', '0.00');
    accepts(d, '10.00');
    refuses(d, '-0.01', /at least 0.00/);
    refuses(d, '10.01', /at most 10.00/);
    accepts(f({ type: 'decimal', min: '9.5' }), '10', '10.00');
  });
  test('normalizeDecimal explains what does not fit', () => {
    assert.deepEqual(normalizeDecimal('1.5', 3, 1), { ok: true, value: '1.5' });
    assert.equal(normalizeDecimal('123.4', 3, 1).ok, false);
  });
});

describe('decimalToScaled and scaledToDecimal', () => {
  const cases: [string, number, number][] = [
    ['12.50', 2, 1250],
    ['-12.50', 2, -1250],
    ['0.00', 2, 0],
    ['0.05', 2, 5],
    ['-0.05', 2, -5],
    ['-0.001', 3, -1],
    ['9999999999999.99', 2, 999999999999999],
    ['-9999999999999.99', 2, -999999999999999],
    ['42', 0, 42],
    ['-42', 0, -42],
    ['0.0000000001', 10, 1],
    ['12345.1234567891', 10, 123451234567891],
  ];
  for (const [canonical, scale, scaled] of cases) {
    test(`"${canonical}" at scale ${scale} ⇄ ${scaled}`, () => {
      assert.equal(decimalToScaled(canonical, scale), scaled);
      assert.equal(scaledToDecimal(scaled, scale), canonical);
    });
  }

  test('every canonical value from checkValue round-trips, including negatives', () => {
    for (const scale of [0, 1, 2, 4]) {
      const field = f({ type: 'decimal', precision: 12, scale });
      for (const raw of ['0', '1', '-1', '0.5', '-0.5', '123.4567', '-123.4567', '99999999', '-0.0001', '100.1']) {
        const r = checkValue(field, raw);
        if (!r.ok) continue; // too many digits for this scale
        const canonical = r.value as string;
        assert.equal(scaledToDecimal(decimalToScaled(canonical, scale), scale), canonical, `${raw} at scale ${scale}`);
      }
    }
  });

  test('scaled values keep their order', () => {
    const values = ['-10.00', '-0.05', '0.00', '0.05', '1.00', '10.00'];
    const scaled = values.map((v) => decimalToScaled(v, 2));
    assert.deepEqual([...scaled].sort((a, b) => a - b), scaled);
  });
});

describe('boolean', () => {
  test('only true and false in strict mode', () => {
    accepts(f({ type: 'boolean' }), true);
    accepts(f({ type: 'boolean' }), false);
    for (const v of ['true', 1, 0, null]) refuses(f({ type: 'boolean' }), v, /true or false/);
  });
  test('query-string spellings outside strict mode', () => {
    accepts(f({ type: 'boolean' }), 'true', true, false);
    accepts(f({ type: 'boolean' }), '1', true, false);
    accepts(f({ type: 'boolean' }), 'false', false, false);
    accepts(f({ type: 'boolean' }), '0', false, false);
    refuses(f({ type: 'boolean' }), 'yes', undefined, false);
  });
});

describe('date', () => {
  const date = f({ type: 'date' });
  test('real calendar dates are accepted', () => {
    for (const v of ['2026-01-31', '2026-02-28', '2024-02-29', '2000-02-29', '2026-12-31']) accepts(date, v);
  });
  test('impossible or malformed dates are refused', () => {
    for (const v of ['2026-02-30', '2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-1-01', '26-01-01', '2026-01-31T00:00:00Z', '', 20260131]) {
      refuses(date, v, /date/);
    }
    assert.equal(isValidDate('2026-02-30'), false);
    assert.equal(isValidDate('2024-02-29'), true);
  });
  test('min and max are inclusive', () => {
    const d = f({ type: 'date', min: '2026-01-01', max: '2026-12-31' });
    accepts(d, '2026-01-01');
    accepts(d, '2026-12-31');
    refuses(d, '2025-12-31', /on or after/);
    refuses(d, '2027-01-01', /on or before/);
  });
});

describe('datetime', () => {
  const dt = f({ type: 'datetime' });
  test('is normalized to UTC with a Z', () => {
    accepts(dt, '2026-01-31T09:30:00Z', '2026-01-31T09:30:00.000Z');
    accepts(dt, '2026-01-31T09:30:00+02:00', '2026-01-31T07:30:00.000Z');
    accepts(dt, '2026-01-31T09:30:00-05:30', '2026-01-31T15:00:00.000Z');
    accepts(dt, '2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000Z');
    accepts(dt, '2026-01-31 09:30:00Z', '2026-01-31T09:30:00.000Z');
    accepts(dt, '2026-01-31t09:30:00.5z', '2026-01-31T09:30:00.500Z');
  });
  test('a zone and seconds are required, as in request bodies (RFC 3339)', () => {
    refuses(dt, '2026-01-31T09:30:00', /time zone/);
    refuses(dt, '2026-01-31T09:30Z', /time zone/);
    refuses(dt, '2026-01-31', /time zone/);
  });
  test('malformed date-times are refused', () => {
    for (const v of ['2026-01-31T25:00:00Z', '2026-01-31T09:60:00Z', 'now', 'yesterday', '', 1769851800000]) refuses(dt, v);
  });
  test('impossible calendar dates are refused, not rolled over into the next month', () => {
    refuses(dt, '2026-02-30T09:30:00Z');
    refuses(dt, '2026-04-31T00:00:00+02:00');
  });
  test('min and max compare instants, whatever the offsets', () => {
    const d = f({ type: 'datetime', min: '2026-01-01T00:00:00Z' });
    refuses(d, '2026-01-01T00:30:00+01:00', /at or after/);
    accepts(d, '2026-01-01T00:30:00-01:00', '2026-01-01T01:30:00.000Z');
  });
});

describe('enum', () => {
  const single = f({ type: 'enum', values: ['draft', 'live'] });
  const multi = f({ type: 'enum', values: ['a', 'b', 'c'], multiple: true });
  test('a single enum takes one of its values', () => {
    accepts(single, 'draft');
    refuses(single, 'Draft', /draft, live/);
    refuses(single, ['draft']);
    assert.deepEqual(checkFieldValue(single, 'live'), { ok: true, value: 'live' });
  });
  test('a multiple enum takes a list of distinct allowed values', () => {
    assert.deepEqual(checkFieldValue(multi, ['b', 'a']), { ok: true, value: ['b', 'a'] });
    assert.deepEqual(checkFieldValue(multi, []), { ok: true, value: [] });
    const r = checkFieldValue(multi, ['a', 'b', 'a']);
    assert.equal(r.ok, true);
    if (r.ok) {
      const list = r.value as string[];
      assert.equal(new Set(list).size, list.length, `values are distinct: ${JSON.stringify(list)}`);
      assert.deepEqual([...list].sort(), ['a', 'b']);
    }
  });
  test('a multiple enum refuses a scalar and values outside the list', () => {
    assert.match((checkFieldValue(multi, 'a') as { message: string }).message, /list/);
    const r = checkFieldValue(multi, ['a', 'z']);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.message, /entry 1/);
  });
});

describe('json and relation', () => {
  test('json takes any value', () => {
    for (const v of [{ a: [1, { b: null }] }, [1, 2], 'x', 3, true]) accepts(f({ type: 'json' }), v);
  });
  test('a relation takes one id', () => {
    const rel = f({ type: 'relation', to: 'authors' });
    accepts(rel, '0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b');
    refuses(rel, 'not-an-id', /"authors"/);
    refuses(rel, '0190A3B4-5C6D-7E8F-9A0B-1C2D3E4F5A6B');
    refuses(rel, 42);
  });
  test('a many-relation takes a list of distinct ids within min and max', () => {
    const rel = f({ type: 'relation', to: 'tags', many: true, min: 1, max: 2 });
    const a = '0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
    const b = '0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6c';
    assert.deepEqual(checkFieldValue(rel, [a, b]), { ok: true, value: [a, b] });
    assert.deepEqual(checkFieldValue(rel, [a, a]), { ok: true, value: [a] });
    assert.equal(checkFieldValue(rel, []).ok, false);
    assert.equal(checkFieldValue(rel, [a, b, a]).ok, false);
    assert.equal(checkFieldValue(rel, a).ok, false);
    assert.equal(checkFieldValue(rel, [a, 'x']).ok, false);
  });
});

describe('toSlug', () => {
  const cases: [string, number | undefined, string][] = [
    ['Hello, World!', undefined, 'hello-world'],
    ['Crème Brûlée', undefined, 'creme-brulee'],
    ['  --Already--Sluggy--  ', undefined, 'already-sluggy'],
    ['Top 10 Tips (2026)', undefined, 'top-10-tips-2026'],
    ['under_score and.dot', undefined, 'under-score-and-dot'],
    ['日本語', undefined, ''],
    ['abc def ghi', 5, 'abc-d'],
    ['abc def', 4, 'abc'],
  ];
  for (const [input, max, out] of cases) {
    test(`${JSON.stringify(input)}${max ? ` (max ${max})` : ''} → ${JSON.stringify(out)}`, () => {
      assert.equal(toSlug(input, max), out);
    });
  }

  test('non-empty results are valid slugs within the limit', () => {
    for (const input of ['Ünïcödé Tëxt', 'a  b', '--x--', 'Long title '.repeat(40), 'ÆØÅ æøå', 'x-'.repeat(150)]) {
      const s = toSlug(input);
      if (s === '') continue;
      assert.ok(s.length <= 200, s);
      accepts(f({ type: 'slug' }), s);
    }
  });
});
