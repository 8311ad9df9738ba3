import { describe, expect, it } from 'vitest';
import { readIntegrationForm, type IntegrationFormInput } from '../src/common/integration-form.js';
import { translator } from '../src/i18n/translator.js';

const blank: IntegrationFormInput = { name: '', subscribe: '', publish: '', deny: '', models: '', clientIdPrefix: '' };

describe('the integration create form (issue 13)', () => {
  it('reads one filter per line, drops blank lines and leaves an empty prefix to the broker default', () => {
    const r = readIntegrationForm({
      ...blank,
      name: ' erp ',
      subscribe: 'tp/v1/d/+/evt\r\n\n  tp/v1/d/+/diag  \n',
      models: 'coffee-machine\n',
    });
    expect(r).toEqual({
      ok: true,
      request: {
        name: 'erp',
        subscribe: ['tp/v1/d/+/evt', 'tp/v1/d/+/diag'],
        publish: [],
        deny: [],
        models: ['coffee-machine'],
      },
    });
    const prefixed = readIntegrationForm({ ...blank, name: 'erp', subscribe: '#', clientIdPrefix: ' erp-prod- ' });
    expect(prefixed.ok && prefixed.request.clientIdPrefix).toBe('erp-prod-');
  });

  it("puts each problem at its field, with the broker's own sentences", () => {
    const r = readIntegrationForm({ ...blank, name: 'ERP!', subscribe: 'ok/#\ntp/v1/#/evt' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.name?.[0]).toContain('lower-case');
    expect(r.problems.subscribe).toEqual([
      'tp/v1/#/evt: not a valid MQTT topic filter ([MQTT-4.7.1-2], [MQTT-4.7.1-3])',
    ]);

    const device = readIntegrationForm({ ...blank, name: 'erp', subscribe: 'tp/v1/d/+/evt', publish: 'tp/v1/d/+/cmd' });
    expect(device.ok ? [] : device.problems.publish).toEqual([
      '--publish tp/v1/d/+/cmd: integrations may not publish in the device tree (tp/v1/d/#); only devices and the signed fleet service do',
    ]);

    const none = readIntegrationForm({ ...blank, name: 'erp' });
    expect(none.ok ? [] : none.problems.form).toEqual(['give at least one --subscribe or --publish filter']);
  });

  it('has its texts in German and English in the console catalogue', () => {
    expect(translator('de')('integrations.shownOnce')).toMatch(/^Wird nur dieses eine Mal angezeigt/);
    expect(translator('en')('integrations.shownOnce')).toMatch(/^Shown once/);
    expect(translator('en')('integrations.revokeHeading', { name: 'erp' })).toBe('Revoke erp?');
  });
});
