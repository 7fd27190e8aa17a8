// Preloaded with --expose-gc into every server process whose RSS the bench reads: SIGWINCH runs a
// full garbage collection, so RSS is read without the garbage of the last burst of work (the
// signal is ignored by default, so a process without this preload is unaffected).
process.on('SIGWINCH', () => global.gc?.());
