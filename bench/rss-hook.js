// Preloaded into the CLI with `node --require`: when it ends, writes its peak resident memory (KB)
// to the file SSM_DOCTOR_RSS_OUT names. On Linux from VmHWM in /proc/self/status, which is this
// program's own: process.resourceUsage().maxRSS (getrusage) keeps the high-water mark of the
// benchmark process it was forked from, so a case run after a large one would report the
// benchmark's memory instead of its own.
const { readFileSync, writeFileSync } = require('node:fs');

function peakKb() {
  try {
    const hwm = /^VmHWM:\s*(\d+)\s*kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  writeFileSync(process.env.SSM_DOCTOR_RSS_OUT, String(peakKb()));
});
