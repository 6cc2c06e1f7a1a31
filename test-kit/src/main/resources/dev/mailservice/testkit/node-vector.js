// Produces node-vector.json: a value encrypted the way PipesHub encrypts what it stores in
// etcd (AES-256-GCM, key = SHA-256 of SECRET_KEY, "hex(iv):hex(ciphertext):hex(tag)").
// Run with: node node-vector.js > node-vector.json
const crypto = require('crypto');

const secretKey = 'pipeshub-style-secret-key-for-tests';
const plaintext = JSON.stringify({
  host: 'smtp.example.com',
  port: 587,
  username: 'ops@example.com',
  password: 'N0de-encrypted-Pa55',
  fromEmail: 'noreply@example.com',
});

const key = crypto.createHash('sha256').update(secretKey, 'utf8').digest();
const iv = crypto.randomBytes(12);
const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
const tag = cipher.getAuthTag();

process.stdout.write(JSON.stringify({
  producedBy: `node ${process.version} crypto`,
  secretKey,
  plaintext,
  value: `${iv.toString('hex')}:${ciphertext.toString('hex')}:${tag.toString('hex')}`,
}, null, 2) + '\n');
