// Used by benches/search.rs: types `query` into the header's search box one letter at a time,
// at a typist's pace, and times each keystroke until the result list of what is typed is
// shown (the live region names the query once the list is in place; one more animation frame
// for it to be painted). Returns the times (ms) and the index files fetched.
window.measure = async function (query) {
  const input = document.getElementById("handbook:search");
  const status = document.getElementById("handbook:search-status");
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const shown = (typed) =>
    new Promise((resolve, reject) => {
      const done = () => status.textContent.endsWith("\u201c" + typed + "\u201d");
      if (done()) return resolve();
      const observer = new MutationObserver(() => {
        if (done()) {
          observer.disconnect();
          requestAnimationFrame(() => resolve());
        }
      });
      observer.observe(status, { childList: true, characterData: true, subtree: true });
      setTimeout(() => {
        observer.disconnect();
        reject(new Error("no results for " + typed + ": " + status.textContent));
      }, 10000);
    });
  input.focus();
  const latencies = [];
  for (let i = 1; i <= query.length; i++) {
    const typed = query.slice(0, i);
    const started = performance.now();
    input.value = typed;
    input.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: typed[i - 1] }));
    const words = typed.trim().split(/\s+/).filter((w) => w.length >= 2);
    if (words.length === 0 || typed.endsWith(" ")) {
      await sleep(80);
      continue;
    }
    await shown(typed.trim());
    latencies.push(performance.now() - started);
    await sleep(80);
  }
  const fetched = performance
    .getEntriesByType("resource")
    .map((entry) => entry.name)
    .filter((name) => name.includes("/_search/"));
  return { latencies, fetched };
};
