module.exports = {
  ...require('../../jest.preset.js'),
  // fastify's inject (light-my-request) requires `cookie` 2, which ships ESM only: let swc make it CommonJS.
  transformIgnorePatterns: ['/node_modules/\\.pnpm/(?!cookie@)'],
};
