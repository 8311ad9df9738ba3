/**
 * The starter files for a new device model: a profile with one sensor, one
 * error and one safe action, a help flow for that error in German and English,
 * and a virtual-MCU config so the model runs in the demo straight away.
 */
export function profileTemplate(model: string, title: string) {
  return {
    model,
    version: '0.1.0',
    name: { de: title, en: title },
    manufacturer: 'Your company',
    capabilities: { camera: false, microphone: true },
    sensors: [
      { id: 'device_state', type: 'string', label: { de: 'Zustand', en: 'State' } },
      {
        id: 'temperature',
        type: 'number',
        unit: '°C',
        min: -20,
        max: 120,
        label: { de: 'Temperatur', en: 'Temperature' },
      },
      { id: 'filter_clogged', type: 'boolean', label: { de: 'Filter verstopft', en: 'Filter clogged' } },
    ],
    errors: [{ code: 'E10', severity: 'warning', label: { de: 'Filter reinigen', en: 'Clean the filter' } }],
    actions: [
      {
        name: 'flush_filter',
        label: { de: 'Filter spülen', en: 'Flush filter' },
        description: {
          de: 'Spült den Filter frei. Dauer etwa 5 Sekunden.',
          en: 'Flushes the filter clean. Takes about 5 seconds.',
        },
        params: { cycles: { type: 'integer', min: 1, max: 3, default: 1, label: { de: 'Durchgänge', en: 'Cycles' } } },
        precondition: "sensors.device_state == 'idle'",
        estimatedSeconds: 5,
      },
      { name: 'diagnostics.request', target: 'agent', label: { de: 'Diagnose anfordern', en: 'Request diagnostics' } },
      { name: 'agent.restart', target: 'agent', label: { de: 'Agent neu starten', en: 'Restart agent' } },
    ],
  };
}

export function flowTemplate(model: string) {
  const t = (de: string, en: string) => ({ de, en });
  return {
    id: 'filter-clogged',
    version: '0.1.0',
    models: [model],
    title: t('Filter verstopft', 'Filter clogged'),
    description: t('Spült den verstopften Filter frei (E10).', 'Flushes the clogged filter clean (E10).'),
    triggers: { errors: ['E10'], menu: true },
    start: 'intro',
    steps: {
      intro: {
        kind: 'info',
        title: t('Filter spülen', 'Flush the filter'),
        text: t(
          'Das Gerät kann den Filter selbst freispülen. Das dauert etwa 5 Sekunden.',
          'The device can flush the filter by itself. This takes about 5 seconds.',
        ),
        next: 'check_clogged',
      },
      check_clogged: {
        kind: 'check',
        text: t('Der Filter wird geprüft …', 'Checking the filter …'),
        condition: 'sensors.filter_clogged || "E10" in errors',
        onTrue: 'flush',
        onFalse: 'all_good',
      },
      flush: {
        kind: 'action',
        title: t('Filter spülen', 'Flush filter'),
        action: 'flush_filter',
        params: { cycles: 1 },
        confirm: t('Der Filter wird jetzt gespült. Starten?', 'The filter will be flushed now. Start?'),
        text: t('Spüle den Filter …', 'Flushing the filter …'),
        verify: '!sensors.filter_clogged && !("E10" in errors)',
        onSuccess: 'resolved',
        onFailure: 'escalate',
      },
      all_good: {
        kind: 'outcome',
        result: 'resolved',
        resolution: 'nothing-wrong',
        text: t('Der Filter ist frei.', 'The filter is clear.'),
        next: 'rate',
      },
      resolved: {
        kind: 'outcome',
        result: 'resolved',
        resolution: 'fix',
        text: t('Geschafft! Der Filter ist wieder frei.', 'Done! The filter is clear again.'),
        next: 'rate',
      },
      escalate: {
        kind: 'outcome',
        result: 'escalate',
        text: t(
          'Der Filter ist noch verstopft. Unser Support hilft weiter.',
          'The filter is still clogged. Our support team will help.',
        ),
        reason: 'filter_flush_failed',
      },
      rate: { kind: 'rate' },
    },
  };
}

export function simTemplate(model: string) {
  return {
    info: { serial: `${model.toUpperCase().slice(0, 6)}-0001`, firmware: '0.1.0' },
    initial: { sensors: { device_state: 'idle', temperature: 21.5, filter_clogged: false }, errors: [] },
    tickMs: 1000,
    stateEventMs: 2000,
    drift: { temperature: { step: 0.2, min: 19, max: 24, decimals: 1 } },
    rules: [{ sensor: 'filter_clogged', equals: true, raise: 'E10' }],
    busySensor: { id: 'device_state', idle: 'idle' },
    actions: {
      flush_filter: {
        durationMs: 5000,
        busyState: 'flushing',
        steps: ['Flushing', 'Rinsing', 'Done'],
        set: { filter_clogged: false },
        clear: ['E10'],
      },
    },
    scenarios: { clog: { set: { filter_clogged: true }, raise: ['E10'] }, unclog: { set: { filter_clogged: false } } },
    randomFaults: { perMinute: 0, scenarios: ['clog'], maxActive: 1 },
    // A clog that came by itself ends by itself after 2-10 minutes, so a demo left running stays calm (issue 16).
    recovery: { E10: { afterS: { min: 120, max: 600 }, scenario: 'unclog' } },
  };
}
