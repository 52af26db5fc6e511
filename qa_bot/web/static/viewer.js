const show = () => { const box = element.querySelector('.qa-opinion'); const t = element.querySelector('#qv-target');
  if (t) { centerInPanel(t); } else if (box) { box.scrollTop = 0; } };
watch('value', () => setTimeout(show, 30));
