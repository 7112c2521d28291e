// The console's script is served from a TypeScript template string, where an escape such as
// '\n' silently becomes a raw newline inside a JavaScript string: the page then has no script at
// all. Parse it as JavaScript here, so such a slip fails a fast test, not only the browser one.
import { describe, expect, it } from 'vitest';
import { CONSOLE_SCRIPT } from '../../src/modules/admin-console/console-ui.js';

describe('admin console script', () => {
  it('is valid JavaScript', () => {
    expect(() => new Function(CONSOLE_SCRIPT)).not.toThrow();
  });
});
