// trueup console: a little progressive enhancement. Every page works without it.

// Line numbers beside a policy source, kept in step with its lines and scrolling.
function lineNumbers(editor) {
  const area = editor.querySelector('textarea');
  const gutter = editor.querySelector('.gutter');
  const bad = new Set((editor.dataset.badLines || '').split(',').filter(Boolean).map(Number));
  const draw = () => {
    const count = area.value.split('\n').length;
    gutter.replaceChildren();
    for (let line = 1; line <= count; line++) {
      const span = document.createElement('span');
      span.textContent = `${line}\n`;
      if (bad.has(line)) span.className = 'bad';
      gutter.append(span);
    }
  };
  area.addEventListener('input', draw);
  area.addEventListener('scroll', () => {
    gutter.scrollTop = area.scrollTop;
  });
  draw();
}

// Saving a policy or running it on a sample loads the page again: the cursor, the editor's
// scroll and the page's scroll come back where they were (kept per policy, in this tab only).
function keepEditorPlace(form) {
  const area = form.querySelector('textarea[name="source"]');
  if (!area) return;
  const key = `trueup:editor:${form.dataset.editorPath}`;
  const kept = sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  if (kept) {
    try {
      const place = JSON.parse(kept);
      area.focus({ preventScroll: true });
      area.setSelectionRange(place.start, place.end);
      area.scrollTop = place.top;
      area.scrollLeft = place.left;
      window.scrollTo(0, place.page);
    } catch {
      // a place from an older page: start at the top
    }
  }
  form.addEventListener('submit', () => {
    const place = {
      start: area.selectionStart,
      end: area.selectionEnd,
      top: area.scrollTop,
      left: area.scrollLeft,
      page: window.scrollY,
    };
    sessionStorage.setItem(key, JSON.stringify(place));
  });
}

// A run in flight: poll its progress and reload the page once it has finished.
function liveProgress(panel) {
  const url = panel.dataset.progressUrl;
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' } });
      if (!response.ok) return;
      const progress = await response.json();
      panel.querySelector('[data-phase]').textContent = progress.phase || progress.status;
      panel.querySelector('[data-done]').textContent = String(progress.done);
      const bar = panel.querySelector('.progress > span');
      if (bar && progress.total)
        bar.style.width = `${Math.min(100, (100 * progress.done) / progress.total)}%`;
      if (progress.finished) {
        window.location.reload();
        return;
      }
    } catch {
      // the next tick tries again
    }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 500);
}

// Forms that need a second thought (applying a held plan, dismissing a dispute).
function confirmBeforeSubmit(form) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

document.addEventListener('DOMContentLoaded', () => {
  for (const editor of document.querySelectorAll('.editor')) lineNumbers(editor);
  for (const form of document.querySelectorAll('form[data-editor-path]')) keepEditorPlace(form);
  for (const panel of document.querySelectorAll('[data-progress-url]')) liveProgress(panel);
  for (const form of document.querySelectorAll('form[data-confirm]')) confirmBeforeSubmit(form);
});
