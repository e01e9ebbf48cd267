import { randomUUID } from 'node:crypto';
import { contentDisposition, safeDisplayFileName } from './content-disposition';
import { assertSafeStorageKey, storageKey } from './storage-key';
import { InvalidStorageKeyError } from './storage.errors';

describe('storageKey', () => {
  const tenantId = randomUUID();
  const submissionId = randomUUID();

  it('builds tenants/{t}/submissions/{s}/q{i}/f{seq}/{16 hex}{.ext}', () => {
    const key = storageKey({ tenantId, submissionId, questionIndex: 3, followUpSequence: 2, extension: '.webm' });
    expect(key).toMatch(new RegExp(`^tenants/${tenantId}/submissions/${submissionId}/q3/f2/[0-9a-f]{16}\\.webm$`));
  });

  it('defaults the follow-up to 0 and leaves q/f out when the question is not known yet', () => {
    expect(storageKey({ tenantId, submissionId, questionIndex: 0, extension: '.mp4' })).toMatch(
      /\/q0\/f0\/[0-9a-f]{16}\.mp4$/,
    );
    expect(storageKey({ tenantId, submissionId, extension: '' })).toMatch(
      new RegExp(`^tenants/${tenantId}/submissions/${submissionId}/[0-9a-f]{16}$`),
    );
  });

  it('never repeats a key for the same question', () => {
    const keys = new Set(
      Array.from({ length: 1000 }, () => storageKey({ tenantId, submissionId, questionIndex: 1, extension: '.webm' })),
    );
    expect(keys.size).toBe(1000);
  });

  it.each([
    { tenantId: '../etc', submissionId, extension: '.webm' },
    { tenantId, submissionId: 'a/b', extension: '.webm' },
    { tenantId, submissionId, extension: '.we/bm' },
    { tenantId, submissionId, extension: 'webm' },
    { tenantId, submissionId, extension: '.toolongext' },
    { tenantId, submissionId, questionIndex: -1, extension: '.webm' },
    { tenantId, submissionId, questionIndex: 1.5, extension: '.webm' },
    { tenantId, submissionId, questionIndex: 0, followUpSequence: -2, extension: '.webm' },
  ])('refuses unsafe parts %p', (parts) => {
    expect(() => storageKey(parts)).toThrow(InvalidStorageKeyError);
  });
});

describe('assertSafeStorageKey', () => {
  it.each([
    '',
    '/etc/passwd',
    '../outside',
    'tenants/../../outside',
    'tenants/./x',
    'tenants//x',
    'tenants/x/',
    'tenants\\x',
    'tenants/x\0.webm',
    '.hidden',
    'tenants/.ssh/key',
    'tenants/x\n.webm',
    'tenants/é.webm',
    'C:/windows',
    `tenants/${'a'.repeat(200)}`,
    `${'abc/'.repeat(200)}x`,
  ])('rejects %p', (key) => {
    expect(() => assertSafeStorageKey(key)).toThrow(InvalidStorageKeyError);
  });

  it('rejects non-strings', () => {
    expect(() => assertSafeStorageKey(undefined)).toThrow(InvalidStorageKeyError);
    expect(() => assertSafeStorageKey(42)).toThrow(InvalidStorageKeyError);
  });

  it('accepts generated keys', () => {
    expect(() => assertSafeStorageKey('tenants/t-1/submissions/s_2/q0/f1/0123456789abcdef.webm')).not.toThrow();
  });
});

describe('safeDisplayFileName', () => {
  it.each([
    ['Q1_video.webm', 'Q1_video.webm'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system.ini', 'system.ini'],
    ['evil\0name.webm', 'evilname.webm'],
    ['\u202Egnp.webm', 'gnp.webm'],
    ['...', 'fallback.webm'],
    ['', 'fallback.webm'],
    [undefined, 'fallback.webm'],
    ['  spaced \t name .webm ', 'spaced name .webm'],
    ['réponse vidéo.webm', 'réponse vidéo.webm'],
  ])('%p → %p', (input, expected) => {
    expect(safeDisplayFileName(input, 'fallback.webm')).toBe(expected);
  });

  it('caps the length at 200 characters', () => {
    expect(safeDisplayFileName(`${'x'.repeat(300)}.webm`, 'f')).toBe(`${'x'.repeat(195)}.webm`);
    expect(Array.from(safeDisplayFileName('😀'.repeat(300), 'f'))).toHaveLength(200);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name (RFC 6266)', () => {
    expect(contentDisposition('Q1_video.webm')).toBe(
      `attachment; filename="Q1_video.webm"; filename*=UTF-8''Q1_video.webm`,
    );
    expect(contentDisposition('réponse "1".webm')).toBe(
      `attachment; filename="r_ponse _1_.webm"; filename*=UTF-8''r%C3%A9ponse%20%221%22.webm`,
    );
  });

  it('never lets a quote, backslash, CR/LF or path through', () => {
    const header = contentDisposition('a"; filename=evil.html\r\nX-Injected: 1\\..\\b.webm');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.split('"')).toHaveLength(3);
    expect(header).toMatch(/^attachment; filename="[^"\\]*"; filename\*=UTF-8''[A-Za-z0-9%._~!$&+,;=:@-]*$/);
  });
});
