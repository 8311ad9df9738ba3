/** Turns open errors into messages that say what to do. */
export function describeOpenError(path: string, err: unknown): string {
  const error = err as NodeJS.ErrnoException;
  const text = `${error.code ?? ''} ${error.message ?? String(err)}`;
  if (/EACCES|Permission denied/i.test(text)) {
    return `permission denied on ${path}: add the user to the "dialout" group (sudo usermod -aG dialout $USER, then log in again) or install a udev rule granting access`;
  }
  if (/EBUSY|locked|Resource temporarily unavailable/i.test(text)) {
    return `${path} is busy: another process holds it (another bridge, screen, minicom or ModemManager); stop it and the bridge reconnects`;
  }
  if (/ENOENT|No such file|does not exist/i.test(text)) {
    return `${path} does not exist (device unplugged or wrong path); waiting for it to appear`;
  }
  return `cannot open ${path}: ${error.message ?? String(err)}`;
}

/** Write/read errors that mean the device is gone (USB unplug, pty peer closed). */
export function isDisconnectError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return (
    code === 'ENXIO' ||
    code === 'EIO' ||
    code === 'EBADF' ||
    code === 'ENODEV' ||
    (err as { disconnected?: boolean }).disconnected === true
  );
}
