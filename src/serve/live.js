// handbook serve: live reload. Injected into pages only while serving; built sites never
// have it. Listens to the server's events: reloads the page when it changed (landing on the
// section the save changed when it is out of view, else keeping the scroll position), swaps
// stylesheets when only CSS changed, shows build errors over the page.
(() => {
  const script = document.currentScript;
  let version = Number(script.dataset.version);
  const instance = script.dataset.instance;
  const scrollKey = "handbook-scroll:" + location.pathname;
  const landKey = "handbook-land:" + location.pathname;

  // This script puts the page where it should be after a reload; the browser's own restoring
  // of the old position would undo a landing.
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";

  const saved = sessionStorage.getItem(scrollKey);
  const land = sessionStorage.getItem(landKey);
  sessionStorage.removeItem(scrollKey);
  sessionStorage.removeItem(landKey);
  if (saved !== null || land !== null) {
    const restore = () => {
      const target = land !== null ? sectionStart(land) : null;
      if (target) target.scrollIntoView({ block: "start" });
      else if (saved !== null) window.scrollTo(0, Number(saved));
    };
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore, { once: true });
  }

  // The element a section starts with: its heading, or the text for the introduction ("").
  function sectionStart(anchor) {
    if (anchor === "") return document.querySelector(".prose") || document.getElementById("handbook:main");
    return document.getElementById(anchor);
  }

  // Whether any part of the section starting at `anchor` is on screen: from its start to the
  // next heading of the text.
  function inView(anchor) {
    const start = sectionStart(anchor);
    if (!start) return false;
    const headings = Array.from(document.querySelectorAll(".prose :is(h1, h2, h3, h4, h5, h6)[id]"));
    const next = anchor === "" ? headings[0] : headings[headings.indexOf(start) + 1];
    const top = start.getBoundingClientRect().top;
    const bottom = next ? next.getBoundingClientRect().top : Infinity;
    return top < window.innerHeight && bottom > 0;
  }

  // Reloads; `anchor` is the section of this page the change is in, if the change was a save
  // of this page: the reloaded page shows it if it is not on screen now.
  function reload(anchor) {
    if (typeof anchor === "string" && !inView(anchor)) sessionStorage.setItem(landKey, anchor);
    else sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  function landingHere(landings) {
    const here = (landings || []).find((landing) => landing[0] === location.pathname);
    return here ? here[1] : undefined;
  }

  function swapStylesheets(next) {
    // A sheet of an earlier swap that has not loaded yet is dropped: its original is still
    // there, and is the one to replace.
    for (const pending of document.querySelectorAll("link[data-handbook-pending]")) pending.remove();
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("handbook-version", String(next));
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.dataset.handbookPending = "1";
      // The old sheet stays until the new one is there: no flash of unstyled page.
      fresh.addEventListener("load", () => {
        delete fresh.dataset.handbookPending;
        link.remove();
      }, { once: true });
      fresh.addEventListener("error", () => fresh.remove(), { once: true });
      link.after(fresh);
    }
  }

  const OVERLAY = "handbook-errors";

  function showErrors(errors) {
    let overlay = document.getElementById(OVERLAY);
    if (!errors.length) {
      if (overlay) overlay.remove();
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = OVERLAY;
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;z-index:2147483647;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;" +
        "margin:0;padding:1rem 1.25rem;background:#2b0d0d;color:#fff;border-top:4px solid #e5484d;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 -4px 24px rgba(0,0,0,.4)";
      document.body.appendChild(overlay);
    }
    overlay.replaceChildren();
    const head = document.createElement("div");
    head.style.cssText = "display:flex;justify-content:space-between;gap:1rem;font-weight:bold;margin-bottom:.5rem";
    const title = document.createElement("span");
    title.textContent =
      errors.length === 1 ? "1 error: the site shows the last good version" :
      errors.length + " errors: the site shows the last good version";
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.style.cssText = "font:inherit;color:inherit;background:none;border:1px solid currentColor;border-radius:4px;cursor:pointer";
    close.addEventListener("click", () => overlay.remove());
    head.append(title, close);
    overlay.append(head);
    for (const error of errors) {
      const item = document.createElement("div");
      item.className = "handbook-error";
      item.style.cssText = "margin:.5rem 0";
      const where = document.createElement("strong");
      where.style.color = "#ffb4b4";
      where.textContent =
        error.path + (error.line ? ":" + error.line + ":" + error.column : "") + ": ";
      const message = document.createElement("span");
      message.textContent = error.message;
      item.append(where, message);
      if (error.help) {
        const help = document.createElement("div");
        help.style.cssText = "opacity:.8;padding-left:1.5rem";
        help.textContent = "help: " + error.help;
        item.append(help);
      }
      overlay.append(item);
    }
  }

  const events = new EventSource("/__handbook/events");
  events.addEventListener("hello", (e) => {
    const hello = JSON.parse(e.data);
    if (hello.instance !== instance || hello.version > version) return reload();
    showErrors(hello.errors);
  });
  events.addEventListener("reload", (e) => {
    const data = JSON.parse(e.data);
    if (data.version > version) reload(landingHere(data.landings));
  });
  events.addEventListener("css", (e) => {
    const next = JSON.parse(e.data).version;
    if (next > version) {
      version = next;
      swapStylesheets(next);
    }
  });
  events.addEventListener("errors", (e) => showErrors(JSON.parse(e.data).errors));
})();
