'use strict';
/*
 * Node.js peer for the mail benchmark. One Express 4 server that serves
 * PipesHub's mail routes the way PipesHub's Node backend runs them:
 *
 *   POST /api/v1/mail/emails/sendEmail   smtp config check -> scoped token (mail:send)
 *                                        -> Handlebars render (compiled per request)
 *                                        -> nodemailer (new transport per message, or a pool)
 *   POST /api/v1/mail/updateSmtpConfig   scoped token (fetch:config) -> loadAppConfig()
 *                                        against etcd (same key reads/writes, same order)
 *
 * Configured only through environment variables; see README.md.
 */

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const express = require('express');
const jwt = require('jsonwebtoken');
const Handlebars = require('handlebars');
const nodemailer = require('nodemailer');

// ---------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------

function fail(message) {
  process.stderr.write(`pipeshub-peer: ${message}\n`);
  process.exit(2);
}

function envInt(name, def, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    if (def === undefined) fail(`${name} is required`);
    return def;
  }
  if (!/^\d+$/.test(raw.trim())) fail(`${name} must be an integer, got "${raw}"`);
  const n = parseInt(raw, 10);
  if (n < min || n > max) fail(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function envBool(name) {
  const raw = (process.env[name] || '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0' || raw === 'no') return false;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  return fail(`${name} must be true or false, got "${process.env[name]}"`);
}

function envStr(name, required) {
  const v = process.env[name];
  if ((v === undefined || v === '') && required) fail(`${name} is required`);
  return v === undefined || v === '' ? undefined : v;
}

const settings = (() => {
  const s = {
    port: envInt('PORT', undefined, 1, 65535),
    scopedJwtSecret: envStr('SCOPED_JWT_SECRET', true),
    smtpHost: envStr('SMTP_HOST', true),
    smtpPort: envInt('SMTP_PORT', 587, 1, 65535),
    smtpUsername: envStr('SMTP_USERNAME', false),
    smtpPassword: envStr('SMTP_PASSWORD', false),
    smtpFrom: envStr('SMTP_FROM', true),
    smtpCaFile: envStr('SMTP_CA_FILE', false),
    smtpPool: envBool('SMTP_POOL'),
    smtpPoolSize: envInt('SMTP_POOL_SIZE', 16, 1, 10000),
    smtpPoolMaxMessages: undefined,
    etcdEndpoints: undefined,
    secretKey: envStr('SECRET_KEY', false),
    seedEtcd: envBool('SEED_ETCD'),
    kvTrace: envBool('KV_TRACE'),
  };
  const mm = envStr('SMTP_POOL_MAX_MESSAGES', false);
  if (mm !== undefined) {
    if (mm.toLowerCase() === 'infinity') s.smtpPoolMaxMessages = Infinity;
    else s.smtpPoolMaxMessages = envInt('SMTP_POOL_MAX_MESSAGES', undefined, 1, 1e9);
  }
  if (s.smtpPassword && !s.smtpUsername) fail('SMTP_PASSWORD is set but SMTP_USERNAME is not');
  if (s.smtpCaFile) {
    try {
      s.smtpCa = fs.readFileSync(s.smtpCaFile, 'utf8');
    } catch (e) {
      fail(`SMTP_CA_FILE "${s.smtpCaFile}" cannot be read: ${e.code || e.message}`);
    }
    if (!s.smtpCa.includes('-----BEGIN CERTIFICATE-----')) {
      fail(`SMTP_CA_FILE "${s.smtpCaFile}" holds no PEM certificate`);
    }
  }
  const endpoints = envStr('ETCD_ENDPOINTS', false);
  if (endpoints) {
    s.etcdEndpoints = endpoints.split(',').map((e) => e.trim()).filter(Boolean);
    for (const e of s.etcdEndpoints) {
      if (!/^https?:\/\/[^/\s]+(:\d+)?\/?$/.test(e)) {
        fail(`ETCD_ENDPOINTS entry "${e}" is not of the form http://host:port`);
      }
    }
    if (s.etcdEndpoints.length === 0) fail('ETCD_ENDPOINTS holds no endpoint');
    if (!s.secretKey) fail('SECRET_KEY is required when ETCD_ENDPOINTS is set');
  } else if (s.seedEtcd) {
    fail('SEED_ETCD=true needs ETCD_ENDPOINTS');
  }
  return s;
})();

// ---------------------------------------------------------------------------
// Errors, shaped like PipesHub's BaseError/HttpError + ErrorMiddleware output
// ---------------------------------------------------------------------------

class HttpError extends Error {
  constructor(code, message, statusCode) {
    super(message);
    this.code = `HTTP_${code}`;
    this.statusCode = statusCode;
  }
}
const badRequest = (m) => new HttpError('BAD_REQUEST', m, 400);
const unauthorized = (m) => new HttpError('UNAUTHORIZED', m, 401);
const notFound = (m) => new HttpError('NOT_FOUND', m, 404);
const internal = (m) => new HttpError('INTERNAL_SERVER_ERROR', m, 500);

function errorHandler(err, _req, res, _next) {
  if (res.headersSent) return;
  if (err instanceof HttpError) {
    res.status(err.statusCode).json({ error: { code: err.code, message: err.message } });
    return;
  }
  // express.json parse errors carry a status (400/413); PipesHub's handler
  // treats every non-BaseError as 500 INTERNAL_ERROR.
  process.stderr.write(`pipeshub-peer: unhandled error: ${err && err.message}\n`);
  res.status(500).json({
    error: {
      code: 'INTERNAL_ERROR',
      message: process.env.NODE_ENV === 'production' ? 'An unexpected error occurred' : String(err && err.message),
    },
  });
}

// ---------------------------------------------------------------------------
// Scoped-token check (AuthMiddleware.scopedTokenValidator + AuthTokenService.verifyScopedToken)
// ---------------------------------------------------------------------------

const SCOPE_SEND_MAIL = 'mail:send';
const SCOPE_FETCH_CONFIG = 'fetch:config';
const PAT_PREFIX = 'phpat_';

// PipesHub turns the secret into a KeyObject once and allows only HMAC algorithms.
const scopedKey = crypto.createSecretKey(Buffer.from(settings.scopedJwtSecret));
const scopedAlgorithms = ['HS256', 'HS384', 'HS512'];

function extractToken(req) {
  const header = req.headers.authorization;
  if (!header) return null;
  const [bearer, token] = header.split(' ');
  if (bearer !== 'Bearer' || !token) return null;
  if (!token.startsWith(PAT_PREFIX)) return token;
  const bare = token.slice(PAT_PREFIX.length);
  req.headers.authorization = `Bearer ${bare}`;
  return bare;
}

function scopedTokenValidator(scope) {
  return async (req, _res, next) => {
    try {
      const token = extractToken(req);
      if (!token) throw unauthorized('No token provided');
      let decoded;
      try {
        decoded = jwt.verify(token, scopedKey, { algorithms: scopedAlgorithms });
      } catch (_e) {
        throw unauthorized('Invalid token');
      }
      const { scopes } = decoded;
      if (!scopes || !scopes.includes(scope)) throw unauthorized('Invalid scope');
      req.tokenPayload = decoded;
      next();
    } catch (e) {
      next(e);
    }
  };
}

// ---------------------------------------------------------------------------
// Templates (emailTemplates.ts: partials registered once, layout compiled per send)
// ---------------------------------------------------------------------------

const viewsDir = path.join(__dirname, 'views');
const readView = (p) => fs.readFileSync(path.join(viewsDir, p), 'utf8');
const otpLayout = readView('loginWithOTP.hbs');
Handlebars.registerPartial('head', readView('partials/head.hbs'));
Handlebars.registerPartial('header', readView('partials/header.hbs'));
Handlebars.registerPartial('footer', readView('partials/footer.hbs'));

// Shared attribute strings merged into every template's data, as styling.ts does.
function withStyling(templateData) {
  return {
    ...templateData,
    outerTableAttrs:
      'role="presentation" style="border: 0; border-spacing: 0; font-size: 13px; color: #2d2f33; border-collapse: collapse; margin: 0 auto; width: 100%; background-color: #ffffff;" border="0" width="100%" cellspacing="0" cellpadding="0" align="center"',
    innerTableAttrs:
      'role="presentation" style="border: 0; border-spacing: 0; font-size: 13px; color: #2d2f33; border-collapse: collapse; margin: 0 auto; width: 560px; max-width: 560px; background-color: #ffffff;" cellspacing="0" cellpadding="0" align="center"',
    paragraphAttrs: 'style="text-align: center; margin: 0 0 12px 0;"',
    buttonAttrs:
      'style="border: none; color: #ffffff; padding: 14px 30px; text-align: center; display: inline-block; font-size: 15px; background-color: #3b5b7d; font-weight: bold; border-radius: 5px;"',
    cellAttrs: 'style="width: 50%; padding: 10px; text-align: left;"',
    gridAttrs: 'border="1" style="border-collapse: collapse; border-color: #c9ccd1; width: 100%;" cellspacing="0" cellpadding="0"',
  };
}

function render(template, templateData) {
  if (!templateData) throw new Error(`Invalid templateData ${JSON.stringify(templateData)}`);
  return Handlebars.compile(template)(withStyling(templateData));
}

function getEmailContent(emailTemplateType, templateData) {
  switch (emailTemplateType) {
    case 'loginWithOTP':
      return render(otpLayout, templateData);
    default:
      throw 'Unknown Template'; // eslint-disable-line no-throw-literal -- same as PipesHub
  }
}

// ---------------------------------------------------------------------------
// SMTP (MailController.emailSender)
// ---------------------------------------------------------------------------

const smtpConfig = {
  host: settings.smtpHost,
  port: settings.smtpPort,
  username: settings.smtpUsername,
  password: settings.smtpPassword,
  fromEmail: settings.smtpFrom,
};

function transportOptions() {
  const o = {
    host: smtpConfig.host,
    port: smtpConfig.port || 587,
    secure: false,
  };
  if (smtpConfig.username) {
    o.auth = smtpConfig.password
      ? { user: smtpConfig.username, pass: smtpConfig.password }
      : { user: smtpConfig.username };
  }
  if (settings.smtpCa) {
    o.requireTLS = true;
    o.tls = { ca: settings.smtpCa };
  }
  return o;
}

let sharedTransport = null;
if (settings.smtpPool) {
  const o = transportOptions();
  o.pool = true;
  o.maxConnections = settings.smtpPoolSize;
  if (settings.smtpPoolMaxMessages !== undefined) o.maxMessages = settings.smtpPoolMaxMessages;
  sharedTransport = nodemailer.createTransport(o);
}

async function emailSender(body) {
  try {
    const attachments = body.attachments || [];
    const html = getEmailContent(body.emailTemplateType, body.templateData);
    const transporter = sharedTransport || nodemailer.createTransport(transportOptions());
    await transporter.sendMail({
      from: smtpConfig.fromEmail,
      to: body.sendEmailTo,
      cc: body.sendCcTo,
      subject: body.subject,
      html,
      attachments,
    });
    return { status: true, data: 'Email sent' };
  } catch (error) {
    process.stderr.write(`pipeshub-peer: mail send error: ${error instanceof Error ? error.message : error}\n`);
    return {
      status: false,
      data: error instanceof Error ? error.message : typeof error === 'string' ? error : 'Failed to send email',
    };
  }
}

function smtpConfigChecker(_req, _res, next) {
  if (!smtpConfig || !smtpConfig.port || !smtpConfig.host || !smtpConfig.fromEmail) {
    next(badRequest('Smtp not configured properly'));
    return;
  }
  next();
}

async function sendMail(req, res, next) {
  try {
    if (!smtpConfig) throw notFound('Smtp Configuration not set');
    const result = await emailSender(req.body || {});
    if (!result.status) throw internal(result.data || 'Error sending mail');
    res.status(200).json({ data: result });
  } catch (e) {
    next(e);
  }
}

// ---------------------------------------------------------------------------
// Encryption (libs/encryptor/encryptor.ts): AES-256-GCM, key = SHA-256(SECRET_KEY),
// value "hex(iv):hex(ciphertext):hex(tag)", 12-byte IV
// ---------------------------------------------------------------------------

const aesKey = settings.secretKey ? crypto.createHash('sha256').update(settings.secretKey).digest() : null;

function encrypt(text) {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', aesKey, iv);
  const ct = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return `${iv.toString('hex')}:${ct.toString('hex')}:${cipher.getAuthTag().toString('hex')}`;
}

function decrypt(value) {
  if (value === null || value === undefined) throw new Error('Decryption failed: no value');
  const parts = value.split(':');
  if (parts.length !== 3) throw new Error('Invalid encrypted text format; expected iv:ciphertext:authTag');
  const decipher = crypto.createDecipheriv('aes-256-gcm', aesKey, Buffer.from(parts[0], 'hex'));
  decipher.setAuthTag(Buffer.from(parts[2], 'hex'));
  return Buffer.concat([decipher.update(Buffer.from(parts[1], 'hex')), decipher.final()]).toString('utf8');
}

// ---------------------------------------------------------------------------
// Key-value store (KeyValueStoreService over Etcd3DistributedKeyValueStore)
// ---------------------------------------------------------------------------

const PATHS = {
  secretKeys: '/services/secretKeys',
  endpoint: '/services/endpoints',
  storageService: '/services/storage',
  smtp: '/services/smtp',
  kafka: '/services/kafka',
  redis: '/services/redis',
  mongodb: '/services/mongodb',
  arangodb: '/services/arangodb',
  qdrant: '/services/qdrant',
  deployment: '/services/deployment',
};

let etcd = null;
const kvCounter = { gets: 0, puts: 0 };

function trace(op, key) {
  if (settings.kvTrace) process.stderr.write(`kv ${op} ${key}\n`);
}

async function kvGet(key) {
  kvCounter.gets++;
  trace('get', key);
  const buf = await etcd.get(key).buffer();
  return buf ? buf.toString() : null;
}

async function kvPut(key, value) {
  kvCounter.puts++;
  trace('put', key);
  await etcd.put(key).value(Buffer.from(value));
}

// set(): createKey (get, fail if present) then updateValue (get, put)
async function kvSet(key, value) {
  if ((await kvGet(key)) === null) {
    await kvPut(key, value);
    return;
  }
  if ((await kvGet(key)) === null) throw new Error(`Key "${key}" does not exist.`);
  await kvPut(key, value);
}

// ---------------------------------------------------------------------------
// loadAppConfig (tokens_manager/config/config.ts + services/cm.service.ts)
// ---------------------------------------------------------------------------

const FALLBACK_PORT = process.env.PORT ?? 3000;
const normalizeUrl = (u) => {
  if (!u || typeof u !== 'string') return '';
  const t = String(u).trim();
  return t.endsWith('/') ? t.slice(0, -1) : t;
};

// Values PipesHub would build from its own environment; fixed plausible ones here.
const BACKING = {
  redis: { host: 'redis', port: 6379, tls: false, db: 0 },
  mongo: { uri: 'mongodb://admin:mongo-pass@mongodb:27017/?authSource=admin', db: 'es' },
  qdrant: { apiKey: 'qdrant-api-key', host: 'qdrant', port: 6333, grpcPort: 6334 },
  arango: { url: 'http://arango:8529', db: 'es', username: 'root', password: 'arango-pass' },
  kafka: { brokers: ['kafka-1:9092'], ssl: false },
};

async function readSecretKeys() {
  const enc = await kvGet(PATHS.secretKeys);
  let parsed = {};
  if (enc) parsed = JSON.parse(decrypt(enc));
  return parsed;
}

async function secretKeyField(field) {
  const parsed = await readSecretKeys();
  if (!parsed || !parsed[field]) {
    parsed[field] = crypto.randomBytes(15).toString('base64url');
    await kvSet(PATHS.secretKeys, encrypt(JSON.stringify(parsed)));
  }
  return parsed[field];
}

// get endpoints JSON, update one section, write it back, return the value
async function endpointField(section, pick) {
  const parsed = JSON.parse((await kvGet(PATHS.endpoint)) || '{}');
  const value = pick(parsed[section] || {});
  parsed[section] = { ...parsed[section], ...value.merge };
  await kvSet(PATHS.endpoint, JSON.stringify(parsed));
  return value.result;
}

const localDefault = () => `http://localhost:${FALLBACK_PORT}`;
const simpleEndpoint = (section) =>
  endpointField(section, (cur) => {
    const endpoint = normalizeUrl(cur.endpoint) || localDefault();
    return { merge: { endpoint }, result: endpoint };
  });

const frontendUrl = () =>
  endpointField('frontend', (cur) => {
    const publicEndpoint =
      normalizeUrl(process.env.FRONTEND_PUBLIC_URL) || normalizeUrl(cur.publicEndpoint) || localDefault();
    return { merge: { publicEndpoint }, result: publicEndpoint };
  });

async function connectorUrl() {
  return endpointField('connectors', (cur) => {
    const endpoint = normalizeUrl(process.env.CONNECTOR_BACKEND) || normalizeUrl(cur.endpoint);
    const publicEndpoint = normalizeUrl(process.env.CONNECTOR_PUBLIC_BACKEND) || normalizeUrl(cur.publicEndpoint);
    return { merge: { endpoint, publicEndpoint }, result: endpoint };
  });
}

async function connectorPublicUrl() {
  const parsed = JSON.parse((await kvGet(PATHS.endpoint)) || '{}');
  return normalizeUrl(parsed.connectors.publicEndpoint) || normalizeUrl(process.env.CONNECTOR_PUBLIC_BACKEND);
}

const indexingUrl = () =>
  endpointField('indexing', (cur) => {
    const endpoint = normalizeUrl(process.env.INDEXING_BACKEND) || normalizeUrl(cur.endpoint);
    return { merge: { endpoint }, result: endpoint };
  });

const aiBackendUrl = () =>
  endpointField('queryBackend', (cur) => {
    const endpoint = normalizeUrl(process.env.QUERY_BACKEND) || normalizeUrl(cur.endpoint) || 'http://localhost:8000';
    return { merge: { endpoint }, result: endpoint };
  });

// getEncryptedConfig(): read + decrypt; on absence save the fallback
async function encryptedConfig(key, fallback) {
  try {
    const enc = await kvGet(key);
    if (enc) return JSON.parse(decrypt(enc));
    await kvSet(key, encrypt(JSON.stringify(fallback)));
    return fallback;
  } catch (_e) {
    return fallback;
  }
}

// getRedis/Mongo/Qdrant/ArangoConfig(): save the env-built value, then read it back
async function savedThenRead(key, value) {
  await kvSet(key, encrypt(JSON.stringify(value)));
  return encryptedConfig(key, value);
}

async function smtpFromStore() {
  const enc = await kvGet(PATHS.smtp);
  if (enc) return JSON.parse(decrypt(enc));
  return null;
}

async function storageConfig() {
  const endpoint = await simpleEndpoint('storage');
  const parsed = JSON.parse((await kvGet(PATHS.storageService)) || '{}');
  let storageType = parsed.storageType;
  if (!storageType) {
    storageType = 'local';
    await kvSet(PATHS.storageService, JSON.stringify({ storageType }));
  }
  return { storageType, endpoint };
}

async function oauthIssuer() {
  const explicit = normalizeUrl(process.env.OAUTH_ISSUER);
  if (explicit) return explicit;
  const fe = await frontendUrl();
  if (fe.includes('localhost')) return localDefault();
  return fe;
}

async function initializeOAuthIssuer() {
  const parsed = JSON.parse((await kvGet(PATHS.endpoint)) || '{}');
  parsed.oauthProvider = { ...parsed.oauthProvider, issuer: await oauthIssuer() };
  await kvSet(PATHS.endpoint, JSON.stringify(parsed));
}

async function deploymentConfig() {
  let config = {};
  try {
    const raw = await kvGet(PATHS.deployment);
    if (raw) {
      let parsed = JSON.parse(raw);
      if (typeof parsed === 'string') parsed = JSON.parse(parsed);
      if (typeof parsed === 'object' && parsed !== null) config = parsed;
    }
  } catch (_e) {
    config = {};
  }
  config.messageBrokerType = (process.env.MESSAGE_BROKER || 'redis').toLowerCase();
  config.kvStoreType = (process.env.KV_STORE_TYPE || 'etcd').toLowerCase();
  await kvSet(PATHS.deployment, JSON.stringify(config));
  return config;
}

// Same fields, same order (each awaited in turn) as PipesHub's loadAppConfig.
async function loadAppConfig() {
  return {
    jwtSecret: await secretKeyField('jwtSecret'),
    scopedJwtSecret: await secretKeyField('scopedJwtSecret'),
    cookieSecret: await secretKeyField('cookieSecret'),
    rsAvailable: process.env.REPLICA_SET_AVAILABLE === 'true' ? 'true' : 'false',
    frontendUrl: await frontendUrl(),
    communicationBackend: await simpleEndpoint('communication'),
    kbBackend: await simpleEndpoint('kb'),
    esBackend: await simpleEndpoint('es'),
    iamBackend: await simpleEndpoint('iam'),
    authBackend: await simpleEndpoint('auth'),
    cmBackend: await simpleEndpoint('cm'),
    connectorBackend: await connectorUrl(),
    connectorPublicUrl: await connectorPublicUrl(),
    indexingBackend: await indexingUrl(),
    aiBackend: await aiBackendUrl(),
    storageBackend: await simpleEndpoint('storage'),
    tokenBackend: await simpleEndpoint('tokenBackend'),
    kafka: await encryptedConfig(PATHS.kafka, BACKING.kafka),
    redis: await savedThenRead(PATHS.redis, BACKING.redis),
    arango: await savedThenRead(PATHS.arangodb, BACKING.arango),
    qdrant: await savedThenRead(PATHS.qdrant, BACKING.qdrant),
    mongo: await savedThenRead(PATHS.mongodb, BACKING.mongo),
    smtp: await smtpFromStore(),
    etcd: {
      host: process.env.ETCD_HOST,
      port: parseInt(process.env.ETCD_PORT, 10),
      dialTimeout: parseInt(process.env.ETCD_DIAL_TIMEOUT, 10),
    },
    storage: await storageConfig(),
    oauthIssuer: (await initializeOAuthIssuer(), await oauthIssuer()),
    oauthBackendUrl: await simpleEndpoint('auth'),
    mcpScopes: (process.env.MCP_SCOPES || 'openid,profile,email').split(',').map((x) => x.trim()).filter(Boolean),
    samlIssuer: process.env.SAML_SP_ENTITY_ID || process.env.FRONTEND_PUBLIC_URL || 'pipeshub',
    skipDomainCheck: process.env.SKIP_DOMAIN_CHECK === 'true',
    maxRequestsPerMinute: 1000,
    maxOAuthClientRequestsPerMinute: 1000,
    deployment: await deploymentConfig(),
  };
}

async function seedEtcd() {
  const base = `http://localhost:${FALLBACK_PORT}`;
  const endpoints = {
    frontend: { publicEndpoint: 'http://localhost:3001' },
    communication: { endpoint: base },
    kb: { endpoint: base },
    es: { endpoint: base },
    iam: { endpoint: base },
    auth: { endpoint: base },
    cm: { endpoint: base },
    connectors: { endpoint: 'http://localhost:8088', publicEndpoint: 'http://localhost:8088' },
    indexing: { endpoint: 'http://localhost:8091' },
    queryBackend: { endpoint: 'http://localhost:8000' },
    storage: { endpoint: base },
    tokenBackend: { endpoint: base },
    oauthProvider: { issuer: base },
  };
  const secretKeys = {
    jwtSecret: crypto.randomBytes(15).toString('base64url'),
    scopedJwtSecret: settings.scopedJwtSecret,
    cookieSecret: crypto.randomBytes(15).toString('base64url'),
  };
  const writes = [
    [PATHS.secretKeys, encrypt(JSON.stringify(secretKeys))],
    [PATHS.endpoint, JSON.stringify(endpoints)],
    [PATHS.kafka, encrypt(JSON.stringify(BACKING.kafka))],
    [PATHS.redis, encrypt(JSON.stringify(BACKING.redis))],
    [PATHS.arangodb, encrypt(JSON.stringify(BACKING.arango))],
    [PATHS.qdrant, encrypt(JSON.stringify(BACKING.qdrant))],
    [PATHS.mongodb, encrypt(JSON.stringify(BACKING.mongo))],
    [PATHS.storageService, JSON.stringify({ storageType: 'local' })],
    [PATHS.deployment, JSON.stringify({ dataStoreType: 'arangodb', messageBrokerType: 'redis', kvStoreType: 'etcd', vectorDbType: 'qdrant' })],
  ];
  for (const [k, v] of writes) await etcd.put(k).value(Buffer.from(v));
  process.stderr.write(`pipeshub-peer: seeded ${writes.length} configuration keys in etcd (not ${PATHS.smtp})\n`);
}

// ---------------------------------------------------------------------------
// App
// ---------------------------------------------------------------------------

async function main() {
  if (settings.etcdEndpoints) {
    const { Etcd3 } = require('etcd3');
    etcd = new Etcd3({ hosts: settings.etcdEndpoints, dialTimeout: 2000 });
    try {
      await etcd.maintenance.status();
    } catch (e) {
      fail(`etcd at ${settings.etcdEndpoints.join(',')} is not reachable: ${e.message}`);
    }
    if (settings.seedEtcd) {
      try {
        await seedEtcd();
      } catch (e) {
        fail(`seeding etcd failed: ${e.message}`);
      }
    }
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '10mb' }));

  const mail = express.Router();
  mail.post('/emails/sendEmail', smtpConfigChecker, scopedTokenValidator(SCOPE_SEND_MAIL), (req, res, next) =>
    sendMail(req, res, next).catch(next),
  );
  if (etcd) {
    mail.post('/updateSmtpConfig', scopedTokenValidator(SCOPE_FETCH_CONFIG), async (_req, res, next) => {
      try {
        const updated = await loadAppConfig();
        res.status(200).json({ message: 'SMTP configuration updated successfully', smtp: updated.smtp });
      } catch (e) {
        next(e);
      }
    });
  }
  app.use('/api/v1/mail', mail);
  app.use(errorHandler);

  const server = app.listen(settings.port, () => {
    process.stdout.write(`listening on ${settings.port}\n`);
  });
  server.on('error', (e) => fail(`cannot listen on port ${settings.port}: ${e.code || e.message}`));

  const shutdown = () => {
    server.close();
    if (sharedTransport) sharedTransport.close();
    if (etcd) etcd.close();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((e) => fail(e.message));
