// Browser code of the HTML report: replays a test's console in the asciinema player, from the cast embedded in the page.
'use strict';
const players = new Map();
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-cast]') : null;
  if (!button) return;
  const container = document.getElementById(button.dataset.player);
  const cast = JSON.parse(document.getElementById(button.dataset.cast).textContent);
  players.get(container)?.dispose();
  container.replaceChildren();
  players.set(
    container,
    // idleTimeLimit squeezes the long silent waits of a TCG boot; the player renders output as text, never as markup.
    AsciinemaPlayer.create({ data: cast }, container, { autoPlay: true, idleTimeLimit: 1.5, fit: 'width', controls: true }),
  );
  button.textContent = '↻ Replay from the start';
});
