"""When a site's attendance day ends: the instant of its end-of-day time on a local date.

The setting is a wall-clock time in the site's zone (23:59 by default). The instant is
computed for each local date from the zone's rules (zoneinfo), so it stays right across
daylight-saving changes:

- a time that occurs twice (the hour repeated when clocks fall back) means its first
  occurrence;
- a time the clocks skip (the hour lost when they spring forward) is read with the offset
  in force before the change, so the day still ends as long after local midnight as the
  setting says: 02:30 on 2026-03-08 in Chicago ends the day at 03:30 CDT, two and a half
  hours after midnight. (Settings start at 12:00, so no US zone meets this case; the rule
  is defined for every zone all the same.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.attendance import AttendanceSession
from models.org import Site

DEFAULT_MINUTES = 23 * 60 + 59
# The earliest end of day an admin may choose: before noon it would cut off morning
# arrivals of the same day, which is never what a site means.
EARLIEST = time(12, 0)


def as_time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def as_minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def end_of_day_at(zone: str, day: date, minutes: int) -> datetime:
    """The UTC instant a site-local day ends, by the rules in the module docstring."""
    # fold=0: the first of a repeated time; for a skipped one, the offset before the change.
    wall = datetime.combine(day, as_time(minutes), tzinfo=ZoneInfo(zone))
    return wall.astimezone(UTC)


def site_end_of_day(site: Site, day: date) -> datetime:
    return end_of_day_at(site.timezone, day, site.end_of_day_minutes)


def closes_at(site: Site, session: AttendanceSession) -> datetime:
    """When the automatic check-out closes a session: its day's end. A child signed in
    after that (a late event) is closed at 23:59 of that day, or at the sign-in itself
    when even later (a visit of no length, for staff to correct)."""
    end = site_end_of_day(site, session.local_date)
    if session.signed_in_at <= end:
        return end
    latest = end_of_day_at(site.timezone, session.local_date, DEFAULT_MINUTES)
    return max(latest, session.signed_in_at)


def last_ended_day(site: Site, now: datetime) -> date:
    """The latest site-local day whose end has passed at ``now``."""
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    if site_end_of_day(site, today) <= now:
        return today
    return today - timedelta(days=1)
