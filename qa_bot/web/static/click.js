const copyText = async (t) => {
  try { await navigator.clipboard.writeText(t); return true; } catch (e) {
    const ta = document.createElement('textarea'); ta.value = t; document.body.appendChild(ta); ta.select();
    let ok = false; try { ok = document.execCommand('copy'); } catch (e2) {} ta.remove(); return ok; }
};
// Scroll ``t`` to the middle of the panel that scrolls it, never the page: scrollIntoView would also
// scroll the window, taking the header and the question box off the screen.
const centerInPanel = (t) => { const box = t.closest('.qa-opinion, .qa-chat, .qa-sources');
  if (!box) { return; }
  const delta = t.getBoundingClientRect().top - box.getBoundingClientRect().top;
  box.scrollTop += delta - box.clientHeight / 2 + Math.min(t.offsetHeight, box.clientHeight) / 2; };
const jump = (id) => { const t = element.querySelector('#' + CSS.escape(id));
  if (t) { centerInPanel(t); t.classList.add('qa-flash'); setTimeout(() => t.classList.remove('qa-flash'), 1200); } };
element.addEventListener('click', (ev) => {
  const c = ev.target.closest('[data-copy]');
  if (c) { ev.preventDefault(); const label = c.textContent;
    copyText(c.dataset.copy).then(ok => { c.textContent = ok ? 'Copied' : 'Copy failed'; window.__qaCopied = c.dataset.copy;
      setTimeout(() => { c.textContent = label; }, 1500); }); return; }
  const f = ev.target.closest('[data-fn]');
  if (f) { ev.preventDefault(); jump('qv-fn-' + f.dataset.fn); return; }
  const b = ev.target.closest('[data-fnback]');
  if (b) { ev.preventDefault(); jump('qv-fnref-' + b.dataset.fnback); return; }
  const a = ev.target.closest('[data-cite]');
  if (a) { ev.preventDefault(); trigger('click', {cite: a.dataset.cite}); }
});
