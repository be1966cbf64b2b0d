// Sections and grants in plain words, for every screen that names them
// (sharing, the caseworker's, helpers, history). Kept apart from
// agencyview.js, which draws a whole view and loads only when needed.
import { t } from '../i18n.js';
import { areaName } from '../model.js';

// sectionName says a section in plain words: "Housing", "Housing: steps".
export function sectionName(r, section) {
  if (section === 'household') return t('section.household');
  const [kind, id] = section.split(':');
  const a = r?.areas.find((x) => x.id === id);
  const name = a ? areaName(a, t) : t(`area.${id}`) !== `area.${id}` ? t(`area.${id}`) : t('section.removed');
  return kind === 'steps' ? t('section.steps', { name }) : name;
}

// daysLeft counts the calendar days from today to the last day before at
// (an expiry is exclusive): 0 when today is the last.
export function daysLeft(at) {
  const last = new Date(Date.parse(at) - 1);
  const today = new Date();
  return Math.round((Date.UTC(last.getFullYear(), last.getMonth(), last.getDate()) - Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())) / 86_400_000);
}
