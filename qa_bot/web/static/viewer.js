const show = () => { const box = element.querySelector('.qa-opinion'); const t = element.querySelector('#qv-target');
  if (t) { t.scrollIntoView({block: 'center'}); } else if (box) { box.scrollTop = 0; } };
watch('value', () => setTimeout(show, 30));
