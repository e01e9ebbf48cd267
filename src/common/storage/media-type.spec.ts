import { HttpStatus } from '@nestjs/common';
import { MEDIA_HEADS, NON_MEDIA_HEADS } from '../../../test/setup/media-fixtures';
import { AppError } from '../errors/app-error';
import { checkMediaType, MediaKind, normaliseDeclaredMime, sniffMediaType, SniffedMedia } from './media-type';

function expect415(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
    expect((error as AppError).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    return;
  }
  throw new Error('expected a 415');
}

describe('sniffMediaType', () => {
  it.each([
    ['webm', MEDIA_HEADS.webm, 'webm', '.webm'],
    ['matroska', MEDIA_HEADS.matroska, 'matroska', '.mkv'],
    ['mp4 (isom)', MEDIA_HEADS.mp4, 'mp4', '.mp4'],
    ['mp4 (Safari iso5)', MEDIA_HEADS.mp4Safari, 'mp4', '.mp4'],
    ['mp4 by compatible brand', MEDIA_HEADS.mp4UnknownMajor, 'mp4', '.mp4'],
    ['m4a', MEDIA_HEADS.m4a, 'm4a', '.m4a'],
    ['quicktime', MEDIA_HEADS.quicktime, 'quicktime', '.mov'],
    ['ogg', MEDIA_HEADS.ogg, 'ogg', '.ogg'],
    ['wav', MEDIA_HEADS.wav, 'wav', '.wav'],
    ['avi', MEDIA_HEADS.avi, 'avi', '.avi'],
    ['mp3 with ID3', MEDIA_HEADS.mp3Id3, 'mp3', '.mp3'],
    ['mp3 frame sync', MEDIA_HEADS.mp3Frame, 'mp3', '.mp3'],
    ['asf/wmv', MEDIA_HEADS.asf, 'asf', '.wmv'],
  ])('detects %s', (_name, head, container, extension) => {
    expect(sniffMediaType(head)).toMatchObject({ container, extension });
  });

  it('says which kinds each container can hold', () => {
    expect(sniffMediaType(MEDIA_HEADS.webm)?.kinds.sort()).toEqual(['audio', 'video']);
    expect(sniffMediaType(MEDIA_HEADS.mp4)?.kinds.sort()).toEqual(['audio', 'video']);
    expect(sniffMediaType(MEDIA_HEADS.ogg)?.kinds.sort()).toEqual(['audio', 'video']);
    expect(sniffMediaType(MEDIA_HEADS.m4a)?.kinds).toEqual(['audio']);
    expect(sniffMediaType(MEDIA_HEADS.mp3Frame)?.kinds).toEqual(['audio']);
    expect(sniffMediaType(MEDIA_HEADS.wav)?.kinds).toEqual(['audio']);
    expect(sniffMediaType(MEDIA_HEADS.quicktime)?.kinds).toEqual(['video']);
  });

  it.each(Object.entries(NON_MEDIA_HEADS))('rejects %s', (_name, head) => {
    expect(sniffMediaType(head)).toBeNull();
  });

  it('works on a head shorter than the usual 64 bytes when the file is that short', () => {
    expect(sniffMediaType(MEDIA_HEADS.webm.subarray(0, 40))?.container).toBe('webm');
    expect(sniffMediaType(MEDIA_HEADS.mp4.subarray(0, 12))?.container).toBe('mp4');
    expect(sniffMediaType(MEDIA_HEADS.webm.subarray(0, 4))?.container).toBe('webm');
  });
});

describe('normaliseDeclaredMime', () => {
  it.each([
    ['video/webm;codecs=vp9,opus', 'video/webm'],
    ['Video/WebM; codecs="vp8, vorbis"', 'video/webm'],
    ['audio/webm;codecs=opus', 'audio/webm'],
    ['audio/mp3', 'audio/mpeg'],
    ['audio/m4a', 'audio/mp4'],
    ['audio/x-m4a', 'audio/mp4'],
    ['video/mov', 'video/quicktime'],
    ['audio/wav', 'audio/wav'],
    ['audio/x-wav', 'audio/wav'],
    ['audio/wave', 'audio/wav'],
    ['video/avi', 'video/x-msvideo'],
    ['video/wmv', 'video/x-ms-wmv'],
    ['text/html', 'text/html'],
  ])('%s → %s', (declared, expected) => {
    expect(normaliseDeclaredMime(declared)).toBe(expected);
  });

  it.each([undefined, null, '', '  ', 'application/octet-stream', 'application/octet-stream; charset=binary'])(
    'treats %p as undeclared',
    (declared) => {
      expect(normaliseDeclaredMime(declared)).toBeNull();
    },
  );
});

describe('checkMediaType', () => {
  const sniff = (head: Buffer): SniffedMedia | null => sniffMediaType(head);

  it.each<[MediaKind, string | undefined, Buffer, string, string]>([
    ['video', 'video/webm;codecs=vp9,opus', MEDIA_HEADS.webm, 'video/webm', '.webm'],
    ['video', 'video/webm;codecs=vp8', MEDIA_HEADS.webm, 'video/webm', '.webm'],
    ['audio', 'audio/webm;codecs=opus', MEDIA_HEADS.webm, 'audio/webm', '.webm'],
    ['audio', 'video/webm', MEDIA_HEADS.webm, 'audio/webm', '.webm'],
    ['video', 'video/x-matroska;codecs=avc1', MEDIA_HEADS.matroska, 'video/x-matroska', '.mkv'],
    ['video', 'video/webm', MEDIA_HEADS.matroska, 'video/x-matroska', '.mkv'],
    ['video', 'video/mp4', MEDIA_HEADS.mp4, 'video/mp4', '.mp4'],
    ['video', 'video/mp4;codecs="avc1.42E01E, mp4a.40.2"', MEDIA_HEADS.mp4Safari, 'video/mp4', '.mp4'],
    ['audio', 'audio/mp4', MEDIA_HEADS.mp4, 'audio/mp4', '.mp4'],
    ['audio', 'audio/m4a', MEDIA_HEADS.m4a, 'audio/mp4', '.m4a'],
    ['video', 'video/mov', MEDIA_HEADS.quicktime, 'video/quicktime', '.mov'],
    ['video', 'video/quicktime', MEDIA_HEADS.quicktime, 'video/quicktime', '.mov'],
    ['audio', 'audio/ogg;codecs=opus', MEDIA_HEADS.ogg, 'audio/ogg', '.ogg'],
    ['video', 'video/ogg', MEDIA_HEADS.ogg, 'video/ogg', '.ogg'],
    ['audio', 'audio/wav', MEDIA_HEADS.wav, 'audio/wav', '.wav'],
    ['audio', 'audio/x-wav', MEDIA_HEADS.wav, 'audio/wav', '.wav'],
    ['audio', 'audio/wave', MEDIA_HEADS.wav, 'audio/wav', '.wav'],
    ['audio', 'audio/mp3', MEDIA_HEADS.mp3Frame, 'audio/mpeg', '.mp3'],
    ['audio', 'audio/mpeg', MEDIA_HEADS.mp3Id3, 'audio/mpeg', '.mp3'],
    ['video', 'video/avi', MEDIA_HEADS.avi, 'video/x-msvideo', '.avi'],
    ['video', 'video/wmv', MEDIA_HEADS.asf, 'video/x-ms-wmv', '.wmv'],
    ['video', undefined, MEDIA_HEADS.webm, 'video/webm', '.webm'],
    ['audio', 'application/octet-stream', MEDIA_HEADS.m4a, 'audio/mp4', '.m4a'],
  ])('accepts %s declared %p', (fileType, declared, head, mime, extension) => {
    expect(checkMediaType(fileType, declared, sniff(head))).toMatchObject({ mime, extension });
  });

  it.each<[string, MediaKind, string | undefined, Buffer]>([
    ['PNG bytes declared as webm', 'video', 'video/webm', NON_MEDIA_HEADS.png],
    ['HTML bytes declared as webm', 'video', 'video/webm', NON_MEDIA_HEADS.html],
    ['PDF bytes declared as audio', 'audio', 'audio/webm', NON_MEDIA_HEADS.pdf],
    ['text with no declared type', 'video', undefined, NON_MEDIA_HEADS.text],
    ['HEIC image declared as mp4', 'video', 'video/mp4', NON_MEDIA_HEADS.heic],
    ['an empty file', 'video', 'video/webm', NON_MEDIA_HEADS.empty],
    ['mp4 bytes declared as webm', 'video', 'video/webm', MEDIA_HEADS.mp4],
    ['webm bytes declared as mp3', 'audio', 'audio/mp3', MEDIA_HEADS.webm],
    ['an mp3 uploaded as video', 'video', 'audio/mpeg', MEDIA_HEADS.mp3Frame],
    ['a wav uploaded as video', 'video', undefined, MEDIA_HEADS.wav],
    ['an m4a (audio brand) uploaded as video', 'video', 'video/mp4', MEDIA_HEADS.m4a],
    ['a mov uploaded as audio', 'audio', undefined, MEDIA_HEADS.quicktime],
    ['webm declared as text/html', 'video', 'text/html', MEDIA_HEADS.webm],
    ['webm declared as image/png', 'video', 'image/png', MEDIA_HEADS.webm],
  ])('rejects %s with 415', (_name, fileType, declared, head) => {
    expect415(() => checkMediaType(fileType, declared, sniff(head)));
  });
});
