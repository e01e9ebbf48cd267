import { StorageErrors } from './storage.errors';

export type MediaKind = 'video' | 'audio';
export type MediaContainer = 'webm' | 'matroska' | 'mp4' | 'm4a' | 'quicktime' | 'ogg' | 'wav' | 'mp3' | 'avi' | 'asf';

interface ContainerInfo {
  extension: string;
  /** The MIME type stored for each kind of recording this container can hold. */
  mime: Partial<Record<MediaKind, string>>;
}

const CONTAINERS: Record<MediaContainer, ContainerInfo> = {
  webm: { extension: '.webm', mime: { video: 'video/webm', audio: 'audio/webm' } },
  matroska: { extension: '.mkv', mime: { video: 'video/x-matroska', audio: 'audio/x-matroska' } },
  mp4: { extension: '.mp4', mime: { video: 'video/mp4', audio: 'audio/mp4' } },
  m4a: { extension: '.m4a', mime: { audio: 'audio/mp4' } },
  quicktime: { extension: '.mov', mime: { video: 'video/quicktime' } },
  ogg: { extension: '.ogg', mime: { video: 'video/ogg', audio: 'audio/ogg' } },
  wav: { extension: '.wav', mime: { audio: 'audio/wav' } },
  mp3: { extension: '.mp3', mime: { audio: 'audio/mpeg' } },
  avi: { extension: '.avi', mime: { video: 'video/x-msvideo' } },
  asf: { extension: '.wmv', mime: { video: 'video/x-ms-wmv' } },
};

/** How many leading bytes the sniffer wants (fewer only when the whole file is shorter). */
export const MEDIA_SNIFF_BYTES = 64;

export interface SniffedMedia {
  container: MediaContainer;
  /** From the content, for the storage key: '.webm', '.mp4', … */
  extension: string;
  /** The kinds of recording the container can hold: webm, mp4 and ogg hold video or audio-only recordings. */
  kinds: MediaKind[];
}

// ISO base media (ftyp) brands. Image brands (HEIF/AVIF) are ISO BMFF too and must not pass as video.
const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);
const QUICKTIME_BRANDS = new Set(['qt  ']);
const VIDEO_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'iso7',
  'iso8',
  'iso9',
  'mp41',
  'mp42',
  'mp71',
  'avc1',
  'dash',
  'M4V ',
  'M4VH',
  'M4VP',
  'MSNV',
  'mmp4',
  'f4v ',
  '3gp4',
  '3gp5',
  '3gp6',
  '3gp7',
  '3g2a',
  '3g2b',
  '3g2c',
]);
const IMAGE_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis', 'crx ']);
const ASF_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');

function result(container: MediaContainer): SniffedMedia {
  const info = CONTAINERS[container];
  return { container, extension: info.extension, kinds: Object.keys(info.mime) as MediaKind[] };
}

function ascii(head: Buffer, start: number, end: number): string {
  return head.length >= end ? head.toString('latin1', start, end) : '';
}

function brandContainer(brand: string): MediaContainer | null {
  if (AUDIO_BRANDS.has(brand)) return 'm4a';
  if (QUICKTIME_BRANDS.has(brand)) return 'quicktime';
  if (VIDEO_BRANDS.has(brand)) return 'mp4';
  return null;
}

function sniffIsoBmff(head: Buffer): SniffedMedia | null {
  const major = ascii(head, 8, 12);
  if (IMAGE_BRANDS.has(major)) return null;
  const byMajor = brandContainer(major);
  if (byMajor) return result(byMajor);
  // An unfamiliar major brand: decide by the compatible brands listed in the same ftyp box.
  const boxEnd = Math.min(head.readUInt32BE(0), head.length);
  for (let offset = 16; offset + 4 <= boxEnd; offset += 4) {
    const compatible = brandContainer(ascii(head, offset, offset + 4));
    if (compatible) return result(compatible);
  }
  return null;
}

/** The EBML DocType element (0x4282) says whether an EBML file is WebM or Matroska. */
function sniffEbml(head: Buffer): SniffedMedia | null {
  const at = head.indexOf(Buffer.from([0x42, 0x82]), 4);
  if (at < 0 || at + 3 > head.length) return result('webm');
  const sizeByte = head[at + 2];
  if ((sizeByte & 0x80) === 0) return null; // multi-byte sizes never occur for these short strings
  const docType = head.toString('latin1', at + 3, Math.min(head.length, at + 3 + (sizeByte & 0x7f)));
  if (docType === 'webm') return result('webm');
  if (docType === 'matroska') return result('matroska');
  return null;
}

/** An MPEG audio frame header: 11 sync bits, then a valid version, layer, bitrate and sample rate. */
function isMpegAudioFrame(head: Buffer): boolean {
  if (head.length < 4 || head[0] !== 0xff || (head[1] & 0xe0) !== 0xe0) return false;
  const version = (head[1] >> 3) & 0x03;
  const layer = (head[1] >> 1) & 0x03; // 0 is reserved (and is how AAC/ADTS headers look)
  const bitrate = head[2] >> 4;
  const sampleRate = (head[2] >> 2) & 0x03;
  return version !== 1 && layer !== 0 && bitrate !== 0x0f && sampleRate !== 0x03;
}

/**
 * Detects the container from the first bytes (pass at least MEDIA_SNIFF_BYTES when the file has them).
 * Everything that is not a known audio/video container — images, HTML, PDF, text, archives — gives null.
 */
export function sniffMediaType(head: Buffer): SniffedMedia | null {
  if (head.length < 4) return null;
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return sniffEbml(head);
  if (ascii(head, 4, 8) === 'ftyp') return sniffIsoBmff(head);
  if (ascii(head, 0, 4) === 'OggS') return result('ogg');
  if (ascii(head, 0, 4) === 'RIFF') {
    const form = ascii(head, 8, 12);
    if (form === 'WAVE') return result('wav');
    if (form === 'AVI ') return result('avi');
    return null;
  }
  if (head.length >= 16 && head.subarray(0, 16).equals(ASF_GUID)) return result('asf');
  if (ascii(head, 0, 3) === 'ID3') return result('mp3');
  if (isMpegAudioFrame(head)) return result('mp3');
  return null;
}

// The original accepted non-standard names; they keep working and are stored under the standard name.
const MIME_ALIASES: Record<string, string> = {
  'audio/mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/m4a': 'audio/mp4',
  'audio/x-m4a': 'audio/mp4',
  'video/mov': 'video/quicktime',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'video/avi': 'video/x-msvideo',
  'video/msvideo': 'video/x-msvideo',
  'video/wmv': 'video/x-ms-wmv',
  'video/x-ms-asf': 'video/x-ms-wmv',
  'video/mkv': 'video/x-matroska',
};

/** For each accepted declared type, the sniffed containers it may truthfully describe. */
const DECLARED_CONTAINERS: Record<string, MediaContainer[]> = {
  'video/webm': ['webm', 'matroska'],
  'audio/webm': ['webm', 'matroska'],
  'video/x-matroska': ['matroska', 'webm'],
  'audio/x-matroska': ['matroska', 'webm'],
  'video/mp4': ['mp4', 'quicktime'],
  'audio/mp4': ['m4a', 'mp4'],
  'video/quicktime': ['quicktime', 'mp4'],
  'video/ogg': ['ogg'],
  'audio/ogg': ['ogg'],
  'application/ogg': ['ogg'],
  'audio/wav': ['wav'],
  'audio/mpeg': ['mp3'],
  'video/x-msvideo': ['avi'],
  'video/x-ms-wmv': ['asf'],
};

/** No declaration worth checking: the content alone decides. */
const UNDECLARED = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/**
 * `video/webm;codecs=vp9,opus` → `video/webm`; `audio/mp3` → `audio/mpeg`. Null when nothing was declared
 * (absent, empty or application/octet-stream).
 */
export function normaliseDeclaredMime(declared: string | null | undefined): string | null {
  const essence = (declared ?? '').split(';')[0].trim().toLowerCase();
  if (UNDECLARED.has(essence)) return null;
  return MIME_ALIASES[essence] ?? essence;
}

export interface CheckedMedia {
  container: MediaContainer;
  /** The standard MIME type to store and to serve (derived from the content and file_type). */
  mime: string;
  extension: string;
}

/**
 * The content must be a container that can hold `fileType`, and a declared type (codec parameters allowed) must
 * be an accepted one that describes that container. Anything else is 415 UNSUPPORTED_MEDIA_TYPE.
 */
export function checkMediaType(
  fileType: MediaKind,
  declaredMime: string | null | undefined,
  sniffed: SniffedMedia | null,
): CheckedMedia {
  if (!sniffed) throw StorageErrors.unsupportedMediaType('The file content is not a supported video or audio format');
  const mime = CONTAINERS[sniffed.container].mime[fileType];
  if (!mime) {
    throw StorageErrors.unsupportedMediaType(`The file content (${sniffed.container}) is not a ${fileType} format`);
  }
  const declared = normaliseDeclaredMime(declaredMime);
  if (declared !== null) {
    const containers = DECLARED_CONTAINERS[declared];
    if (!containers)
      throw StorageErrors.unsupportedMediaType(`The declared type ${declared} is not an accepted media type`);
    if (!containers.includes(sniffed.container)) {
      throw StorageErrors.unsupportedMediaType(
        `The declared type ${declared} does not match the file content (${sniffed.container})`,
      );
    }
  }
  return { container: sniffed.container, mime, extension: sniffed.extension };
}

/** For the content check done before anything is stored: not media at all → 415. */
export function requireMedia(head: Buffer): SniffedMedia {
  const sniffed = sniffMediaType(head);
  if (!sniffed) throw StorageErrors.unsupportedMediaType('The file content is not a supported video or audio format');
  return sniffed;
}
