"""The words of printed reports, in English and Spanish. Numbers and times stay as data."""

from __future__ import annotations

from datetime import date

from models.activities import MealType
from models.people import Language

_EN = {
    "attendance_title": "Attendance report",
    "sheet_title": "Sign-in/out sheet",
    "site": "Site",
    "classroom": "Classroom",
    "child": "Child",
    "period": "Period",
    "timezone": "Times in",
    "page": "Page {page} of {pages}",
    "date": "Date",
    "in": "In",
    "out": "Out",
    "signed_in_by": "Signed in by",
    "signed_out_by": "Signed out by",
    "hours": "Hours",
    "absent": "Absent",
    "automatic": "automatic check-out",
    "stale": "signature stale",
    "reset": "signature reset",
    "meals": "Meals",
    "activities": "Activities",
    "totals": "Totals",
    "child_total": "Total for {name}: {present} days present, {absent} absent, {hours} hours, "
    "{meals} meals",
    "room_total": "Total for {name}: {children} children, {present} child-days present, "
    "{absent} absent, {hours} hours, {meals} meals",
    "meal_counts": "Meal counts per day",
    "activity_counts": "Activity counts",
    "none": "No attendance recorded in this period.",
    "week_of": "Week of {day}",
    "time_in": "Time in",
    "time_out": "Time out",
    "signature": "Signature",
    "sheet_note": "Staff enter these times afterwards; each waits for a parent's confirmation.",
    "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
}

_ES = {
    "attendance_title": "Informe de asistencia",
    "sheet_title": "Hoja de entrada y salida",
    "site": "Centro",
    "classroom": "Aula",
    "child": "Niño/a",
    "period": "Período",
    "timezone": "Horas en",
    "page": "Página {page} de {pages}",
    "date": "Fecha",
    "in": "Entrada",
    "out": "Salida",
    "signed_in_by": "Entrada firmada por",
    "signed_out_by": "Salida firmada por",
    "hours": "Horas",
    "absent": "Ausente",
    "automatic": "salida automática",
    "stale": "firma caducada",
    "reset": "firma anulada",
    "meals": "Comidas",
    "activities": "Actividades",
    "totals": "Totales",
    "child_total": "Total de {name}: {present} días presente, {absent} ausente, {hours} horas, "
    "{meals} comidas",
    "room_total": "Total de {name}: {children} niños, {present} días-niño presentes, "
    "{absent} ausentes, {hours} horas, {meals} comidas",
    "meal_counts": "Comidas por día",
    "activity_counts": "Actividades registradas",
    "none": "No hay asistencia registrada en este período.",
    "week_of": "Semana del {day}",
    "time_in": "Hora de entrada",
    "time_out": "Hora de salida",
    "signature": "Firma",
    "sheet_note": "El personal anota estas horas después; cada una espera la confirmación "
    "de un padre o madre.",
    "weekdays": "lun mar mié jue vie sáb dom",
}

_MEALS = {
    Language.EN: {
        MealType.BREAKFAST: "Breakfast",
        MealType.AM_SNACK: "AM snack",
        MealType.LUNCH: "Lunch",
        MealType.PM_SNACK: "PM snack",
        MealType.SUPPER: "Supper",
    },
    Language.ES: {
        MealType.BREAKFAST: "Desayuno",
        MealType.AM_SNACK: "Merienda AM",
        MealType.LUNCH: "Almuerzo",
        MealType.PM_SNACK: "Merienda PM",
        MealType.SUPPER: "Cena",
    },
}


class Texts:
    """One language's report words."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self._words = _ES if language is Language.ES else _EN

    def __call__(self, key: str, **values: object) -> str:
        return self._words[key].format(**values)

    def meal(self, meal: MealType) -> str:
        return _MEALS[self.language][meal]

    def day(self, on: date) -> str:
        """``Mon 2026-03-02`` or ``lun 2026-03-02``: ISO dates read the same everywhere."""
        return f"{self._words['weekdays'].split()[on.weekday()]} {on.isoformat()}"


def hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}"
