/** Leading bytes of real media files (and of things that must not pass as media), for sniffing tests. */
function pad(head: Buffer, length = 96): Buffer {
  return Buffer.concat([head, Buffer.alloc(Math.max(0, length - head.length), 0x11)]);
}

const hex = (value: string): Buffer => Buffer.from(value.replace(/\s+/g, ''), 'hex');

function ebml(docType: string): Buffer {
  const doc = Buffer.from(docType, 'latin1');
  const body = Buffer.concat([
    hex('4286 81 01 42F7 81 01 42F2 81 04 42F3 81 08'),
    hex('4282'),
    Buffer.from([0x80 | doc.length]),
    doc,
    hex('4287 81 04 4285 81 02'),
  ]);
  return pad(
    Buffer.concat([hex('1A45DFA3'), Buffer.from([0x80 | body.length]), body, hex('18538067 01FFFFFFFFFFFFFF')]),
  );
}

function ftyp(major: string, compatible: string[]): Buffer {
  const size = 16 + compatible.length * 4;
  const box = Buffer.alloc(size);
  box.writeUInt32BE(size, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(major, 8, 'latin1');
  compatible.forEach((brand, index) => box.write(brand, 16 + index * 4, 'latin1'));
  return pad(Buffer.concat([box, hex('00000008 66726565')]));
}

function riff(form: string): Buffer {
  return pad(Buffer.concat([Buffer.from('RIFF', 'latin1'), hex('24080000'), Buffer.from(`${form}fmt `, 'latin1')]));
}

export const MEDIA_HEADS = {
  webm: ebml('webm'),
  matroska: ebml('matroska'),
  mp4: ftyp('isom', ['isom', 'iso2', 'avc1', 'mp41']),
  mp4Safari: ftyp('iso5', ['iso5', 'mp41']),
  mp4UnknownMajor: ftyp('zzzz', ['zzzz', 'isom']),
  m4a: ftyp('M4A ', ['M4A ', 'mp42', 'isom']),
  quicktime: ftyp('qt  ', ['qt  ']),
  ogg: pad(Buffer.concat([Buffer.from('OggS', 'latin1'), hex('0002 0000000000000000')])),
  wav: riff('WAVE'),
  avi: riff('AVI '),
  mp3Id3: pad(Buffer.concat([Buffer.from('ID3', 'latin1'), hex('0400 00000000 0F')])),
  mp3Frame: pad(hex('FFFB9064 0000')),
  asf: pad(hex('3026B2758E66CF11A6D900AA0062CE6C')),
};

export const NON_MEDIA_HEADS = {
  png: pad(hex('89504E470D0A1A0A 0000000D49484452')),
  jpeg: pad(hex('FFD8FFE000104A464946')),
  gif: pad(Buffer.from('GIF89a', 'latin1')),
  html: pad(Buffer.from('<!DOCTYPE html><html><head><script>alert(1)</script></head></html>')),
  pdf: pad(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj')),
  text: pad(Buffer.from('just some plain text that someone renamed to answer.webm')),
  zip: pad(hex('504B0304140000000800')),
  heic: ftyp('heic', ['mif1', 'heic']),
  avif: ftyp('avif', ['avif', 'mif1', 'miaf']),
  aacAdts: pad(hex('FFF15080 1FFFFC')),
  riffWebp: riff('WEBP'),
  ebmlUnknownDocType: ebml('foobar'),
  empty: Buffer.alloc(0),
  tiny: Buffer.from('ab'),
};

/** A playable-looking stream: the media head followed by filler, of exactly `size` bytes. */
export function mediaBytes(head: Buffer, size: number): Buffer {
  const out = Buffer.alloc(size, 0x5a);
  head.copy(out, 0, 0, Math.min(head.length, size));
  return out;
}
