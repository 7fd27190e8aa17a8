const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  // light-my-request (app.inject) requires `cookie`, which ships ESM only: let swc turn it into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/cookie@|cookie/))'],
};
