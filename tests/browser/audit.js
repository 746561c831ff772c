// Accessibility audit of a served handbook: axe-core in headless Chromium, every page given on
// the command line, in light and dark mode, on a wide and a narrow screen. Prints one line per
// violation and per console error, and nothing else; tests/testsuite/accessibility.rs asserts on that.
//
// Usage: node audit.js http://127.0.0.1:PORT /path/ /other/path/ ...
const { chromium } = require('playwright-core');
const fs = require('fs');

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [base, ...paths] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // Without the background-networking flags Chromium tries to reach Google's hosts.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const colorScheme of ['light', 'dark']) {
      for (const width of [1400, 390]) {
        const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
        const where = `${colorScheme} ${width}px`;
        page.on('console', (m) => { if (m.type() === 'error') console.log(`${where}: console error: ${m.text()}`); });
        page.on('pageerror', (e) => console.log(`${where}: page error: ${e}`));
        for (const path of paths) {
          await page.goto(base + path);
          await page.addScriptTag({ content: axeSource });
          const result = await page.evaluate(() =>
            axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] }));
          for (const v of result.violations) {
            const node = v.nodes[0];
            console.log(`${where} ${path}: ${v.id} (${v.impact}, ${v.nodes.length} elements): ${v.help}; first: ${node.target.join(' ')}: ${node.failureSummary.replace(/\s+/g, ' ')}`);
          }
        }
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log(`audit failed: ${e}`); process.exitCode = 2; });
