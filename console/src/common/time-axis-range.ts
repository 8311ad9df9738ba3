/**
 * The x range of a time chart, in seconds. With a single sample min equals max,
 * and uPlot would stretch the axis over years; show a minute around it instead.
 */
export function timeAxisRange(min: number, max: number, padSeconds = 30): [number, number] {
  return min === max ? [min - padSeconds, max + padSeconds] : [min, max];
}
