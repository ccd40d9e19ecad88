"""The agency's strategic framework as data: identity, objectives and key results.

Everything the report knows about the framework comes from ``planeacion_estrategica.xlsx``: the
«Marco» sheet (propósito inspirador, cómo lo hacemos, qué hacemos, eslogan, visión: one row per
element, in the order the report prints them), «Objetivos estratégicos» (OE), «Objetivos tácticos»
(OT, each answering to an OE) and «Resultados clave» (KR, each contributing to an OT, planned for a
quarter, with its status in the report's year and, optionally, the development-plan indicator it
supports). No code, element or status has a meaning in Python: the statuses are a catalog.
"""

from __future__ import annotations

import pandas as pd

from .plan import INDICATORS, PLAN_FILE, normalise_code

STRATEGY_FILE = "planeacion_estrategica.xlsx"
FRAMEWORK, OBJECTIVES = "Marco", "Objetivos estratégicos"
TACTICAL, KEY_RESULTS = "Objetivos tácticos", "Resultados clave"
# What ``informe new-year`` carries of each key result (its status and note are the year's own).
KEY_RESULT_KEPT = ("Código", "Objetivo táctico", "Resultado clave", "Trimestre")
PLAN_LINK = "Indicador del plan"


def unknown_references(table: pd.DataFrame, column: str, codes) -> list[tuple[int, str]]:
    """(Excel row, code) of every non-empty ``column`` value of ``table`` that is not one of ``codes``."""
    known = {normalise_code(c) for c in codes}
    return [(int(row), normalise_code(value)) for row, value in table[column].items()
            if not pd.isna(value) and normalise_code(value) not in known]


def tactical_without_objective(frames) -> list[tuple[int, str]]:
    """Tactical objectives whose «Objetivo estratégico» is not a code of «Objetivos estratégicos»."""
    return unknown_references(frames[(STRATEGY_FILE, TACTICAL)], "Objetivo estratégico",
                              frames[(STRATEGY_FILE, OBJECTIVES)]["Código"])


def key_results_without_tactical(frames) -> list[tuple[int, str]]:
    """Key results whose «Objetivo táctico» is not a code of «Objetivos tácticos»."""
    return unknown_references(frames[(STRATEGY_FILE, KEY_RESULTS)], "Objetivo táctico",
                              frames[(STRATEGY_FILE, TACTICAL)]["Código"])


def key_results_without_indicator(frames) -> list[tuple[int, str]]:
    """Key results whose «Indicador del plan» is not a code of plan_desarrollo.xlsx «Indicadores»."""
    return unknown_references(frames[(STRATEGY_FILE, KEY_RESULTS)], PLAN_LINK,
                              frames[(PLAN_FILE, INDICATORS)]["Código"])
