import { describe, expect, it } from 'vitest';
import { cell, formatTable, markdownTable, replaceBetween } from '../../bench/lib/table.js';

describe('Bench: tables', () => {
  it('right-aligns numeric columns and marks missing values', () => {
    // Act
    const text = formatTable(
      ['name', 'µs'],
      [
        ['a', 1.5],
        ['bb', 1234.567],
        ['c', null],
      ],
      1,
    );

    // Assess
    expect(text.split('\n')).toEqual([
      'name       µs',
      '----  -------',
      'a         1.5',
      'bb    1,234.6',
      'c           –',
    ]);
  });

  it('formats cells', () => {
    // Act & Assess
    expect(cell(undefined)).toBe('–');
    expect(cell(Number.NaN)).toBe('–');
    expect(cell(2)).toBe('2');
    expect(cell('x')).toBe('x');
  });
});

describe('Bench: markdown', () => {
  it('renders a Markdown table with numeric columns right-aligned and pipes escaped', () => {
    // Act
    const md = markdownTable(
      ['what', 'n'],
      [
        ['a|b', 1],
        ['c', null],
      ],
    );

    // Assess
    expect(md.split('\n')).toEqual(['| what | n |', '| --- | ---: |', '| a\\|b | 1 |', '| c | – |']);
  });

  it('replaces only the text between the markers', () => {
    // Prepare
    const doc = 'intro\n<!-- r:start -->\nold\n<!-- r:end -->\noutro';

    // Act & Assess
    expect(replaceBetween(doc, 'r', 'new')).toBe('intro\n<!-- r:start -->\nnew\n<!-- r:end -->\noutro');
    expect(replaceBetween('no markers', 'r', 'x')).toBeUndefined();
  });
});
