import { describe, expect, it } from 'vitest';
import { mayAccess, roleOfGroups, scopeOf, scopesOfGroups } from '../../../functions/shared/access.js';

describe('Access: console roles against route access', () => {
  it.each([
    ['viewer', 'read', true],
    ['viewer', 'send', false],
    ['viewer', 'admin', false],
    ['agent', 'read', true],
    ['agent', 'send', true],
    ['agent', 'admin', false],
    ['admin', 'read', true],
    ['admin', 'send', true],
    ['admin', 'admin', true],
    ['viewer', 'none', true],
  ] as const)('%s on a %s route: %s', (role, access, allowed) => {
    expect(mayAccess(role, access)).toBe(allowed);
  });

  it('takes the most privileged console group and ignores others', () => {
    expect(roleOfGroups(['viewer', 'admin'])).toBe('admin');
    expect(roleOfGroups(['agent', 'viewer'])).toBe('agent');
    expect(roleOfGroups(['us-east-1_abc_Google', 'marketing'])).toBeUndefined();
  });

  it('grants cumulative scopes per group, none without a console group', () => {
    expect(scopesOfGroups(['viewer'])).toEqual(['omnihub/read']);
    expect(scopesOfGroups(['agent'])).toEqual(['omnihub/read', 'omnihub/send']);
    expect(scopesOfGroups(['admin', 'viewer'])).toEqual(['omnihub/read', 'omnihub/send', 'omnihub/admin']);
    expect(scopesOfGroups([])).toEqual([]);
    expect(scopeOf('admin')).toBe('omnihub/admin');
  });
});
