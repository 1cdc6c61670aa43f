import { parseEnv } from '../../src/services/form-fields';
import { restoreKeptEnv, secretEnvValues, withholdSecrets } from '../../src/services/form-secrets';
import { SecretRedactor, looksLikeCredential } from '../../src/secrets';

describe('what counts as a secret', () => {
  test('plain settings are not credentials; tokens, random strings and URLs with a password are', () => {
    for (const plain of ['true', 'false', 'null', '8000', 'prod', 'section', 'C_GENERAL', '/usr/bin/python3', '/models/llama-3-8b-instruct',
      'https://example.com/v1/models', 'prod-eu-west-1-cluster', 'meta-llama/Llama-3.1-8B', 'a sentence with 3 words']) {
      expect({ plain, secret: looksLikeCredential(plain) }).toEqual({ plain, secret: false });
    }
    for (const secret of ['hf_AbCdEfGhIjKlMnOpQrStUv', 'ghp_0123456789abcdefABCDEF0123456789', 'sk-proj-4fG7hJ2kL9mN3pQ8', 'xoxb-1234-5678-abcdEFGH',
      '3f9a1c0e7b2d4f6a8c1e3b5d7f9a2c4e', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'postgres://app:s3cr3t@db.internal:5432/app']) {
      expect({ secret, looks: looksLikeCredential(secret) }).toEqual({ secret, looks: true });
    }
  });

  test('NAME=!value marks a value secret; the mark is not part of the value; !! keeps a literal !', () => {
    const r = parseEnv('MODE=prod\nDB_URL=!postgres\nBANG=!!x\nEMPTY=!');
    expect(r).toEqual({
      ok: true,
      env: [{ name: 'MODE', value: 'prod' }, { name: 'DB_URL', value: 'postgres' }, { name: 'BANG', value: '!x' }, { name: 'EMPTY', value: '' }],
      marked: ['DB_URL', 'BANG', 'EMPTY'],
    });
    expect(secretEnvValues('MODE=prod\nDEBUG=true\nDB_URL=!postgres\nHF_TOKEN=short\nX=hf_AbCdEfGhIjKlMnOpQrStUv')).toEqual(['postgres', 'short', 'hf_AbCdEfGhIjKlMnOpQrStUv']);
  });
});

describe('a credential-like name with an on/off value', () => {
  test('TOKENIZERS_PARALLELISM=false or REQUIRE_AUTH=true is a switch, not a secret: "false"/"true" are never masked for everyone', () => {
    expect(secretEnvValues('TOKENIZERS_PARALLELISM=false\nREQUIRE_AUTH=true\nAUTH_MODE=none\nHF_TOKEN=short\nDB_PASSWORD=1234')).toEqual(['short', '1234']);
    // marked explicitly, it is the user's call
    expect(secretEnvValues('FLAG=!true')).toEqual(['true']);
  });
});

describe('a re-rendered form keeps its secrets server-side', () => {
  test('secret lines come back as NAME=! and the values are kept; plain lines come back as typed', () => {
    const r = withholdSecrets({ env: 'MODE=prod\nHF_TOKEN=hf_live_value_123\nDB=!pa55word', sshKey: 'ssh-ed25519 AAAA me', registryPassword: 'reg-pw' }, undefined);
    expect(r.env).toBe('MODE=prod\nHF_TOKEN=!\nDB=!');
    expect(r.kept).toEqual({ env: { HF_TOKEN: 'hf_live_value_123', DB: 'pa55word' }, sshKey: 'ssh-ed25519 AAAA me', registryPassword: 'reg-pw' });
    // rendered again unchanged: the kept values still hold
    const twice = withholdSecrets({ env: r.env }, r.kept);
    expect(twice).toEqual({ env: 'MODE=prod\nHF_TOKEN=!\nDB=!', kept: r.kept });
  });

  test('a submitted NAME=! takes the kept value; one with nothing kept is reported, never sent empty', () => {
    const parsed = parseEnv('HF_TOKEN=!\nOTHER=!\nMODE=prod');
    if (!parsed.ok) throw new Error('parse');
    expect(restoreKeptEnv(parsed.env, parsed.marked, { env: { HF_TOKEN: 'hf_real' } })).toEqual({
      env: [{ name: 'HF_TOKEN', value: 'hf_real' }, { name: 'OTHER', value: '' }, { name: 'MODE', value: 'prod' }],
      missing: ['OTHER'],
    });
  });
});

describe('masking a Slack payload', () => {
  test('a secret holding & < or > is masked in text already escaped for Slack (the last fence sees only escaped text)', () => {
    const r = new SecretRedactor();
    r.add('p&ss<w0rd>9');
    // what renderFluenceError makes of a 400 echoing it, as the masking fetch receives it
    expect(r.mask('Fluence refused: bad password p&amp;ss&lt;w0rd&gt;9')).toBe('Fluence refused: bad password ••••••');
    expect(r.mask('raw p&ss<w0rd>9')).toBe('raw ••••••');
  });

  test('only text leaves are masked: types, ids, booleans and button values stay as they are', () => {
    const r = new SecretRedactor();
    r.add('true', 'section', 'C_GENERAL', 'inst-1', 'hunter22');
    const payload = {
      channel: 'C_GENERAL',
      text: 'value hunter22 in C_GENERAL',
      blocks: [{ type: 'section', block_id: 'section', text: { type: 'mrkdwn', text: 'a section: true', verbatim: true }, accessory: { type: 'button', value: 'container:inst-1', action_id: 'x', text: { type: 'plain_text', text: 'Go', emoji: true } } }],
    };
    expect(r.maskPayload(payload)).toEqual({
      channel: 'C_GENERAL',
      text: 'value •••••• in ••••••',
      blocks: [{ type: 'section', block_id: 'section', text: { type: 'mrkdwn', text: 'a ••••••: ••••••', verbatim: true }, accessory: { type: 'button', value: 'container:inst-1', action_id: 'x', text: { type: 'plain_text', text: 'Go', emoji: true } } }],
    });
  });
});
