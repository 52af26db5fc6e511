// The conversation follows its newest answer: scrolled to the bottom whenever its content changes.
watch('value', () => setTimeout(() => { const c = element.querySelector('.qa-chat');
  if (c) { c.scrollTop = c.scrollHeight; } }, 30));
