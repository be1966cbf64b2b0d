// What the person looking at a household roadmap may change, from its
// access part: the server's rule (backend/access: Decide, members.go,
// helpers.go, checkins.go) mirrored once, so that screens offer only what
// the server takes. The owners (no access part) may do everything; a
// helper (trusted, interpreter) with write changes in the sections given
// to them ("area:X" texts, scores, renderings; "steps:X" steps); a member
// changes nothing but adds their own words on the areas that name them,
// and checks in there when adult. The rest is the owners'.

/** owner reports whether the person owns roadmap r (their view has no access part). */
export const owner = (r) => !r?.access;

const helper = (acc) => acc?.role === 'trusted' || acc?.role === 'interpreter';
const has = (r, section) => Boolean(section) && (r.access.sections || []).includes(section);

/** mayChange reports whether the person may apply operations in section
 * of r ("area:X": the area's texts, scores and renderings; "steps:X": its
 * steps; "household" too for who an area concerns). */
export function mayChange(r, section) {
  if (owner(r)) return true;
  return helper(r.access) && Boolean(r.access.write) && has(r, section);
}

/** mayComment reports whether the person may add their own words on
 * section of r: the owners anywhere, a member on the areas that name them. */
export function mayComment(r, section) {
  if (owner(r)) return true;
  return r.access.role === 'member' && has(r, section);
}

/** mayCheckIn reports whether the person may record a check-in for area
 * areaId of r. */
export function mayCheckIn(r, areaId) {
  if (owner(r)) return true;
  const section = `area:${areaId}`;
  if (helper(r.access)) return Boolean(r.access.write) && has(r, section);
  if (r.access.role === 'member') {
    return has(r, section) && r.members.find((m) => m.id === r.access.memberId)?.role === 'adult';
  }
  return false;
}
