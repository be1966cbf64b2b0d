// Moving between screens, for the views. app.js draws the screens and
// imports every view; a view that imported app.js back would make a circle
// in the module graph. So views ask here, and app.js tells this module
// how to draw when it starts (setNavigation).
let drawer = { route: async () => {}, changeLanguage: async () => {} };

// setNavigation is called once, by app.js, before the first screen.
export function setNavigation(d) { drawer = d; }

// go shows the screen at path: by changing the address, or by drawing it
// again when the address is that already.
export function go(path) {
  if (location.hash === `#${path}`) route();
  else location.hash = `#${path}`;
}

// route draws the screen for the current address again; keepFocus leaves
// the focus where it is when the screen stays the same.
export const route = (keepFocus) => drawer.route(keepFocus);

// changeLanguage switches the app's language and draws the screen again.
export const changeLanguage = (l) => drawer.changeLanguage(l);
