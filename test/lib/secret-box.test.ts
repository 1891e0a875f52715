import t from 'tap';
import { secretBox } from '../../src/lib/secret-box.ts';

const KEY = 'a key held outside the database, long enough';

t.test('a sealed value opens only with its key, purpose and row, and unaltered', async (t) => {
  const box = secretBox(KEY, 'totp');
  const sealed = box.seal('JBSWY3DPEHPK3PXP', 'row-1');
  t.notMatch(sealed, /JBSWY3DPEHPK3PXP/, 'not in the clear');
  t.not(box.seal('JBSWY3DPEHPK3PXP', 'row-1'), sealed, 'a fresh nonce every time');
  t.equal(box.open(sealed, 'row-1'), 'JBSWY3DPEHPK3PXP');
  t.throws(() => box.open(sealed, 'row-2'), 'copied onto another row');
  t.throws(() => secretBox('another key, just as long as the first one', 'totp').open(sealed, 'row-1'), 'another key');
  t.throws(() => secretBox(KEY, 'something else').open(sealed, 'row-1'), 'the same key for another purpose');
  const [version, iv, tag, data] = sealed.split('.');
  const flipped = Buffer.from(data!, 'base64url');
  flipped[0]! ^= 1;
  t.throws(() => box.open([version, iv, tag, flipped.toString('base64url')].join('.'), 'row-1'), 'altered');
  t.throws(() => box.open('JBSWY3DPEHPK3PXP', 'row-1'), 'a value stored in the clear is not taken as sealed');
});
