"""A small agency with the people most tests need, plus a foreign agency next door."""

from __future__ import annotations

from dataclasses import dataclass

from models.org import Agency, Classroom, ModuleAccess, Site, StaffUser
from models.people import Child
from tests import factories as make

TEACHER_PIN = "482917"
OTHER_TEACHER_PIN = "605318"


@dataclass
class World:
    agency: Agency
    site: Site
    other_site: Site
    room: Classroom
    other_room: Classroom
    admin: StaffUser
    teacher: StaffUser
    viewer: StaffUser
    students_viewer: StaffUser
    other_site_teacher: StaffUser
    kids: list[Child]
    foreign_agency: Agency
    foreign_site: Site
    foreign_room: Classroom
    foreign_kid: Child
    foreign_admin: StaffUser


async def build_world() -> World:
    agency = await make.agency("Sunny Days")
    site = await make.site(agency, name="Main Street")
    other_site = await make.site(agency, name="Riverside", timezone="America/Los_Angeles")
    room = await make.classroom(site, "Butterflies")
    other_room = await make.classroom(other_site, "Owls")
    edit = await make.role(agency, attendance=ModuleAccess.EDIT, students=ModuleAccess.VIEW)
    view = await make.role(agency, attendance=ModuleAccess.VIEW)
    students_view = await make.role(agency, students=ModuleAccess.VIEW)
    admin = await make.staff(agency, admin=True, first_name="Ada")
    teacher = await make.staff(agency, role=edit, sites=[site], pin=TEACHER_PIN, first_name="Tess")
    viewer = await make.staff(agency, role=view, sites=[site], first_name="Vic")
    students_viewer = await make.staff(agency, role=students_view, sites=[site])
    other_site_teacher = await make.staff(
        agency, role=edit, sites=[other_site], pin=OTHER_TEACHER_PIN
    )
    kids = [
        await make.child(room, first_name=name, last_name=f"Lastname{i}")
        for i, name in enumerate(["Ava", "Ben", "Cleo"])
    ]
    foreign = await make.agency("CANARY_FOREIGN_AGENCY")
    foreign_site = await make.site(foreign, name="CANARY_FOREIGN_SITE")
    foreign_room = await make.classroom(foreign_site, "CANARY_FOREIGN_ROOM")
    foreign_kid = await make.child(
        foreign_room, first_name="CANARY_FOREIGN_KID", subsidy_id="CANARY_SUBSIDY"
    )
    foreign_admin = await make.staff(foreign, admin=True)
    return World(
        agency=agency,
        site=site,
        other_site=other_site,
        room=room,
        other_room=other_room,
        admin=admin,
        teacher=teacher,
        viewer=viewer,
        students_viewer=students_viewer,
        other_site_teacher=other_site_teacher,
        kids=kids,
        foreign_agency=foreign,
        foreign_site=foreign_site,
        foreign_room=foreign_room,
        foreign_kid=foreign_kid,
        foreign_admin=foreign_admin,
    )
