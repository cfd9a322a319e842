import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseChatJid } from '../../server/contract/chat-id.ts';
import { phoneOfJid } from '../../server/whatsapp/jid.ts';

test('phone numbers in any common writing become a person JID', () => {
  for (const input of ['+62 812-3456-7890', '6281234567890', ' +62 (812) 3456.7890 ', '0062 812 3456 7890']) {
    assert.equal(normaliseChatJid(input), '6281234567890@s.whatsapp.net', input);
  }
});

test('full JIDs are kept, device suffixes dropped, c.us mapped, server case ignored', () => {
  assert.equal(normaliseChatJid('6281234567890@s.whatsapp.net'), '6281234567890@s.whatsapp.net');
  assert.equal(normaliseChatJid('6281234567890:7@S.WhatsApp.net'), '6281234567890@s.whatsapp.net');
  assert.equal(normaliseChatJid('6281234567890@c.us'), '6281234567890@s.whatsapp.net');
  assert.equal(normaliseChatJid('120363025246125486@g.us'), '120363025246125486@g.us');
  assert.equal(normaliseChatJid('6281234567890-1612345678@g.us'), '6281234567890-1612345678@g.us');
  assert.equal(normaliseChatJid('100000000000002@lid'), '100000000000002@lid');
});

test('malformed chats are refused, not guessed', () => {
  for (const input of [
    '',
    '   ',
    '0812-3456-7890', // national format: no country code
    '12345', // too short
    '1234567890123456', // over E.164's 15 digits
    '62812abc7890',
    '62+8123456789',
    '++6281234567890',
    'hello@s.whatsapp.net',
    '+6281234567890@s.whatsapp.net',
    '6281234567890@example.com',
    '6281234567890@',
    '@s.whatsapp.net',
    'abc@g.us',
    'abc@lid',
    '6281234567890@s.whatsapp.net@g.us',
  ]) {
    assert.equal(normaliseChatJid(input), null, JSON.stringify(input));
  }
});

test('phoneOfJid gives the number of a person and nothing for groups or LIDs', () => {
  assert.equal(phoneOfJid('6281234567890@s.whatsapp.net'), '6281234567890');
  assert.equal(phoneOfJid('120363025246125486@g.us'), null);
  assert.equal(phoneOfJid('100000000000002@lid'), null);
});
