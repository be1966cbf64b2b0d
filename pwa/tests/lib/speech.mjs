// Real voices for the read-aloud tests: Debian's Chromium speaks through
// speech-dispatcher (libspeechd) only when started with
// --enable-speech-dispatcher; it then starts speech-dispatcher itself (its
// "autospawn"), which lists espeak-ng's voices to speechSynthesis. A test
// machine has no sound card and no PulseAudio, and speech-dispatcher's
// default output (pulse) fails there: no utterance would ever end. So each
// run gets its own speech-dispatcher configuration (espeak-ng, played into
// ALSA's "null" device) and its own runtime directory (its own socket, so
// never another run's or a desktop's dispatcher), given to Chromium, and so
// to the dispatcher it starts, through XDG_CONFIG_HOME and XDG_RUNTIME_DIR.

import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromeArgs, launch } from './browser.mjs';

/**
 * What of speech-dispatcher, its espeak-ng module and its ALSA output is
 * missing (scripts/setup.sh installs them); empty when nothing is.
 */
export function missingSpeech() {
  const lib = readdirSync('/usr/lib', { withFileTypes: true }).filter((d) => d.isDirectory())
    .some((d) => existsSync(join('/usr/lib', d.name, 'speech-dispatcher', 'spd_alsa.so')));
  return [
    ['speech-dispatcher', existsSync('/usr/bin/speech-dispatcher')],
    ['speech-dispatcher-espeak-ng', existsSync('/usr/lib/speech-dispatcher-modules/sd_espeak-ng')],
    ['speech-dispatcher-audio-plugins', lib],
  ].filter(([, ok]) => !ok).map(([name]) => name);
}

// speechd.conf for a machine with no sound: espeak-ng only, into ALSA's null
// device; the dispatcher ends itself 5 s after its last client.
const conf = `LogLevel 2
LogDir "default"
Timeout 5
AudioOutputMethod "alsa"
AudioALSADevice "null"
AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"
DefaultModule espeak-ng
`;

/**
 * Launches headless Chromium that speaks with espeak-ng's voices.
 * @returns {Promise<{browser: import('playwright-core').Browser, close: () => Promise<void>}>}
 */
export async function launchSpeaking() {
  const missing = missingSpeech();
  if (missing.length) throw new Error(`read-aloud needs ${missing.join(', ')}: run scripts/setup.sh`);
  const dir = await mkdtemp(join(tmpdir(), 'veikart-speech-'));
  await mkdir(join(dir, 'config', 'speech-dispatcher'), { recursive: true });
  await mkdir(join(dir, 'run'), { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'config', 'speech-dispatcher', 'speechd.conf'), conf);
  const browser = await launch({
    args: [...chromeArgs, '--enable-speech-dispatcher'],
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_RUNTIME_DIR: join(dir, 'run') },
  });
  return {
    browser,
    async close() {
      await browser.close();
      // The dispatcher this run's Chromium started ends by itself after
      // Timeout; end it now, by the pid it wrote, so that nothing is left.
      const pid = Number(await readFile(join(dir, 'run', 'speech-dispatcher', 'pid', 'speech-dispatcher.pid'), 'utf8').catch(() => ''));
      if (pid > 0) { try { process.kill(pid); } catch { /* already gone */ } }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Records, in every page of the context, what is handed to
 * speechSynthesis.speak (each utterance's text, lang and voice) and when
 * each ends, while the real speak still speaks it; and each cancel.
 * Read with spoken(page).
 */
export function recordSpeech(context) {
  return context.addInitScript(() => {
    const log = (window.__speech = { spoken: [], cancels: 0 });
    const speak = speechSynthesis.speak.bind(speechSynthesis);
    const cancel = speechSynthesis.cancel.bind(speechSynthesis);
    speechSynthesis.speak = (u) => {
      const entry = { text: u.text, lang: u.lang, voice: u.voice?.name ?? null, voiceLang: u.voice?.lang ?? null, ended: false, error: null };
      log.spoken.push(entry);
      u.addEventListener('end', () => { entry.ended = true; });
      u.addEventListener('error', (e) => { entry.error = e.error; });
      return speak(u);
    };
    speechSynthesis.cancel = () => { log.cancels++; return cancel(); };
  });
}

/** What the page has handed to speechSynthesis so far. */
export const spoken = (page) => page.evaluate(() => window.__speech);

/** Forgets what was spoken. */
export const forget = (page) => page.evaluate(() => { window.__speech.spoken = []; window.__speech.cancels = 0; });
