import { TOOL_VERSION } from '../src/version';
import pkg from '../package.json';

test('the version the tool reports is the package version', () => {
  expect(TOOL_VERSION).toBe(pkg.version);
});
