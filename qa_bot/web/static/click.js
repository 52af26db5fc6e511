const copyText = async (t) => {
  try { await navigator.clipboard.writeText(t); return true; } catch (e) {
    const ta = document.createElement('textarea'); ta.value = t; document.body.appendChild(ta); ta.select();
    let ok = false; try { ok = document.execCommand('copy'); } catch (e2) {} ta.remove(); return ok; }
};
const jump = (id) => { const t = element.querySelector('#' + CSS.escape(id));
  if (t) { t.scrollIntoView({block: 'center'}); t.classList.add('qa-flash'); setTimeout(() => t.classList.remove('qa-flash'), 1200); } };
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
