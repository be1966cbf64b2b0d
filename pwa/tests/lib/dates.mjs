// Dates for tests, relative to the day they run: a due date written as a
// fixed day would one day be in the past, and the app treats past steps and
// deadlines differently (or refuses them).

const pad = (n) => String(n).padStart(2, '0');

// dayISO is the day n days from today on the test phone, as YYYY-MM-DD
// (what a date field holds and the API stores). The phone lives in
// Europe/Oslo (browser.mjs), as the server counts days there too: the
// machine's own zone (UTC on CI) is a day behind from 23:00 to 24:00.
export function dayISO(n) {
  return dayOslo(n);
}

// dayNb is how the app writes that day in bokmål: "20. desember 2026".
export function dayNb(iso) {
  return new Intl.DateTimeFormat('nb', { day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${iso}T12:00:00`));
}

// dayOslo is the day n days from today where the test phone lives
// (Europe/Oslo), as YYYY-MM-DD: what the app counts days from, whatever the
// machine's own time zone.
export function dayOslo(n) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date(Date.now() + n * 86_400_000));
}
