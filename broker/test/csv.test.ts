import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../src/http/csv.js';

describe('csv (RFC 4180, formula-safe)', () => {
  it('quotes fields with commas, quotes and line breaks, doubling the quotes (§2.6, §2.7)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
  });

  it('defuses text a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+49 30')).toBe("'+49 30");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(1.5)).toBe('1.5');
  });

  it('writes empty cells for null and undefined and ends every record with CRLF', () => {
    expect(
      toCsv(
        ['a', 'b', 'c'],
        [
          [null, undefined, true],
          ['x', 0, ''],
        ],
      ),
    ).toBe('a,b,c\r\n,,true\r\nx,0,\r\n');
    expect(toCsv(['only'], [])).toBe('only\r\n');
  });
});
